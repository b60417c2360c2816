"""REST bodies and answers: state, history, timeline, comparisons, sharing, errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas.config import (
    Applied,
    BatchSize,
    ConfigUpdate,
    LearningRate,
    Momentum,
    Nesterov,
    OptimizerField,
    Problem,
    RegularizationField,
    RegularizationRate,
    SessionConfig,
    Status,
    Whole,
)


def _metric(description: str) -> Any:
    return Field(default=None, description=description)


class Metrics(BaseModel):
    """Measures after the latest step; null where a measure does not apply or is not known yet."""

    train_loss: float | None = _metric("Data loss over the training set.")
    test_loss: float | None = _metric("Data loss over the test set (new data).")
    train_accuracy: float | None = _metric("Share of training points classified right.")
    test_accuracy: float | None = _metric("Share of test points classified right.")
    train_r2: float | None = _metric("R² over the training set (regression).")
    test_r2: float | None = _metric("R² over the test set (regression).")
    data_loss: float | None = _metric("Data loss of the last mini-batch.")
    penalty: float | None = _metric("Regularisation penalty added to the data loss.")
    grad_norm: float | None = _metric("Norm of the gradient of the last step.")
    update_norm: float | None = _metric("Norm of the change the last step made to the weights.")


class RescuePlan(BaseModel):
    """What POST /rescue (or the socket's rescue) will do to a diverged run, said beforehand."""

    at: int = Field(description="The checkpoint it rewinds to: the last before the blow-up.")
    epoch: int = Field(description="The epoch of that checkpoint, where the run goes back to.")
    learning_rate: float = Field(
        description="The step size it continues with: half of from_learning_rate, at least 1e-05."
    )
    from_learning_rate: float = Field(
        description="The step size in force at that checkpoint: the last that was stable."
    )


class SessionState(BaseModel):
    step: int = Field(description="Mini-batch steps taken since step 0.")
    epoch: int = Field(description="Whole passes over the training set completed.")
    examples_seen: int = Field(description="Training examples the network has learned from.")
    status: Status = Field(description="idle, running (playing), or diverged.")
    message: str | None = Field(description="Why the run stopped, in words, when it diverged.")
    metrics: Metrics = Field(description="Losses and accuracies after the latest step.")
    rescue: RescuePlan | None = Field(
        default=None, description="When diverged: how the rescue will recover the run."
    )


class SessionPublic(BaseModel):
    id: str = Field(description="The session's id: enough to read and watch it.")
    problem: Problem = Field(description="binary, multiclass or regression, from the dataset.")
    classes: int = Field(description="Number of classes (0 for regression).")
    config: SessionConfig = Field(description="The session's whole configuration.")
    state: SessionState = Field(description="Where the training stands.")


class SessionCreated(SessionPublic):
    token: str = Field(description="The secret that lets its holder drive the session.")


class StepRequest(BaseModel):
    """Train now: either some whole epochs or some mini-batch steps."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={  # exactly one of the two, as the validator below insists
            "oneOf": [
                {"required": ["epochs"], "properties": {"epochs": {"type": "integer"}}},
                {"required": ["steps"], "properties": {"steps": {"type": "integer"}}},
            ]
        },
    )

    epochs: Annotated[int, Field(ge=1), Whole] | None = Field(
        default=None, description="Whole epochs to train."
    )
    steps: Annotated[int, Field(ge=1), Whole] | None = Field(
        default=None, description="Mini-batch steps to train."
    )

    @model_validator(mode="after")
    def _one_of(self) -> StepRequest:
        if (self.epochs is None) == (self.steps is None):
            raise ValueError("give exactly one of epochs or steps")
        return self


class ConfigChange(SessionPublic):
    applied: Applied = Field(
        description="live: the run goes on with the new values; data: new data and rebuild: a "
        "new network, each a new run from step 0 with the weights drawn from the seed."
    )


class HistoryPoint(BaseModel):
    step: int = Field(description="Steps taken when the point was recorded.")
    epoch: int = Field(description="Epochs completed when the point was recorded.")
    examples_seen: int = Field(description="Examples seen when the point was recorded.")
    train_loss: float | None = Field(description="Training-set loss.")
    test_loss: float | None = Field(description="Test-set loss.")
    train_accuracy: float | None = Field(description="Training-set accuracy (classification).")
    test_accuracy: float | None = Field(description="Test-set accuracy (classification).")
    train_r2: float | None = Field(description="Training-set R² (regression).")
    test_r2: float | None = Field(description="Test-set R² (regression).")
    update_norm: float | None = Field(
        default=None, description="Size of the last step's change to the weights."
    )
    learning_rate: float | None = Field(default=None, description="Step size in force then.")
    boundary_change: float | None = Field(
        default=None,
        description="How much the boundary moved since the previous point: the share of the "
        "grid whose class flipped (classification) or the mean output change (regression).",
    )
    diverged: bool = Field(default=False, description="Whether the run had diverged by then.")


class HistoryPublic(BaseModel):
    recorded: int = Field(description="Points recorded since the start, before thinning.")
    thinned: bool = Field(description="True when older points were thinned to fit the bound.")
    points: list[HistoryPoint] = Field(description="Points in order; first and last always kept.")


class Boundary(BaseModel):
    resolution: int = Field(description="N: the grid has N × N cells.")
    extent: list[float] = Field(description="[x1_min, x1_max, x2_min, x2_max] of the grid.")
    problem: Problem = Field(description="What the values mean.")
    values: list[float] = Field(
        description="Row-major, row 0 at the top (largest x2): probability of class 1 (binary), "
        "the winning class (multiclass) or the output (regression)."
    )
    confidence: list[float] | None = Field(
        description="Multiclass only: the winning class's probability for each cell."
    )


class TimelineEntry(HistoryPoint):
    at: int = Field(description="The checkpoint's key: name it to seek, rewind or branch.")


Marker = Literal["diverged", "oscillating", "settled", "best_test", "overfitting"]


class TimelineMarker(BaseModel):
    kind: Marker = Field(description="What happened there.")
    step: int = Field(description="The step it happened at.")
    epoch: int = Field(description="The epoch it happened at.")


class TimelinePublic(BaseModel):
    entries: list[TimelineEntry] = Field(description="Checkpoints, oldest first, thinned.")
    markers: list[TimelineMarker] = Field(description="Moments found in the loss history.")
    bytes: int = Field(description="Memory the checkpoints use.")
    budget: int = Field(description="Memory they may use before older ones are thinned.")


class MomentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    at: Annotated[int, Field(ge=0), Whole] | None = Field(
        default=None,
        description="A checkpoint's key; null means the last one before the run blew up.",
    )


class BranchRequest(BaseModel):
    """A new session from a checkpoint, with other hyperparameters if wanted."""

    model_config = ConfigDict(extra="forbid", strict=True)

    at: Annotated[int, Whole] = Field(ge=0, description="The checkpoint to start from.")
    learning_rate: LearningRate | None = None
    optimizer: OptimizerField | None = None
    momentum: Momentum | None = None
    nesterov: Nesterov | None = None
    batch_size: BatchSize | None = None
    regularization: RegularizationField | None = None
    regularization_rate: RegularizationRate | None = None


class DataPoints(BaseModel):
    train: list[list[float]] = Field(description="Training points as [x1, x2, label or target].")
    test: list[list[float]] = Field(description="Test points as [x1, x2, label or target].")


class Snapshot(BaseModel):
    """A whole run: import it to continue exactly where it was exported."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["stepwise-snapshot"] = Field(description="Marks the document's kind.")
    version: Literal[1, 2] = Field(
        description="Snapshot format version: 2 carries the data points, writes arrays and "
        "history columns as base64 of little-endian float64 or int64, and integers that may "
        "pass 2**53 as decimal texts; 1 (still read) rebuilds the points from the seeds."
    )
    config: SessionConfig = Field(description="The configuration of the run.")
    trainer: dict[str, Any] = Field(
        description="Data points, weights, optimizer and generator state, counters."
    )
    history: dict[str, Any] = Field(
        description="The loss history: `recorded` and one base64 column per field (format 2), "
        "or `recorded` and `points` (format 1)."
    )


Varied = Literal[
    "learning_rate",
    "batch_size",
    "optimizer",
    "momentum",
    "regularization",
    "regularization_rate",
    "activation",
    "hidden_layers",
    "noise",
    "n_samples",
    "train_fraction",
    "features",
    "seed",
    "data_seed",
]


class ComparisonCreate(BaseModel):
    """Runs that share one config and seed and differ only in `vary`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    config: SessionConfig = Field(
        default_factory=SessionConfig, description="What every run shares."
    )
    vary: Varied = Field(default="learning_rate", description="The one field the runs differ in.")
    values: Annotated[list[Any], Whole] = Field(
        default_factory=lambda: [0.0001, 0.03, 3.0],
        min_length=2,
        max_length=4,
        description="One value of `vary` per run, in panel order.",
    )


class ComparisonPublic(BaseModel):
    id: str = Field(description="The comparison's id: enough to watch it.")
    vary: Varied = Field(description="The field the runs differ in.")
    values: list[Any] = Field(description="Each run's value of `vary`.")
    status: Literal["idle", "running"] = Field(description="Whether the runs are playing.")
    epochs_per_second: float | None = Field(description="Play speed; null for full speed.")
    timelapse: bool = Field(description="Whether the speed rises with the epoch to full speed.")
    runs: list[SessionPublic] = Field(description="The runs, each a session of its own.")


class ComparisonCreated(ComparisonPublic):
    token: str = Field(description="The secret that drives every run of the comparison.")


class ComparisonStep(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    epochs: Annotated[int, Whole] = Field(
        ge=1, description="Whole epochs every run trains, in lock-step."
    )


class ComparisonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    config: ConfigUpdate | None = Field(
        default=None, description="Fields changed for every run (not the varied one)."
    )
    values: Annotated[list[Any], Whole] | None = Field(
        default=None, min_length=2, max_length=4, description="New values of `vary`, per run."
    )


class SharePublic(BaseModel):
    code: str = Field(description="A short code that lets people watch (never drive).")
    watch_url: str = Field(description="The short watch link, to show or read out.")
    qr_url: str = Field(description="Where the watch link's QR code is, as SVG.")
    viewers: int = Field(description="Sockets watching the session now.")


class OEmbed(BaseModel):
    version: Literal["1.0"] = Field(description="oEmbed version.")
    type: Literal["rich"] = Field(description="An iframe.")
    title: str = Field(description="Title of the embed.")
    provider_name: str = Field(description="Who provides it.")
    provider_url: str = Field(description="The provider's home page.")
    html: str = Field(description="The iframe to place in the page.")
    width: int = Field(description="Width of the iframe in CSS pixels.")
    height: int = Field(description="Height of the iframe in CSS pixels.")


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable machine-readable code, e.g. `invalid`, `not_found`.")
    message: str = Field(description="What went wrong, for a person.")
    field: str | None = Field(description="The request field at fault, when there is one.")


class ErrorResponse(BaseModel):
    error: ErrorDetail = Field(description="The one shape every error takes.")


class Health(BaseModel):
    status: Literal["ok"] = Field(description="Always 'ok' when the server answers.")
    version: str = Field(description="The running Stepwise version.")
