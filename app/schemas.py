"""Every pydantic model of the REST and WebSocket contract, in one place.

Families share one naming pattern: `SessionConfig` (a whole config) and `ConfigUpdate` (some of
its fields), `SessionState`, `SessionPublic`, `SessionCreated`, `StepRequest`, `ConfigChange`,
and the WebSocket messages `*Message`. The field types below carry the bounds and descriptions
once; both config models reuse them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

Dataset = Literal[
    "circle", "xor", "gauss", "spiral", "moons", "blobs", "plane", "multigauss", "custom"
]
Feature = Literal["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
Activation = Literal["relu", "tanh", "sigmoid", "linear", "leaky_relu"]
Optimizer = Literal["sgd", "momentum", "rmsprop", "adam"]
Regularization = Literal["none", "l1", "l2"]
Problem = Literal["binary", "multiclass", "regression"]
Status = Literal["idle", "running", "diverged"]
Applied = Literal["live", "data", "rebuild"]

SEED_MAX = 2**32 - 1
DEFAULT_FEATURES: tuple[Feature, ...] = ("x1", "x2")

DatasetField = Annotated[Dataset, Field(description="Which data to learn; `custom` uses `points`.")]
Classes = Annotated[
    int, Field(ge=2, le=6, description="Number of classes for `blobs` and `spiral`.")
]
Samples = Annotated[int, Field(ge=10, le=5000, description="Number of generated points.")]
Noise = Annotated[float, Field(ge=0.0, le=0.5, description="Noise added to generated points.")]
TrainFraction = Annotated[
    float, Field(ge=0.1, le=0.9, description="Share of the points used for training.")
]
DataSeed = Annotated[
    int, Field(ge=0, le=SEED_MAX, description="Seed of the data: which points are drawn.")
]
Point = Annotated[
    tuple[Annotated[float, Strict()], Annotated[float, Strict()], Annotated[int, Strict()]],
    Strict(False),  # JSON has no tuples: accept the list, but keep its items strict
    Field(description="A labelled point [x1, x2, label], label an integer class 0-5."),
]
Points = Annotated[
    list[Point],
    Field(max_length=5000, description="Custom data, used when `dataset` is `custom`."),
]
Features = Annotated[
    list[Feature],
    Field(
        min_length=1,
        max_length=9,
        description="Input features fed to the net, each at most once.",
        json_schema_extra={"uniqueItems": True},
    ),
]
Width = Annotated[int, Field(ge=1, le=32)]
HiddenLayers = Annotated[
    list[Width], Field(max_length=8, description="Widths of the hidden layers, input to output.")
]
ActivationField = Annotated[Activation, Field(description="Activation of the hidden neurons.")]
OptimizerField = Annotated[
    Optimizer, Field(description="How each step turns gradients into moves.")
]
LearningRate = Annotated[
    float, Field(ge=1e-5, le=10.0, description="Step size: how far each step moves the weights.")
]
Momentum = Annotated[
    float,
    Field(ge=0.0, le=0.999, description="Momentum; decay for rmsprop; beta1 for adam."),
]
Nesterov = Annotated[bool, Field(description="Use Nesterov momentum with `momentum`.")]
BatchSize = Annotated[int, Field(ge=1, le=5000, description="Examples per step (mini-batch).")]
RegularizationField = Annotated[Regularization, Field(description="Penalty on large weights.")]
RegularizationRate = Annotated[
    float, Field(ge=0.0, le=10.0, description="Strength of the regularisation penalty.")
]
Seed = Annotated[
    int, Field(ge=0, le=SEED_MAX, description="Seed of the initial weights and batch order.")
]


class SessionConfig(BaseModel):
    """A whole training configuration; every field has a friendly default."""

    model_config = ConfigDict(extra="forbid", strict=True)

    dataset: DatasetField = "spiral"
    classes: Classes = 2
    n_samples: Samples = 500
    noise: Noise = 0.0
    train_fraction: TrainFraction = 0.5
    data_seed: DataSeed = 0
    points: Points | None = None
    features: Features = Field(default_factory=lambda: list(DEFAULT_FEATURES))
    hidden_layers: HiddenLayers = Field(default_factory=lambda: [8, 8])
    activation: ActivationField = "tanh"
    optimizer: OptimizerField = "sgd"
    learning_rate: LearningRate = 0.03
    momentum: Momentum = 0.9
    nesterov: Nesterov = False
    batch_size: BatchSize = 10
    regularization: RegularizationField = "none"
    regularization_rate: RegularizationRate = 0.0
    seed: Seed = 0


class ConfigUpdate(BaseModel):
    """Some config fields to change; the others keep their values."""

    model_config = ConfigDict(extra="forbid", strict=True)

    dataset: DatasetField | None = None
    classes: Classes | None = None
    n_samples: Samples | None = None
    noise: Noise | None = None
    train_fraction: TrainFraction | None = None
    data_seed: DataSeed | None = None
    points: Points | None = None
    features: Features | None = None
    hidden_layers: HiddenLayers | None = None
    activation: ActivationField | None = None
    optimizer: OptimizerField | None = None
    learning_rate: LearningRate | None = None
    momentum: Momentum | None = None
    nesterov: Nesterov | None = None
    batch_size: BatchSize | None = None
    regularization: RegularizationField | None = None
    regularization_rate: RegularizationRate | None = None
    seed: Seed | None = None


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


class SessionState(BaseModel):
    step: int = Field(description="Mini-batch steps taken since step 0.")
    epoch: int = Field(description="Whole passes over the training set completed.")
    examples_seen: int = Field(description="Training examples the network has learned from.")
    status: Status = Field(description="idle, running (playing), or diverged.")
    message: str | None = Field(description="Why the run stopped, in words, when it diverged.")
    metrics: Metrics = Field(description="Losses and accuracies after the latest step.")


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

    model_config = ConfigDict(extra="forbid", strict=True)

    epochs: int | None = Field(default=None, ge=1, description="Whole epochs to train.")
    steps: int | None = Field(default=None, ge=1, description="Mini-batch steps to train.")

    @model_validator(mode="after")
    def _one_of(self) -> StepRequest:
        if (self.epochs is None) == (self.steps is None):
            raise ValueError("give exactly one of epochs or steps")
        return self


class ConfigChange(SessionPublic):
    applied: Applied = Field(
        description="live: weights kept; data: new data, model kept; rebuild: new network."
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

    at: int | None = Field(
        default=None,
        ge=0,
        description="A checkpoint's key; null means the last one before the run blew up.",
    )


class BranchRequest(BaseModel):
    """A new session from a checkpoint, with other hyperparameters if wanted."""

    model_config = ConfigDict(extra="forbid", strict=True)

    at: int = Field(ge=0, description="The checkpoint to start from.")
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

    format: Literal["stepwise-snapshot"] = Field(description="Marks the document's kind.")
    version: Literal[1] = Field(description="Snapshot format version.")
    config: SessionConfig = Field(description="The configuration of the run.")
    trainer: dict[str, Any] = Field(description="Weights, optimizer and generator state.")
    history: dict[str, Any] = Field(description="The loss history.")


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
    values: list[Any] = Field(
        default_factory=lambda: [0.001, 0.03, 3.0],
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
    runs: list[SessionPublic] = Field(description="The runs, each a session of its own.")


class ComparisonCreated(ComparisonPublic):
    token: str = Field(description="The secret that drives every run of the comparison.")


class ComparisonStep(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    epochs: int = Field(ge=1, description="Whole epochs every run trains, in lock-step.")


class ComparisonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    config: ConfigUpdate | None = Field(
        default=None, description="Fields changed for every run (not the varied one)."
    )
    values: list[Any] | None = Field(
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


# --- WebSocket: client → server -------------------------------------------------------------


class AuthMessage(BaseModel):
    type: Literal["auth"]
    token: str = Field(max_length=200, description="The session's token.")


class PlayMessage(BaseModel):
    type: Literal["play"]


class PauseMessage(BaseModel):
    type: Literal["pause"]


class ResetMessage(BaseModel):
    type: Literal["reset"]


class StepMessage(StepRequest):
    type: Literal["step"]


class SetMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["set"]
    config: ConfigUpdate = Field(description="The config fields to change.")


class SpeedMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["speed"]
    epochs_per_second: float | None = Field(default=None, gt=0, le=100_000)
    steps_per_second: float | None = Field(default=None, gt=0, le=10_000_000)

    @model_validator(mode="after")
    def _at_most_one(self) -> SpeedMessage:
        if self.epochs_per_second is not None and self.steps_per_second is not None:
            raise ValueError("give at most one of epochs_per_second or steps_per_second")
        return self


class SubscribeMessage(BaseModel):
    type: Literal["subscribe"]
    neurons: bool = Field(description="Also send every hidden neuron's small grid.")


class Speed(BaseModel):
    epochs_per_second: float | None = Field(description="Set when the speed is in epochs.")
    steps_per_second: float | None = Field(description="Set when the speed is in steps.")


class SeekMessage(BaseModel):
    type: Literal["seek"]
    at: int = Field(ge=0, description="The checkpoint to show this viewer.")


class RewindMessage(BaseModel):
    type: Literal["rewind"]
    at: int | None = Field(default=None, ge=0, description="The checkpoint to continue from.")


class RescueMessage(BaseModel):
    type: Literal["rescue"]


ClientMessage = Annotated[
    AuthMessage
    | PlayMessage
    | PauseMessage
    | ResetMessage
    | StepMessage
    | SetMessage
    | SpeedMessage
    | SubscribeMessage
    | SeekMessage
    | RewindMessage
    | RescueMessage,
    Field(discriminator="type"),
]


class ValueMessage(BaseModel):
    type: Literal["value"]
    index: int = Field(ge=0, le=3, description="Which run, in panel order.")
    value: Any = Field(description="Its new value of the varied field.")


# What a comparison's socket accepts: the session messages that make sense for a group.
GroupClientMessage = Annotated[
    AuthMessage
    | PlayMessage
    | PauseMessage
    | ResetMessage
    | StepMessage
    | SetMessage
    | SpeedMessage
    | ValueMessage,
    Field(discriminator="type"),
]
