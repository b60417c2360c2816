"""Learning happens, and a step size that is far too large ends in `diverged`, not an error."""

import math

import numpy as np
import pytest

from app.engine import TrainConfig, Trainer


def fit(epochs: int, **fields: object) -> Trainer:
    trainer = Trainer(TrainConfig(**fields))  # type: ignore[arg-type]
    trainer.train(epochs=epochs)
    assert trainer.status == "ok"
    return trainer


def test_spiral_two_layers_of_eight() -> None:
    t = fit(500, dataset="spiral", optimizer="adam", learning_rate=0.03, batch_size=25)
    assert t.metrics()["train_accuracy"] >= 0.95  # type: ignore[operator]


def test_xor_one_layer_of_four() -> None:
    t = fit(100, dataset="xor", hidden_layers=(4,), optimizer="sgd", learning_rate=0.1)
    assert t.metrics()["train_accuracy"] >= 0.97  # type: ignore[operator]


def test_multiclass_blobs() -> None:
    t = fit(
        50, dataset="blobs", classes=5, hidden_layers=(8,), optimizer="adam", learning_rate=0.03
    )
    assert t.metrics()["train_accuracy"] >= 0.95  # type: ignore[operator]


def test_three_arm_spiral() -> None:
    t = fit(
        300,
        dataset="spiral",
        classes=3,
        hidden_layers=(16, 16),
        optimizer="adam",
        learning_rate=0.01,
    )
    assert t.metrics()["train_accuracy"] >= 0.95  # type: ignore[operator]


@pytest.mark.parametrize("dataset", ["plane", "multigauss"])
def test_regression(dataset: str) -> None:
    t = fit(200, dataset=dataset, optimizer="adam", learning_rate=0.01)
    m = t.metrics()
    assert m["train_r2"] >= 0.95 and m["train_accuracy"] is None  # type: ignore[operator]


@pytest.mark.parametrize(
    "optimizer, rate", [("sgd", 0.1), ("momentum", 0.01), ("rmsprop", 0.01), ("adam", 0.01)]
)
def test_every_optimizer_lowers_the_loss(optimizer: str, rate: float) -> None:
    trainer = Trainer(TrainConfig(dataset="circle", optimizer=optimizer, learning_rate=rate))
    before = trainer.metrics()["train_loss"]
    trainer.train(epochs=20)
    assert trainer.metrics()["train_loss"] < 0.7 * before  # type: ignore[operator]


@pytest.mark.parametrize(
    "fields",
    [
        {"dataset": "plane"},
        {"dataset": "spiral", "activation": "linear"},
        {"dataset": "spiral", "activation": "leaky_relu", "hidden_layers": (32,) * 8},
    ],
)
def test_huge_learning_rate_diverges_cleanly(fields: dict[str, object]) -> None:
    trainer = Trainer(TrainConfig(learning_rate=10.0, **fields))  # type: ignore[arg-type]
    done = trainer.train(epochs=50)
    assert trainer.status == "diverged" and trainer.message
    assert done < 50 * trainer.steps_per_epoch
    assert np.isfinite(trainer.net.params).all()
    for value in trainer.metrics().values():
        assert value is None or math.isfinite(value)
    assert np.isfinite(trainer.grid(20)).all()
    assert trainer.train(steps=10) == 0  # stays stopped ...
    trainer.reconfigure(learning_rate=0.001)
    assert trainer.train(steps=10) == 0  # ... through live changes ...
    trainer.reset()
    assert trainer.status == "ok" and trainer.train(steps=10) == 10  # ... until a reset
