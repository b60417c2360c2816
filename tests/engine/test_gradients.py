"""Backpropagation against central finite differences, in float64.

Every hidden activation x every output/loss x every penalty. Tolerance: rtol 1e-5, atol 1e-7;
central differences with eps 1e-6 err by about eps^2 * f''' + 1e-16 / eps, far below that.
relu-family kinks only break the check if a pre-activation lies within eps of 0, which the
seeded random data keeps well clear of.
"""

import itertools

import numpy as np
import pytest

from app.engine import ACTIVATIONS, PROBLEMS, REGULARIZATIONS, TrainConfig, Trainer
from app.engine.losses import OUTPUTS, PENALTIES
from app.engine.network import Network, Workspace

EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-7
RATE = 0.05


def batch(problem: str, rng: np.random.Generator, n: int = 7) -> tuple[np.ndarray, np.ndarray]:
    x = np.vstack([rng.uniform(-2, 2, (3, n)), np.ones((1, n))])  # 3 features + the ones row
    if problem == "multiclass":
        t = np.eye(4)[rng.integers(0, 4, n)].T  # (4, n) one-hot
    elif problem == "binary":
        t = rng.integers(0, 2, (1, n)).astype(float)
    else:
        t = rng.normal(0, 1, (1, n))
    return x, t


def objective(net: Network, x: np.ndarray, t: np.ndarray, reg: str) -> float:
    data = net.output.loss(net.predict(x), t)
    return data + PENALTIES[reg].value(net.params, net.weight_mask, RATE)


@pytest.mark.parametrize(
    "activation, problem, reg", list(itertools.product(ACTIVATIONS, PROBLEMS, REGULARIZATIONS))
)
def test_backprop_matches_finite_differences(activation: str, problem: str, reg: str) -> None:
    rng = np.random.default_rng(1)
    k = 4 if problem == "multiclass" else 1
    net = Network([3, 5, 4, k], activation, problem, rng)
    net.params += rng.normal(0, 0.1, net.params.shape)  # nonzero biases too
    x, t = batch(problem, rng)
    assert net.backprop(Workspace(net, x.shape[1]), x, t)
    analytic = net.grads.copy()
    PENALTIES[reg].grad(net.params, RATE * net.weight_mask, analytic, np.empty_like(analytic))

    numeric = np.empty_like(analytic)
    for i in range(len(net.params)):
        keep = net.params[i]
        net.params[i] = keep + EPS
        up = objective(net, x, t, reg)
        net.params[i] = keep - EPS
        down = objective(net, x, t, reg)
        net.params[i] = keep
        numeric[i] = (up - down) / (2 * EPS)
    np.testing.assert_allclose(analytic, numeric, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("reg", REGULARIZATIONS)
def test_trainer_step_follows_the_full_objective_gradient(reg: str) -> None:
    """One full-batch SGD step through the Trainer moves the weights by -lr * gradient."""
    config = TrainConfig(
        dataset="blobs",
        classes=3,
        n_samples=60,
        hidden_layers=(5,),
        batch_size=5000,  # more than the training set: one full batch
        regularization=reg,
        regularization_rate=RATE,
    )
    trainer = Trainer(config)
    net, before = trainer.net, trainer.net.params.copy()
    lr = trainer.config.learning_rate
    x, t = trainer._x_train, trainer._t_train

    numeric = np.empty_like(before)
    for i in range(len(before)):
        net.params[i] = before[i] + EPS
        up = objective(net, x, t, reg)
        net.params[i] = before[i] - EPS
        down = objective(net, x, t, reg)
        net.params[i] = before[i]
        numeric[i] = (up - down) / (2 * EPS)
    assert trainer.train(steps=1) == 1
    np.testing.assert_allclose((before - net.params) / lr, numeric, rtol=RTOL, atol=ATOL)


def test_outputs_are_probabilities() -> None:
    z = np.random.default_rng(0).normal(0, 30, (4, 9))
    y, col = np.empty_like(z), np.empty((1, 9))
    OUTPUTS["multiclass"].activate(z, y, col)
    np.testing.assert_allclose(y.sum(axis=0), 1.0, rtol=1e-12)
    OUTPUTS["binary"].activate(z, y, col)
    assert ((y >= 0) & (y <= 1)).all()
