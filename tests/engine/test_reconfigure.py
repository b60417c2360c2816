"""reconfigure kinds, data regeneration, grids, layers and custom points."""

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from app.engine import ConfigError, TrainConfig, Trainer


def trained(config: TrainConfig, steps: int = 20) -> Trainer:
    trainer = Trainer(config)
    trainer.train(steps=steps)
    return trainer


@pytest.mark.parametrize(
    "change",
    [
        {"learning_rate": 0.5},
        {"batch_size": 3},
        {"optimizer": "adam"},
        {"momentum": 0.5, "nesterov": True},
        {"regularization": "l2", "regularization_rate": 0.1},
        {"points": ((0.0, 0.0, 1), (1.0, 1.0, 0))},  # ignored unless dataset is custom
    ],
)
def test_live_changes_keep_weights_and_counters(small: TrainConfig, change: dict[str, Any]) -> None:
    trainer = trained(small)
    weights, step = trainer.net.params.copy(), trainer.step
    assert trainer.reconfigure(**change) == "live"
    assert np.array_equal(trainer.net.params, weights) and trainer.step == step
    assert trainer.train(steps=5) == 5


@pytest.mark.parametrize(
    "change",
    [
        {"data_seed": 7},
        {"noise": 0.3},
        {"n_samples": 300},
        {"train_fraction": 0.8},
        {"dataset": "moons"},  # still binary with one output
    ],
)
def test_data_changes_start_a_new_run(small: TrainConfig, change: dict[str, Any]) -> None:
    trainer = trained(small)
    trainer._opt.t = 99  # state a new run must not inherit
    points = trainer.x_train.copy()
    assert trainer.reconfigure(**change) == "data"
    fresh = Trainer(replace(small, **change))
    assert (trainer.step, trainer.epoch, trainer.examples_seen) == (0, 0, 0)
    assert trainer.status == "ok" and trainer._opt.t == 0
    assert np.array_equal(trainer.net.params, fresh.net.params)
    assert np.array_equal(trainer.x_train, fresh.x_train)
    assert not np.array_equal(trainer.x_train, points)
    assert trainer.train(epochs=1) == trainer.steps_per_epoch  # a fresh epoch begins
    fresh.train(epochs=1)
    assert np.array_equal(trainer.net.params, fresh.net.params)  # and replays as a new one


def test_new_data_ends_a_divergence(small: TrainConfig) -> None:
    trainer = Trainer(replace(small, learning_rate=10.0, dataset="plane"))
    trainer.train(epochs=30)
    assert trainer.status == "diverged"
    assert trainer.reconfigure(noise=0.2) == "data"
    assert (trainer.status, trainer.message, trainer.step) == ("ok", None, 0)


@pytest.mark.parametrize(
    "change",
    [
        {"hidden_layers": (4,)},
        {"activation": "relu"},
        {"features": ("x1", "x2", "sin_x1")},
        {"seed": 3},
        {"dataset": "plane"},  # regression: a different problem
        {"dataset": "blobs", "classes": 4},  # four outputs
    ],
)
def test_rebuilds_start_over(small: TrainConfig, change: dict[str, Any]) -> None:
    trainer = trained(small)
    assert trainer.reconfigure(**change) == "rebuild"
    fresh = Trainer(replace(small, **change))
    assert trainer.step == 0 and np.array_equal(trainer.net.params, fresh.net.params)


def test_classes_only_matter_where_used() -> None:
    trainer = trained(TrainConfig(dataset="xor"))
    assert trainer.reconfigure(classes=5) == "live"
    assert trainer.reconfigure(dataset="blobs") == "rebuild"  # now five outputs


def test_reseed_is_new_weights_and_back_again(small: TrainConfig) -> None:
    trainer = Trainer(small)
    start = trainer.net.params.copy()
    trainer.reconfigure(seed=12345)
    assert not np.array_equal(trainer.net.params, start)
    trainer.reconfigure(seed=small.seed)
    assert np.array_equal(trainer.net.params, start)


def test_bad_change_names_the_field_and_changes_nothing(small: TrainConfig) -> None:
    trainer = trained(small)
    with pytest.raises(ConfigError) as err:
        trainer.reconfigure(learning_rate=100.0)
    assert err.value.field == "learning_rate"
    assert err.value.message == "learning_rate must be between 1e-05 and 10"
    with pytest.raises(ConfigError) as err:
        trainer.reconfigure(colour="red")
    assert err.value.field == "colour"
    assert trainer.config == small


def test_grid_orientation_and_shapes() -> None:
    # Class 1 blob at (2, 2): the top-right of the picture, never the bottom-left.
    trainer = Trainer(TrainConfig(dataset="gauss", hidden_layers=(), learning_rate=0.1))
    trainer.train(epochs=20)
    g = trainer.grid(10)
    assert g.shape == (10, 10) and g.dtype == np.float32
    assert g[0, -1] > 0.99 and g[-1, 0] < 0.01
    assert 0.01 < g[0, 0] < 0.99 and 0.01 < g[-1, -1] < 0.99  # on the boundary's diagonal
    grids = trainer.neuron_grids(10)
    assert grids == []

    multi = Trainer(TrainConfig(dataset="blobs", classes=4, hidden_layers=(5, 3)))
    probs = multi.grid(7)
    assert probs.shape == (7, 7, 4)
    np.testing.assert_allclose(probs.sum(axis=2), 1.0, rtol=1e-5)
    assert [n.shape for n in multi.neuron_grids(7)] == [(7, 7, 5), (7, 7, 3)]


def test_grid_matches_the_float64_network(small: TrainConfig) -> None:
    trainer = trained(small, steps=50)
    from app.engine.features import feature_rows
    from app.engine.grid import grid_points

    z = trainer.net.predict(feature_rows(grid_points(9), small.features))
    expected = 1 / (1 + np.exp(-z[0])).reshape(9, 9)
    np.testing.assert_allclose(trainer.grid(9), expected, atol=1e-5)
    first = trainer.grid(9)
    trainer.train(steps=50)
    assert not np.array_equal(first, trainer.grid(9))  # results are fresh arrays, not views


def test_grid_resolution_is_checked(small: TrainConfig) -> None:
    with pytest.raises(ConfigError) as err:
        Trainer(small).grid(201)
    assert err.value.field == "resolution"


def test_layers_for_the_diagram(small: TrainConfig) -> None:
    shapes = [(w.shape, b.shape) for w, b in Trainer(small).layers()]
    assert shapes == [((2, 6), (6,)), ((6, 6), (6,)), ((6, 1), (1,))]


def test_custom_points() -> None:
    points = ((-3.0, -3.0, 0), (3.0, 3.0, 1), (-2.0, -3.5, 0), (2.5, 3.0, 1))
    binary = TrainConfig(dataset="custom", points=points, hidden_layers=(), batch_size=2)
    assert binary.problem == "binary"
    trainer = Trainer(binary)
    assert len(trainer.x_train) == 2 and len(trainer.x_test) == 2
    trainer.train(epochs=50)
    assert trainer.metrics()["train_accuracy"] == 1.0

    multi = TrainConfig(dataset="custom", points=((0.0, 0.0, 0), (1.0, 1.0, 3)))
    assert (multi.problem, multi.n_outputs) == ("multiclass", 4)
    Trainer(multi).train(steps=3)
