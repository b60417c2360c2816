"""Configuration: limits, derived problem, dict round trips and error messages."""

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    LIMITS,
    OPTIMIZERS,
    REGULARIZATIONS,
    ConfigError,
    TrainConfig,
    Trainer,
    config_from_dict,
    config_to_dict,
    validate,
)

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bounded(field: str) -> st.SearchStrategy[float]:
    lo, hi = LIMITS[field]
    return st.floats(lo, hi, allow_nan=False)


def whole(field: str) -> st.SearchStrategy[int]:
    lo, hi = LIMITS[field]
    return st.integers(int(lo), int(hi))


points = st.lists(
    st.tuples(st.floats(-6, 6), st.floats(-6, 6), whole("label")), min_size=2, max_size=40
).map(tuple)

configs = st.builds(
    TrainConfig,
    dataset=st.sampled_from(DATASETS),
    classes=whole("classes"),
    n_samples=whole("n_samples"),
    noise=bounded("noise"),
    train_fraction=bounded("train_fraction"),
    data_seed=whole("data_seed"),
    points=points,
    features=st.lists(st.sampled_from(FEATURES), min_size=1, unique=True).map(tuple),
    hidden_layers=st.lists(whole("neurons"), max_size=8).map(tuple),
    activation=st.sampled_from(ACTIVATIONS),
    optimizer=st.sampled_from(OPTIMIZERS),
    learning_rate=bounded("learning_rate"),
    momentum=bounded("momentum"),
    nesterov=st.booleans(),
    batch_size=whole("batch_size"),
    regularization=st.sampled_from(REGULARIZATIONS),
    regularization_rate=bounded("regularization_rate"),
    seed=whole("seed"),
)


@SETTINGS
@given(config=configs, steps=st.integers(0, 12), resolution=st.integers(1, 24))
def test_any_valid_config_runs(config: TrainConfig, steps: int, resolution: int) -> None:
    trainer = Trainer(config)
    assert trainer.train(steps=steps) <= steps
    assert trainer.status in ("ok", "diverged")
    metrics = trainer.metrics()
    assert all(v is None or math.isfinite(v) for v in metrics.values())
    grid = trainer.grid(resolution)
    k = config.n_outputs
    assert grid.shape == ((resolution,) * 2 if k == 1 else (resolution, resolution, k))
    assert len(trainer.neuron_grids(resolution)) == len(config.hidden_layers)
    json.dumps(trainer.snapshot(), allow_nan=False)


BAD_VALUES: dict[str, list[Any]] = {
    "dataset": ["circles", 3],
    "classes": [1, 7, 2.0, True],
    "n_samples": [9, 5001, "500"],
    "noise": [-0.1, 0.51, math.nan, math.inf],
    "train_fraction": [0.05, 0.95],
    "data_seed": [-1, 2**32],
    "features": [(), ("x3",), ("x1", "x1"), "x1"],
    "hidden_layers": [(0,), (33,), (4,) * 9, (4.0,)],
    "activation": ["softmax"],
    "optimizer": ["lbfgs"],
    "learning_rate": [0.0, 1e-6, 11.0, math.nan],
    "momentum": [-0.1, 1.0],
    "nesterov": [1, "yes"],
    "batch_size": [0, 5001, 1.5],
    "regularization": ["l3"],
    "regularization_rate": [-1.0, 10.5],
    "seed": [-5, 2**33],
}


@SETTINGS
@given(data=st.data())
def test_invalid_values_name_their_field(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    value = data.draw(st.sampled_from(BAD_VALUES[field]))
    base = config_to_dict(data.draw(configs))
    with pytest.raises(ConfigError) as err:
        config_from_dict({**base, field: value})
    assert err.value.field == field and field in err.value.message


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [(0.0, 0.0, 0)],  # too few
        [(0.0, 0.0, 0)] * 5001,  # too many
        [(0.0, 0.0, 0), (1.0, 1.0)],  # not a triple
        [(0.0, 0.0, 0), (math.nan, 1.0, 1)],
        [(0.0, 0.0, 0), (7.0, 1.0, 1)],  # outside the square
        [(0.0, 0.0, 0), (1.0, 1.0, 6)],  # label too large
        [(0.0, 0.0, 0), (1.0, 1.0, 0.5)],  # label not an integer
    ],
)
def test_custom_points_are_checked(bad: object) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict({"dataset": "custom", "points": bad})
    assert err.value.field == "points"


def test_points_are_ignored_unless_custom() -> None:
    validate(TrainConfig(dataset="xor", points=((99.0, 0.0, 9),)))


def test_messages_are_plain() -> None:
    with pytest.raises(ConfigError) as err:
        validate(TrainConfig(data_seed=-1))
    assert err.value.message == "data_seed must be between 0 and 4294967295"
    assert str(err.value) == err.value.message


@pytest.mark.parametrize(
    "fields, problem, outputs",
    [
        ({"dataset": "spiral"}, "binary", 1),
        ({"dataset": "spiral", "classes": 4}, "multiclass", 4),
        ({"dataset": "blobs", "classes": 2}, "binary", 1),
        ({"dataset": "xor", "classes": 5}, "binary", 1),  # two-class sets ignore classes
        ({"dataset": "plane"}, "regression", 1),
        ({"dataset": "custom", "points": ((0.0, 0.0, 1), (1.0, 1.0, 1))}, "binary", 1),
        ({"dataset": "custom", "points": ((0.0, 0.0, 0), (1.0, 1.0, 5))}, "multiclass", 6),
    ],
)
def test_problem_is_derived(fields: dict[str, Any], problem: str, outputs: int) -> None:
    config = TrainConfig(**fields)
    assert (config.problem, config.n_outputs) == (problem, outputs)


@SETTINGS
@given(config=configs)
def test_dict_round_trip_is_json_safe(config: TrainConfig) -> None:
    d = json.loads(json.dumps(config_to_dict(config)))
    assert config_from_dict(d) == config
