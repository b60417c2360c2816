"""The training configuration: a typed, frozen object with defaults, and its validation.

`LIMITS` and the name tuples are the single source of truth for what is allowed; the API
reuses them for its own schema. `validate` raises a ConfigError naming the first bad field.

`momentum` serves every optimizer that needs a decay: the momentum coefficient for `momentum`,
the squared-gradient decay rho for `rmsprop`, and beta1 for `adam` (whose beta2 is 0.999).
`points` is only read when `dataset == "custom"`; there labels 0 and 1 only make a binary
problem, any higher label a multiclass one with classes = max label + 1. `classes` is only read
by the sets in datasets.MULTICLASS; with classes == 2 they are binary problems.
"""

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from app.engine import activations, datasets, features, losses, optimizers

DATASETS: tuple[str, ...] = (*datasets.GENERATORS, "custom")
FEATURES: tuple[str, ...] = tuple(features.TABLE)
ACTIVATIONS: tuple[str, ...] = tuple(activations.TABLE)
OPTIMIZERS: tuple[str, ...] = tuple(optimizers.TABLE)
REGULARIZATIONS: tuple[str, ...] = tuple(losses.PENALTIES)
PROBLEMS: tuple[str, ...] = tuple(losses.OUTPUTS)

SEED_MAX = 2**32 - 1
LIMITS: dict[str, tuple[float, float]] = {  # inclusive bounds
    "classes": (2, 6),
    "n_samples": (10, 5000),
    "noise": (0.0, 0.5),
    "train_fraction": (0.1, 0.9),
    "data_seed": (0, SEED_MAX),
    "points": (2, 5000),  # how many custom points
    "label": (0, 5),  # a custom point's label
    "features": (1, len(FEATURES)),  # how many features are chosen
    "hidden_layers": (0, 8),  # how many hidden layers
    "neurons": (1, 32),  # width of each hidden layer
    "learning_rate": (1e-5, 10.0),
    "momentum": (0.0, 0.999),
    "batch_size": (1, 5000),
    "regularization_rate": (0.0, 10.0),
    "seed": (0, SEED_MAX),
    "resolution": (1, 200),  # grid evaluation
}
INTEGERS = ("classes", "n_samples", "data_seed", "batch_size", "seed")
FLOATS = ("noise", "train_fraction", "learning_rate", "momentum", "regularization_rate")
CHOICES = {
    "dataset": DATASETS,
    "activation": ACTIVATIONS,
    "optimizer": OPTIMIZERS,
    "regularization": REGULARIZATIONS,
}


class ConfigError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "spiral"
    classes: int = 2
    n_samples: int = 500
    noise: float = 0.0
    train_fraction: float = 0.5
    data_seed: int = 0
    points: tuple[tuple[float, float, int], ...] | None = None
    features: tuple[str, ...] = ("x1", "x2")
    hidden_layers: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9
    nesterov: bool = False
    batch_size: int = 10
    regularization: str = "none"
    regularization_rate: float = 0.0
    seed: int = 0

    @property
    def n_classes(self) -> int:
        """Number of classes; 0 for regression."""
        if self.dataset in datasets.REGRESSION:
            return 0
        if self.dataset == "custom":
            return max([2] + [int(p[2]) + 1 for p in self.points or ()])
        return self.classes if self.dataset in datasets.MULTICLASS else 2

    @property
    def problem(self) -> str:
        k = self.n_classes
        return "regression" if k == 0 else "binary" if k == 2 else "multiclass"

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.problem == "multiclass" else 1


def _fmt(v: float) -> str:
    return str(v) if isinstance(v, int) else f"{v:g}"


def _check_range(field: str, value: float, what: str | None = None, limit: str = "") -> None:
    """Raise for `field` unless LIMITS[limit or field] holds `value`; `what` names the value."""
    lo, hi = LIMITS[limit or field]
    if not lo <= value <= hi:  # also false for NaN
        name = f"{field} ({what})" if what else field
        raise ConfigError(field, f"{name} must be between {_fmt(lo)} and {_fmt(hi)}")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def _check_points(points: object) -> None:
    if not isinstance(points, (tuple, list)):
        raise ConfigError("points", "points are required when dataset is 'custom'")
    _check_range("points", len(points), "how many")
    for p in points:
        if not (isinstance(p, (tuple, list)) and len(p) == 3):
            raise ConfigError("points", "points must each be [x1, x2, label]")
        if not (_is_number(p[0]) and _is_number(p[1])):
            raise ConfigError("points", "points must have finite coordinates")
        if not all(datasets.EXTENT[0] <= v <= datasets.EXTENT[1] for v in p[:2]):
            raise ConfigError("points", "points must lie in the square [-6, 6] x [-6, 6]")
        if not _is_int(p[2]):
            raise ConfigError("points", "points must have integer labels")
        _check_range("points", p[2], "labels", limit="label")


def validate(config: TrainConfig) -> None:
    """Raise ConfigError for the first field (in declaration order) that is not allowed."""
    for f in fields(config):
        name, value = f.name, getattr(config, f.name)
        if name in CHOICES and value not in CHOICES[name]:
            raise ConfigError(name, f"{name} must be one of: {', '.join(CHOICES[name])}")
        if name in INTEGERS:
            if not _is_int(value):
                raise ConfigError(name, f"{name} must be an integer")
            _check_range(name, value)
        if name in FLOATS:
            if not _is_number(value):
                raise ConfigError(name, f"{name} must be a finite number")
            _check_range(name, value)
        if name == "nesterov" and not isinstance(value, bool):
            raise ConfigError(name, "nesterov must be true or false")
        if name == "points" and config.dataset == "custom":
            _check_points(value)
        if name == "features":
            if not isinstance(value, (tuple, list)) or not all(v in FEATURES for v in value):
                raise ConfigError(name, f"features must be chosen from: {', '.join(FEATURES)}")
            if len(set(value)) != len(value):
                raise ConfigError(name, "features must not repeat")
            _check_range(name, len(value), "how many")
        if name == "hidden_layers":
            if not isinstance(value, (tuple, list)) or not all(_is_int(v) for v in value):
                raise ConfigError(name, "hidden_layers must be a list of integers")
            _check_range(name, len(value), "how many")
            for width in value:
                _check_range(name, width, "neurons per layer", limit="neurons")


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """A JSON-safe dict: tuples become lists."""
    d = asdict(config)
    d["features"] = list(config.features)
    d["hidden_layers"] = list(config.hidden_layers)
    d["points"] = None if config.points is None else [list(p) for p in config.points]
    return d


def config_from_dict(d: dict[str, Any]) -> TrainConfig:
    """Build (and validate) a config from a dict of some or all fields; lists become tuples."""
    known = {f.name for f in fields(TrainConfig)}
    for key in d:
        if key not in known:
            raise ConfigError(key, f"unknown field {key!r}")
    d = dict(d)
    for key in ("features", "hidden_layers"):
        if isinstance(d.get(key), list):
            d[key] = tuple(d[key])
    if isinstance(d.get("points"), (list, tuple)):
        d["points"] = tuple(tuple(p) if isinstance(p, (list, tuple)) else p for p in d["points"])
    config = TrainConfig(**d)
    validate(config)
    return config
