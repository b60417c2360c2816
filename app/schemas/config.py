"""The training configuration as the API speaks it: field types with bounds, once.

The bounds are the engine's `LIMITS` (and its square, `EXTENT`), read here rather than written
again, so the schema cannot allow what the engine refuses; tests/api/test_limits_agree.py
checks that the page's copy says the same.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from app.engine.config import LIMITS as LIMITS
from app.engine.config import SEED_MAX as SEED_MAX
from app.engine.datasets import EXTENT as EXTENT

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


def lo(name: str) -> Any:
    """The least value LIMITS allows for `name`."""
    return LIMITS[name][0]


def hi(name: str) -> Any:
    """The greatest value LIMITS allows for `name`."""
    return LIMITS[name][1]


def whole(value: Any) -> Any:
    """JSON has one kind of number: 3.0 is the integer 3, as JSON Schema says; 3.5 is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [whole(item) for item in value]
    return value


# An integer field that takes 3.0 for 3 and stays strict about everything else.
Whole = BeforeValidator(whole)
DEFAULT_FEATURES: tuple[Feature, ...] = ("x1", "x2")

DatasetField = Annotated[Dataset, Field(description="Which data to learn; `custom` uses `points`.")]
Classes = Annotated[
    int,
    Field(
        ge=lo("classes"),
        le=hi("classes"),
        description="Number of classes for `blobs` and `spiral`.",
    ),
    Whole,
]
Samples = Annotated[
    int,
    Field(ge=lo("n_samples"), le=hi("n_samples"), description="Number of generated points."),
    Whole,
]
Noise = Annotated[
    float,
    Field(
        ge=lo("noise"),
        le=hi("noise"),
        allow_inf_nan=False,
        description="Noise added to generated points.",
    ),
]
TrainFraction = Annotated[
    float,
    Field(
        ge=lo("train_fraction"),
        le=hi("train_fraction"),
        allow_inf_nan=False,
        description="Share of the points used for training.",
    ),
]
DataSeed = Annotated[
    int,
    Field(
        ge=lo("data_seed"),
        le=hi("data_seed"),
        description="Seed of the data: which points are drawn.",
    ),
    Whole,
]
Coordinate = Annotated[float, Strict(), Field(ge=EXTENT[0], le=EXTENT[1], allow_inf_nan=False)]
Label = Annotated[int, Strict(), Field(ge=lo("label"), le=hi("label")), Whole]
Point = Annotated[
    tuple[Coordinate, Coordinate, Label],
    Strict(False),  # JSON has no tuples: accept the list, but keep its items strict
    Field(description="A labelled point [x1, x2, label] in [-6, 6]², label a class 0-5."),
]
Points = Annotated[
    list[Point],
    Field(
        min_length=lo("points"),
        max_length=hi("points"),
        description="Custom data, used when `dataset` is `custom` (and required then).",
    ),
]
# What the server enforces across fields, said in the schema: custom data needs its points.
CUSTOM_NEEDS_POINTS: dict[str, Any] = {
    "if": {"properties": {"dataset": {"const": "custom"}}, "required": ["dataset"]},
    "then": {"properties": {"points": {"type": "array"}}, "required": ["points"]},
}
Features = Annotated[
    list[Feature],
    Field(
        min_length=lo("features"),
        max_length=hi("features"),
        description="Input features fed to the net, each at most once.",
        json_schema_extra={"uniqueItems": True},
    ),
]
Width = Annotated[int, Field(ge=lo("neurons"), le=hi("neurons")), Whole]
HiddenLayers = Annotated[
    list[Width],
    Field(
        max_length=hi("hidden_layers"),  # at least none: a list's own least
        description="Widths of the hidden layers, input to output.",
    ),
]
ActivationField = Annotated[Activation, Field(description="Activation of the hidden neurons.")]
OptimizerField = Annotated[
    Optimizer, Field(description="How each step turns gradients into moves.")
]
LearningRate = Annotated[
    float,
    Field(
        ge=lo("learning_rate"),
        le=hi("learning_rate"),
        allow_inf_nan=False,
        description="Step size: how far each step moves the weights.",
    ),
]
Momentum = Annotated[
    float,
    Field(
        ge=lo("momentum"),
        le=hi("momentum"),
        allow_inf_nan=False,
        description="Momentum; decay for rmsprop; beta1 for adam.",
    ),
]
Nesterov = Annotated[bool, Field(description="Use Nesterov momentum with `momentum`.")]
BatchSize = Annotated[
    int,
    Field(ge=lo("batch_size"), le=hi("batch_size"), description="Examples per step (mini-batch)."),
    Whole,
]
RegularizationField = Annotated[Regularization, Field(description="Penalty on large weights.")]
RegularizationRate = Annotated[
    float,
    Field(
        ge=lo("regularization_rate"),
        le=hi("regularization_rate"),
        allow_inf_nan=False,
        description="Strength of the regularisation penalty.",
    ),
]
Seed = Annotated[
    int,
    Field(ge=lo("seed"), le=hi("seed"), description="Seed of the initial weights and batch order."),
    Whole,
]


class SessionConfig(BaseModel):
    """A whole training configuration; every field has a friendly default."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=CUSTOM_NEEDS_POINTS)

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

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=CUSTOM_NEEDS_POINTS)

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
