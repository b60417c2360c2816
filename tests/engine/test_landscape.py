"""The loss landscape: its plane, its grid and the path projected on it."""

import numpy as np
import pytest

from app.engine import TrainConfig, Trainer
from app.engine import landscape as ls


def trained(config: TrainConfig, epochs: int) -> tuple[Trainer, list[np.ndarray]]:
    t = Trainer(config)
    path = [t.net.params.copy()]
    for _ in range(epochs):
        t.train(epochs=1)
        path.append(t.net.params.copy())
    return t, path


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"dataset": "blobs", "classes": 3, "activation": "relu"},
        {"dataset": "plane", "activation": "sigmoid", "hidden_layers": (5,)},
    ],
)
def test_the_centre_cell_is_the_runs_training_loss(small: TrainConfig, changes: dict) -> None:
    t, path = trained(TrainConfig(**{**small.__dict__, **changes}), 6)
    p = ls.plane(t.net.params, path, t.net.sizes, t.config.seed)
    s = ls.surface(ls.task(t), p, 21)
    assert s.values.shape == (21, 21)
    assert s.values[10, 10] == pytest.approx(t.metrics()["train_loss"], rel=1e-9)
    assert s.points == t.n_train and not s.capped
    assert (s.values >= 0).all() and np.ptp(s.values) > 0  # a surface, not a constant


def test_the_float32_grid_agrees_with_float64() -> None:
    t, path = trained(TrainConfig(n_samples=200), 5)
    p = ls.plane(t.net.params, path, t.net.sizes, 0)
    task = ls.task(t)
    a, b = np.linspace(-p.ranges[0], p.ranges[0], 7), np.linspace(p.ranges[1], -p.ranges[1], 7)
    fast = ls.losses(task, p, a, b, ls.Batch(task, 7, np.float32))
    exact = ls.losses(task, p, a, b, ls.Batch(task, 7, np.float64))
    np.testing.assert_allclose(fast, exact, rtol=1e-4)


def test_a_straight_path_is_one_axis() -> None:
    t = Trainer(TrainConfig(n_samples=100))
    centre = t.net.params.copy()
    rng = np.random.default_rng(1)
    step = rng.standard_normal(len(centre))
    path = [centre + k * step for k in (-5.0, -3.0, -2.0, -1.0, 0.0)]
    p = ls.plane(centre, path, t.net.sizes, 0)
    assert p.kind == "pca"
    assert p.explained[0] == pytest.approx(1.0, abs=1e-9)
    assert p.explained[1] == pytest.approx(0.0, abs=1e-9)
    a, b = p.project(path[0])
    assert a < 0 and b == pytest.approx(0.0, abs=1e-9)  # the start on the left, on the axis
    assert p.ranges[0] >= abs(a) and p.ranges[1] > 0  # the path fits, the plane is 2-D


def test_a_short_path_gets_filter_normalised_random_directions() -> None:
    t, path = trained(TrainConfig(n_samples=100), 1)
    p = ls.plane(t.net.params, path, t.net.sizes, 3)
    assert p.kind == "random"
    for d in p.directions:
        for w, v in zip(ls.blocks(p.centre, t.net.sizes), ls.blocks(d, t.net.sizes), strict=True):
            np.testing.assert_allclose(
                np.linalg.norm(v[:, :-1], axis=1), np.linalg.norm(w[:, :-1], axis=1)
            )
            assert not v[:, -1].any()  # biases stay put
    assert p.ranges[0] >= 1.0 and p.ranges[1] >= 1.0
    same = ls.plane(t.net.params, path, t.net.sizes, 3)
    np.testing.assert_array_equal(same.directions, p.directions)  # deterministic from the seed


def test_overflow_is_capped_and_flagged() -> None:
    t, path = trained(TrainConfig(dataset="plane", n_samples=100, activation="relu"), 4)
    p = ls.plane(t.net.params, path, t.net.sizes, 0)
    far = ls.Plane(p.centre, p.directions * 1e6, p.explained, p.ranges, p.kind)
    s = ls.surface(ls.task(t), far, 11)
    assert s.capped
    assert np.isfinite(s.values).all() and s.values.max() == ls.CAP


def test_a_bounded_budget_measures_fewer_points() -> None:
    t, path = trained(TrainConfig(n_samples=1000), 3)
    p = ls.plane(t.net.params, path, t.net.sizes, 0)
    per_point = 11 * 11 * ls.parameters(t.net.sizes)
    s = ls.surface(ls.task(t), p, 11, work=per_point * 100)
    assert s.points == 100
    assert ls.surface(ls.task(t), p, 11, work=1).points == ls.MIN_POINTS
