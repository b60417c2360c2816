"""Snapshots carry their points, restore whatever the seeds would draw, and refuse bad leaves."""

import json
from typing import Any

import numpy as np
import pytest

from app.engine import TrainConfig, Trainer, checkpoint, datasets, snapshot, snapshot_write
from app.engine.snapshot import SnapshotError

CONFIG = TrainConfig(dataset="blobs", classes=3, n_samples=90, optimizer="adam", batch_size=10)


def trace(trainer: Trainer, chunks: int = 5, steps: int = 7) -> list[float | None]:
    out = []
    for _ in range(chunks):
        trainer.train(steps=steps)
        out.append(trainer.metrics()["train_loss"])
    return out


def other_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the seeds draw other points, as another numpy version may."""
    draw = datasets.GENERATORS["blobs"]

    def shifted(rng: np.random.Generator, n: int, noise: float, classes: int) -> Any:
        x, y = draw(rng, n, noise, classes)
        return np.clip(x + 0.5, *datasets.EXTENT), y

    monkeypatch.setitem(datasets.GENERATORS, "blobs", shifted)


def test_a_restored_run_keeps_its_points_when_the_seeds_draw_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = Trainer(CONFIG)
    trainer.train(steps=11)  # mid-epoch
    snap = json.loads(json.dumps(trainer.snapshot(), allow_nan=False))
    other_numpy(monkeypatch)
    assert not np.array_equal(Trainer(CONFIG).x_train, trainer.x_train)  # the seeds moved
    restored = Trainer.restore(snap)
    assert np.array_equal(restored.x_train, trainer.x_train)
    assert np.array_equal(restored.y_test, trainer.y_test)
    assert restored.y_train.dtype == np.int64
    assert trace(restored) == trace(trainer)
    restored.reconfigure(hidden_layers=(4,))  # a new network, the same data settings
    assert np.array_equal(restored.x_train, trainer.x_train)
    restored.reconfigure(noise=0.1)  # new data settings: drawn from the seeds
    assert not np.array_equal(restored.x_train, trainer.x_train)


def test_a_branch_from_a_checkpoint_keeps_the_imported_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = Trainer(CONFIG)
    trainer.train(steps=5)
    snap = trainer.snapshot()
    other_numpy(monkeypatch)
    restored = Trainer.restore(snap)
    cp = checkpoint.take(restored)
    branch = Trainer(cp.config)  # as the branch route builds it: from the seeds
    checkpoint.restore(branch, cp)
    assert np.array_equal(branch.x_train, trainer.x_train)
    assert trace(branch) == trace(trainer)


def test_the_points_are_compact_and_exact() -> None:
    trainer = Trainer(TrainConfig(dataset="plane", n_samples=5000, train_fraction=0.9))
    snap = trainer.snapshot()
    text = snap["data"]["train"] + snap["data"]["test"]
    assert len(text) == 4 * 5000 * 3 * 8 // 3  # base64 of (x1, x2, target) as float64
    restored = Trainer.restore(json.loads(json.dumps(snap)))
    assert np.array_equal(restored.y_train, trainer.y_train)


def test_a_first_format_snapshot_draws_its_points_from_the_seeds() -> None:
    trainer = Trainer(CONFIG)
    trainer.train(steps=3)
    snap = trainer.snapshot()
    old: dict[str, Any] = {k: v for k, v in snap.items() if k != "data"}
    old["params"] = trainer.net.params.tolist()
    old["backup"] = trainer._backup.tolist()
    old["initial"] = trainer._initial.tolist()
    buffers = {k: b.tolist() for k, b in trainer._opt.buffers.items()}
    old["optimizer"] = {"t": trainer._opt.t, **buffers}
    old["rng"] = trainer._rng.bit_generator.state  # 128-bit integers as numbers
    old["initial_rng"] = trainer._initial_rng
    old["version"] = 1
    restored = Trainer.restore(old)
    assert np.array_equal(restored.x_train, trainer.x_train)
    assert trace(restored) == trace(trainer)


def test_huge_but_finite_weights_diverge_instead_of_crashing() -> None:
    trainer = Trainer(CONFIG)
    snap = trainer.snapshot()
    snap["params"] = snapshot_write.encode(np.full(len(trainer.net.params), 1e300))
    restored = Trainer.restore(snap)
    assert restored.train(steps=3) == 0
    assert restored.status == "diverged"
    assert all(v is None or np.isfinite(v) for v in restored.metrics().values())
    assert np.isfinite(restored.grid(10)).all()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"counters": [5, 9, 50, 0]}, "trainer.counters"),  # more epochs than steps
        ({"counters": [5, 0, 50, 45]}, "trainer.counters[3]"),  # past the 45 training points
        ({"optimizer": {"t": 0, "mean": "", "square": ""}}, "trainer.optimizer.mean"),
        ({"rng": {**Trainer(CONFIG).snapshot()["rng"], "has_uint32": 2}}, "trainer.rng.has_uint32"),
        ({"last": {"data_loss": None, "grad_norm": None}}, "trainer.last.update_norm"),
        ({"status": "exploded"}, "trainer.status"),
        (
            {"config": {**Trainer(CONFIG).snapshot()["config"], "points": [[0, 0, 9]]}},
            "trainer.config.points",
        ),
    ],
)
def test_bad_leaves_name_their_path(change: dict[str, Any], field: str) -> None:
    snap = {**Trainer(CONFIG).snapshot(), **change}
    with pytest.raises(SnapshotError) as caught:
        Trainer.restore(snap)
    assert caught.value.field == field
    assert field in caught.value.message


def test_a_snapshot_that_is_not_an_object_names_the_trainer() -> None:
    with pytest.raises(SnapshotError) as caught:
        snapshot.read([1])
    assert (caught.value.field, caught.value.message) == ("trainer", "trainer must be an object")


def test_the_generators_128_bit_integers_are_decimal_texts() -> None:
    trainer = Trainer(CONFIG)
    trainer.train(steps=3)
    snap = trainer.snapshot()
    state = trainer._rng.bit_generator.state["state"]
    assert snap["rng"]["state"] == {"state": str(state["state"]), "inc": str(state["inc"])}
    assert state["state"] > 2**53  # what JavaScript would round, were it a number
    restored = Trainer.restore(json.loads(json.dumps(snap)))
    assert restored._rng.bit_generator.state == trainer._rng.bit_generator.state
    assert trace(restored) == trace(trainer)


@pytest.mark.parametrize(
    "value", [5, -1, "-1", "+5", "1e5", "5.0", " 5", "05", "0x5", "1_5", "\u0665", "", str(2**128)]
)
def test_a_generator_integer_must_be_a_decimal_text_in_range(value: object) -> None:
    snap = Trainer(CONFIG).snapshot()
    snap["initial_rng"]["state"]["state"] = value
    with pytest.raises(SnapshotError) as caught:
        Trainer.restore(snap)
    assert caught.value.field == "trainer.initial_rng.state.state"
    assert caught.value.message.startswith("trainer.initial_rng.state.state must be")


CUSTOM = TrainConfig(
    dataset="custom",
    points=tuple((i / 7 - 4.0, (i * 37 % 50) / 5 - 5.0, i % 3) for i in range(56)),
    batch_size=8,
)


def test_custom_points_are_written_as_their_split_and_restore_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trainer = Trainer(CUSTOM)
    trainer.train(steps=3)
    snap = json.loads(json.dumps(trainer.snapshot()))
    split = snap["data"]["split"]
    assert sorted(split) == list(range(56)) and split != list(range(56))
    table = np.asarray(CUSTOM.points)
    assert np.array_equal(table[split[: trainer.n_train], :2], trainer.x_train)

    def reversed_split(rng: np.random.Generator, x: Any, y: Any, fraction: float) -> Any:
        cut = datasets.train_size(len(x), fraction)
        return x[::-1][:cut], y[::-1][:cut], x[::-1][cut:], y[::-1][cut:]

    monkeypatch.setattr(datasets, "split", reversed_split)  # the seeds would shuffle otherwise
    restored = Trainer.restore(snap)
    assert np.array_equal(restored.x_train, trainer.x_train)
    assert np.array_equal(restored.y_test, trainer.y_test) and restored.y_test.dtype == np.int64
    assert trace(restored) == trace(trainer)


@pytest.mark.parametrize(
    ("split", "field"),
    [
        ([0] * 56, "trainer.data.split"),
        (list(range(55)), "trainer.data.split"),
        ([*range(55), 56], "trainer.data.split[55]"),
        ("AAAA", "trainer.data.split"),
    ],
)
def test_a_split_must_be_a_permutation_of_the_points(split: object, field: str) -> None:
    snap = Trainer(CUSTOM).snapshot()
    snap["data"] = {"split": split}
    with pytest.raises(SnapshotError) as caught:
        Trainer.restore(snap)
    assert caught.value.field == field


def test_a_document_writes_the_custom_points_once() -> None:
    snap = Trainer(CUSTOM).snapshot()
    held = snapshot_write.in_document(snap)
    assert held["config"]["points"] is None and snap["config"]["points"] is not None
    assert Trainer.restore(held, 2, CUSTOM).x_train.shape == (Trainer(CUSTOM).n_train, 2)
    with pytest.raises(SnapshotError) as caught:  # alone, the points are missing
        Trainer.restore(held)
    assert caught.value.field == "trainer.config.points"
