"""Stepwise's training engine: pure numpy, deterministic given its seeds.

Modules, in import order: tape (steps as lists of numpy calls) -> activations, losses, features,
datasets, optimizers (tables of named pieces) -> network (flat-parameter MLP) -> grid -> config
-> trainer (the public entry point).
"""

from app.engine import checkpoint
from app.engine.config import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    LIMITS,
    OPTIMIZERS,
    PROBLEMS,
    REGULARIZATIONS,
    ConfigError,
    TrainConfig,
    config_from_dict,
    config_to_dict,
    validate,
)
from app.engine.datasets import EXTENT
from app.engine.trainer import Trainer

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "EXTENT",
    "FEATURES",
    "LIMITS",
    "OPTIMIZERS",
    "PROBLEMS",
    "REGULARIZATIONS",
    "ConfigError",
    "TrainConfig",
    "Trainer",
    "checkpoint",
    "config_from_dict",
    "config_to_dict",
    "validate",
]
