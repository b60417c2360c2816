"""The training configuration as the API speaks it: field types with bounds, once.

The engine's config is the rule: the bounds are its `LIMITS` (and its square, `EXTENT`), the
fields and their defaults are its `TrainConfig`'s, all read here rather than written again, so
the schema cannot allow what the engine refuses. Each field's type is written once, in
`FIELDS`; both models are built from that table: `SessionConfig` with the engine's defaults,
`ConfigUpdate` with every field optional. tests/api/test_limits_agree.py checks that the
schema, the engine and the page's copy say the same.
"""

from __future__ import annotations

from dataclasses import fields
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, create_model

from app.engine.config import LIMITS as LIMITS
from app.engine.config import SEED_MAX as SEED_MAX
from app.engine.config import TrainConfig, config_to_dict
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


def within(name: str, description: str) -> Any:
    """A number's field: the bounds LIMITS gives `name`, and what it means."""
    return Field(ge=lo(name), le=hi(name), description=description)


def counted(name: str, description: str) -> Any:
    """A list's field: as many items as LIMITS gives `name`, and what it holds."""
    return Field(min_length=lo(name), max_length=hi(name), description=description)


def whole(value: Any) -> Any:
    """JSON has one kind of number: 3.0 is the integer 3, as JSON Schema says; 3.5 is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [whole(item) for item in value]
    return value


# An integer field that takes 3.0 for 3 and stays strict about everything else.
Whole = BeforeValidator(whole)
# A float field that refuses NaN and the infinities, which JSON parsing lets through.
Real = Annotated[float, Field(allow_inf_nan=False)]

DatasetField = Annotated[Dataset, Field(description="Which data to learn; `custom` uses `points`.")]
Classes = Annotated[int, within("classes", "Number of classes for `blobs` and `spiral`."), Whole]
Samples = Annotated[int, within("n_samples", "Number of generated points."), Whole]
Noise = Annotated[Real, within("noise", "Noise added to generated points.")]
TrainFraction = Annotated[Real, within("train_fraction", "Share of the points used for training.")]
DataSeed = Annotated[int, within("data_seed", "Seed of the data: which points are drawn."), Whole]
Coordinate = Annotated[float, Strict(), Field(ge=EXTENT[0], le=EXTENT[1], allow_inf_nan=False)]
Label = Annotated[int, Strict(), Field(ge=lo("label"), le=hi("label")), Whole]
Point = Annotated[
    tuple[Coordinate, Coordinate, Label],
    Strict(False),  # JSON has no tuples: accept the list, but keep its items strict
    Field(description="A labelled point [x1, x2, label] in [-6, 6]², label a class 0-5."),
]
Points = Annotated[
    list[Point],
    counted("points", "Custom data, used when `dataset` is `custom` (and required then)."),
]
# What the server enforces across fields, said in the schema: custom data needs its points.
CUSTOM_NEEDS_POINTS: dict[str, Any] = {
    "if": {"properties": {"dataset": {"const": "custom"}}, "required": ["dataset"]},
    "then": {"properties": {"points": {"type": "array"}}, "required": ["points"]},
}
Features = Annotated[
    list[Feature],
    counted("features", "Input features fed to the net, each at most once."),
    Field(json_schema_extra={"uniqueItems": True}),
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
    Real, within("learning_rate", "Step size: how far each step moves the weights.")
]
Momentum = Annotated[Real, within("momentum", "Momentum; decay for rmsprop; beta1 for adam.")]
Nesterov = Annotated[bool, Field(description="Use Nesterov momentum with `momentum`.")]
BatchSize = Annotated[int, within("batch_size", "Examples per step (mini-batch)."), Whole]
RegularizationField = Annotated[Regularization, Field(description="Penalty on large weights.")]
RegularizationRate = Annotated[
    Real, within("regularization_rate", "Strength of the regularisation penalty.")
]
Seed = Annotated[int, within("seed", "Seed of the initial weights and batch order."), Whole]

# Every config field's type, by the engine's name for it.
FIELDS: dict[str, Any] = {
    "dataset": DatasetField,
    "classes": Classes,
    "n_samples": Samples,
    "noise": Noise,
    "train_fraction": TrainFraction,
    "data_seed": DataSeed,
    "points": Points | None,
    "features": Features,
    "hidden_layers": HiddenLayers,
    "activation": ActivationField,
    "optimizer": OptimizerField,
    "learning_rate": LearningRate,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "batch_size": BatchSize,
    "regularization": RegularizationField,
    "regularization_rate": RegularizationRate,
    "seed": Seed,
}
ENGINE_FIELDS = [field.name for field in fields(TrainConfig)]
if list(FIELDS) != ENGINE_FIELDS:  # a field added to the engine must be typed here too
    raise RuntimeError(f"schema fields {list(FIELDS)} differ from the engine's {ENGINE_FIELDS}")
DEFAULTS = config_to_dict(TrainConfig())
STRICT = ConfigDict(extra="forbid", strict=True, json_schema_extra=CUSTOM_NEEDS_POINTS)


def default(name: str) -> Any:
    """The engine's default; a list is made afresh for each model, and left out of the schema
    (as a list default always was)."""
    value = DEFAULTS[name]
    return Field(default_factory=partial(list, value)) if isinstance(value, list) else value


if TYPE_CHECKING:  # mypy cannot see fields made at run time: to it these are plain models
    SessionConfig = BaseModel
    ConfigUpdate = BaseModel
else:
    SessionConfig = create_model(
        "SessionConfig",
        __config__=STRICT,
        __doc__="A whole training configuration; every field has a friendly default.",
        **{name: (kind, default(name)) for name, kind in FIELDS.items()},
    )
    ConfigUpdate = create_model(
        "ConfigUpdate",
        __config__=STRICT,
        __doc__="Some config fields to change; the others keep their values.",
        **{name: (kind | None, None) for name, kind in FIELDS.items()},
    )
