"""Same seeds, same run: repeats, resets, and snapshots through JSON replay bit for bit."""

import json
from dataclasses import replace

import numpy as np

from app.engine import TrainConfig, Trainer


def trace(trainer: Trainer, chunks: int = 6, steps: int = 7) -> list[float | None]:
    out = []
    for _ in range(chunks):
        trainer.train(steps=steps)
        out.append(trainer.metrics()["train_loss"])
    return out


def test_same_config_same_trace(small: TrainConfig) -> None:
    assert trace(Trainer(small)) == trace(Trainer(small))


def test_different_seed_different_start(small: TrainConfig) -> None:
    a, b = Trainer(small), Trainer(replace(small, seed=1))
    assert not np.array_equal(a.net.params, b.net.params)


def test_reset_replays_exactly(small: TrainConfig) -> None:
    trainer = Trainer(small)
    start = trainer.net.params.copy()
    first = trace(trainer)
    trainer.reset()
    assert np.array_equal(trainer.net.params, start)
    assert (trainer.step, trainer.epoch, trainer.examples_seen) == (0, 0, 0)
    assert trainer.metrics()["grad_norm"] is None
    assert trace(trainer) == first


def test_reset_after_live_changes_keeps_them(small: TrainConfig) -> None:
    trainer = Trainer(small)
    trainer.train(steps=5)
    trainer.reconfigure(optimizer="adam", learning_rate=0.01)
    trainer.train(steps=5)
    trainer.reset()
    fresh = Trainer(replace(small, optimizer="adam", learning_rate=0.01))
    assert trace(trainer) == trace(fresh)


def test_snapshot_round_trips_through_json_mid_epoch() -> None:
    for optimizer in ("sgd", "momentum", "rmsprop", "adam"):
        config = TrainConfig(
            dataset="blobs", classes=3, n_samples=90, optimizer=optimizer, nesterov=True
        )
        trainer = Trainer(config)
        trainer.train(steps=11)  # mid-epoch: 45 training points in batches of 10
        snap = json.loads(json.dumps(trainer.snapshot()))
        restored = Trainer.restore(snap)
        assert restored.metrics() == trainer.metrics()
        assert trace(restored) == trace(trainer)
        assert np.array_equal(restored.net.params, trainer.net.params)
        trainer.reset()
        restored.reset()
        assert trace(restored) == trace(trainer)


def test_snapshot_is_plain_json(small: TrainConfig) -> None:
    trainer = Trainer(small)
    trainer.train(steps=3)
    text = json.dumps(trainer.snapshot(), allow_nan=False)  # raises on NaN or inf
    assert json.loads(text)["config"]["hidden_layers"] == [6, 6]


def test_epochs_complete_boundaries(small: TrainConfig) -> None:
    trainer = Trainer(small)  # 60 training points, batches of 8: 8 steps per epoch
    assert trainer.steps_per_epoch == 8
    assert trainer.train(steps=3) == 3
    assert trainer.train(epochs=1) == 5 and trainer.epoch == 1
    assert trainer.train(epochs=2) == 16 and trainer.epoch == 3
    assert trainer.examples_seen == 3 * 60


def test_batch_larger_than_training_set_is_full_batch(small: TrainConfig) -> None:
    trainer = Trainer(replace(small, batch_size=5000))
    assert trainer.steps_per_epoch == 1
    assert trainer.train(epochs=3) == 3 and trainer.examples_seen == 3 * trainer.n_train
