"""Reading a trainer snapshot safely: every leaf is checked before any of it reaches numpy.

A snapshot (snapshot_write.py writes its values) comes from outside the process, so `read`
checks each value's type, that it is finite, its range and its shape, and that the parts agree
with each other (the counters, the batch order, the optimizer's step count, the data's split).
A bad value raises SnapshotError naming its path, e.g. `trainer.optimizer.t` or
`trainer.order[3]`, with a sentence about the input; nothing else escapes.

Format 2 writes float arrays as base64 of little-endian float64 (exact, and half the size of
decimal text) and carries the data points themselves as rows (x1, x2, label or target; custom
points, which its config holds, as the `split` that shuffled them), so a run restores
identically whatever numpy draws from the seeds. Its integers that may pass 2**53 (the
generators' 128-bit `state` and `inc`) are decimal texts: JavaScript reads every JSON number as a
float64, and a snapshot must survive a page or a JS client parsing and writing it again. Format 1
wrote arrays as lists of numbers, those integers as numbers, and no points: its points are drawn
from the seeds again.
"""

import base64
import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.engine import datasets
from app.engine.config import LIMITS, ConfigError, TrainConfig, config_from_dict, validate
from app.engine.optimizers import TABLE as OPTIMIZERS
from app.engine.snapshot_write import F64, Points

Given = tuple[tuple[object, ...], Points]  # points and the data settings they belong to
VERSIONS = (1, 2)
VERSION = 2  # what snapshots are written in
COUNT_MAX = 2**53  # counters stay exact as float64 (the history, and JavaScript, hold them so)
DIGITS = re.compile(r"0|[1-9][0-9]{0,38}")  # a decimal text: ASCII digits, no sign or padding
TARGET_MAX = 1e3  # regression targets are within a few units; beyond this is not a real run
MESSAGE_MAX = 500
LAST_KEYS = ("data_loss", "grad_norm", "update_norm")
KEYS = {
    1: {"version", "config", "params", "backup", "initial", "optimizer", "rng", "initial_rng"}
    | {"counters", "order", "status", "message", "last"},
}
KEYS[2] = KEYS[1] | {"data"}


class SnapshotError(ConfigError):
    """A snapshot value that a real run could not have written; `field` is its path."""


@dataclass(frozen=True)
class State:
    """A checked snapshot, ready to load into a trainer."""

    config: TrainConfig
    points: Points | None  # None in format 1: draw them from the seeds
    params: F64
    backup: F64
    initial: F64
    opt_t: int
    buffers: dict[str, F64]
    rng: dict[str, Any]
    initial_rng: dict[str, Any]
    counters: tuple[int, int, int, int]  # step, epoch, examples_seen, position in the epoch
    order: NDArray[np.int64] | None
    status: str
    message: str | None
    last: dict[str, float | None]


def read(
    raw: object,
    version: int | None = None,
    expected: TrainConfig | None = None,
    path: str = "trainer",
) -> State:
    """Check `raw` (parsed JSON) leaf by leaf. `version` and `expected` are the enclosing
    document's format and config, if any: the trainer's must equal them."""
    obj = _object(raw, path)
    if "version" not in obj:  # it decides which keys the rest must have
        raise SnapshotError(f"{path}.version", f"{path}.version is required")
    v = _int(obj["version"], f"{path}.version", 1, VERSION)
    if version is not None and v != version:
        raise SnapshotError(
            f"{path}.version", f"{path}.version must equal the snapshot's, {version}"
        )
    _keys(obj, path, KEYS[v])
    config = _config(_given_points(obj["config"], expected), f"{path}.config")
    if expected is not None and config != expected:
        raise SnapshotError("config", f"config must equal {path}.config: the snapshot was altered")
    size = _size(config)
    points = _points(obj["data"], f"{path}.data", config) if v == 2 else None
    n_train = (
        len(points[0])
        if points is not None
        else datasets.train_size(_count(config), config.train_fraction)
    )
    counters = _counters(obj["counters"], f"{path}.counters", n_train)
    order = _order(obj["order"], f"{path}.order", n_train, counters[3])
    opt_t, buffers = _optimizer(obj["optimizer"], f"{path}.optimizer", config, size, v, counters[0])
    status = obj["status"]
    if status not in ("ok", "diverged"):
        raise SnapshotError(f"{path}.status", f"{path}.status must be 'ok' or 'diverged'")
    message = obj["message"]
    if not (message is None or (isinstance(message, str) and len(message) <= MESSAGE_MAX)):
        raise SnapshotError(
            f"{path}.message",
            f"{path}.message must be null or a text of at most {MESSAGE_MAX} characters",
        )
    return State(
        config=config,
        points=points,
        params=_vector(obj["params"], f"{path}.params", size, v),
        backup=_vector(obj["backup"], f"{path}.backup", size, v),
        initial=_vector(obj["initial"], f"{path}.initial", size, v),
        opt_t=opt_t,
        buffers=buffers,
        rng=_rng(obj["rng"], f"{path}.rng", v),
        initial_rng=_rng(obj["initial_rng"], f"{path}.initial_rng", v),
        counters=counters,
        order=order,
        status=status,
        message=message,
        last=_last(obj["last"], f"{path}.last"),
    )


# -- leaves ---------------------------------------------------------------------------------


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise SnapshotError(path, f"{path} must be an object")
    return value


def _keys(obj: Mapping[str, Any], path: str, keys: set[str]) -> None:
    missing, unknown = sorted(keys - set(obj)), sorted(set(obj) - keys)
    if missing:
        raise SnapshotError(f"{path}.{missing[0]}", f"{path}.{missing[0]} is required")
    if unknown:
        raise SnapshotError(f"{path}.{unknown[0]}", f"{path}.{unknown[0]} is not a known field")


def _int(value: object, path: str, lo: int, hi: int) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi):
        raise SnapshotError(path, f"{path} must be an integer between {lo} and {hi}")
    return value


def _big(value: object, path: str, lo: int, hi: int, version: int) -> int:
    """An integer that may pass 2**53: a JSON integer in format 1, a decimal text in format 2."""
    if version == 1:
        return _int(value, path, lo, hi)
    if not (isinstance(value, str) and DIGITS.fullmatch(value)):
        raise SnapshotError(
            path, f"{path} must be a text of decimal digits, an integer between {lo} and {hi}"
        )
    return _int(int(value), path, lo, hi)


def number(value: object, path: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    """A finite number in [lo, hi] as a float; ints too large for a float are refused."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**1023:
        value = float(value)
    if not (isinstance(value, float) and math.isfinite(value)):
        raise SnapshotError(path, f"{path} must be a finite number")
    if not lo <= value <= hi:
        raise SnapshotError(path, f"{path} must be between {lo:g} and {hi:g}")
    return value


def _vector(value: object, path: str, size: int, version: int) -> F64:
    """A float array of `size` finite values: base64 in format 2, a list in format 1."""
    if version == 1:
        if not (isinstance(value, list) and len(value) == size):
            raise SnapshotError(path, f"{path} must be a list of {size} numbers")
        return np.array([number(v, f"{path}[{i}]") for i, v in enumerate(value)], np.float64)
    a = unpack(value, path, "<f8", size).astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(a))
    if len(bad):
        raise SnapshotError(f"{path}[{bad[0]}]", f"{path}[{bad[0]}] must be a finite number")
    return a


NAMES = {"<f8": "float64 values", "<i8": "int64 values", "u1": "bytes"}


def unpack(value: object, path: str, dtype: str, size: int | None = None) -> NDArray[Any]:
    """A base64 text of little-endian `dtype` items, `size` of them if given; unchecked values."""
    what = NAMES[dtype]
    if not isinstance(value, str):
        raise SnapshotError(path, f"{path} must be a base64 text of {what}")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SnapshotError(path, f"{path} is not valid base64") from None
    width = np.dtype(dtype).itemsize
    if (size is None and len(data) % width) or (size is not None and len(data) != width * size):
        count = f"a whole number of {what}" if size is None else f"{size} {what}"
        raise SnapshotError(path, f"{path} must hold {count}")
    return np.frombuffer(data, dtype=dtype)


def _config(value: object, path: str) -> TrainConfig:
    obj = _object(value, path)
    for key, leaf in obj.items():
        _no_huge_ints(leaf, f"{path}.{key}")
    try:
        config = config_from_dict(dict(obj))
        if config.points is not None:  # kept from an earlier custom dataset: check them too
            if not isinstance(config.points, tuple):
                raise ConfigError("points", "points must be a list of [x1, x2, label]")
            validate(replace(config, dataset="custom"))
    except ConfigError as exc:
        field = f"{path}.{exc.field}"
        text = exc.message
        message = field + text[len(exc.field) :] if text.startswith(exc.field) else text
        raise SnapshotError(field, message if field in message else f"{field}: {text}") from None
    return config


def _given_points(raw: object, expected: TrainConfig | None) -> object:
    """A document writes `config.points` once, in its own config (`in_document`)."""
    if isinstance(raw, dict) and raw.get("points", ()) is None and expected and expected.points:
        return {**raw, "points": [list(p) for p in expected.points]}
    return raw


def _no_huge_ints(value: object, path: str) -> None:
    """Refuse integers no float can hold, anywhere in a value: they would overflow later."""
    if isinstance(value, int) and abs(value) >= 2**1023:
        raise SnapshotError(path, f"{path} is too large a number")
    if isinstance(value, list):
        for item in value:
            _no_huge_ints(item, path)


def _size(c: TrainConfig) -> int:
    """How many parameters the configured network has (weights and biases)."""
    sizes = [len(c.features), *c.hidden_layers, c.n_outputs]
    return sum((a + 1) * b for a, b in pairwise(sizes))


def _count(c: TrainConfig) -> int:
    return len(c.points or ()) if c.dataset == "custom" else c.n_samples


def _points(value: object, path: str, c: TrainConfig) -> Points:
    obj = _object(value, path)
    total = _count(c)
    n_train = datasets.train_size(total, c.train_fraction)
    if "split" in obj and c.dataset == "custom" and c.points is not None:
        _keys(obj, path, {"split"})
        table = np.asarray(c.points, dtype=np.float64).reshape(-1, 3)
        rows = table[_permutation(obj["split"], f"{path}.split", total)]  # (N, 3)
        train, test = rows[:n_train], rows[n_train:]
        labels = (train[:, 2].astype(np.int64), test[:, 2].astype(np.int64))
        return train[:, :2].copy(), labels[0], test[:, :2].copy(), labels[1]
    _keys(obj, path, {"train", "test"})
    parts = []
    for part, n in (("train", n_train), ("test", total - n_train)):
        rows = _vector(obj[part], f"{path}.{part}", 3 * n, 2).reshape(n, 3)
        x, y = rows[:, :2].copy(), rows[:, 2].copy()
        lo, hi = datasets.EXTENT
        if not ((lo <= x) & (x <= hi)).all():
            raise SnapshotError(f"{path}.{part}", f"{path}.{part} has points outside [-6, 6]²")
        if c.problem == "regression":
            if not (np.abs(y) <= TARGET_MAX).all():
                raise SnapshotError(
                    f"{path}.{part}", f"{path}.{part} has targets beyond ±{TARGET_MAX:g}"
                )
            parts += [x, y]
        else:
            if not ((y == np.round(y)) & (y >= 0) & (y < c.n_classes)).all():
                raise SnapshotError(
                    f"{path}.{part}",
                    f"{path}.{part} has labels that are not classes 0 to {c.n_classes - 1}",
                )
            parts += [x, y.astype(np.int64)]
    return parts[0], parts[1], parts[2], parts[3]


def _counters(value: object, path: str, n_train: int) -> tuple[int, int, int, int]:
    if not (isinstance(value, list) and len(value) == 4):
        raise SnapshotError(path, f"{path} must be [step, epoch, examples_seen, position]")
    step, epoch, seen, pos = (_int(v, f"{path}[{i}]", 0, COUNT_MAX) for i, v in enumerate(value))
    if pos >= n_train:
        raise SnapshotError(f"{path}[3]", f"{path}[3] (position) must be below {n_train}")
    if not epoch <= step <= seen <= step * int(LIMITS["batch_size"][1]) or pos > seen:
        raise SnapshotError(
            path, f"{path} do not agree: each step sees examples and each epoch takes steps"
        )
    return step, epoch, seen, pos


def _order(value: object, path: str, n_train: int, pos: int) -> NDArray[np.int64] | None:
    if value is None:
        if pos > 0:
            raise SnapshotError(path, f"{path} is required in the middle of an epoch")
        return None
    return _permutation(value, path, n_train)


def _permutation(value: object, path: str, n: int) -> NDArray[np.int64]:
    if not (isinstance(value, list) and len(value) == n):
        raise SnapshotError(path, f"{path} must be a list of {n} indices")
    for i, v in enumerate(value):
        _int(v, f"{path}[{i}]", 0, n - 1)
    order = np.array(value, dtype=np.int64)
    if len(np.unique(order)) != n:
        raise SnapshotError(path, f"{path} must hold each index from 0 to {n - 1} once")
    return order


def _optimizer(
    value: object, path: str, c: TrainConfig, size: int, version: int, step: int
) -> tuple[int, dict[str, F64]]:
    obj = _object(value, path)
    slots = OPTIMIZERS[c.optimizer].slots
    _keys(obj, path, {"t", *slots})
    t = _int(obj["t"], f"{path}.t", 0, step)  # adam counts its own steps since it started
    buffers = {k: _vector(obj[k], f"{path}.{k}", size, version) for k in slots}
    if "square" in buffers and (buffers["square"] < 0).any():
        raise SnapshotError(f"{path}.square", f"{path}.square must hold no negative values")
    return t, buffers


def _rng(value: object, path: str, version: int) -> dict[str, Any]:
    """A PCG64 state as numpy writes it (format 2: `rng_text`); its increment is always odd."""
    obj = _object(value, path)
    _keys(obj, path, {"bit_generator", "state", "has_uint32", "uinteger"})
    if obj["bit_generator"] != "PCG64":
        raise SnapshotError(f"{path}.bit_generator", f"{path}.bit_generator must be 'PCG64'")
    inner = _object(obj["state"], f"{path}.state")
    _keys(inner, f"{path}.state", {"state", "inc"})
    state = _big(inner["state"], f"{path}.state.state", 0, 2**128 - 1, version)
    inc = _big(inner["inc"], f"{path}.state.inc", 1, 2**128 - 1, version)
    if inc % 2 == 0:
        raise SnapshotError(f"{path}.state.inc", f"{path}.state.inc must be odd")
    return {
        "bit_generator": "PCG64",
        "state": {"state": state, "inc": inc},
        "has_uint32": _int(obj["has_uint32"], f"{path}.has_uint32", 0, 1),
        "uinteger": _int(obj["uinteger"], f"{path}.uinteger", 0, 2**32 - 1),
    }


def _last(value: object, path: str) -> dict[str, float | None]:
    obj = _object(value, path)
    _keys(obj, path, set(LAST_KEYS))
    lows = {"data_loss": -math.inf, "grad_norm": 0.0, "update_norm": 0.0}
    return {
        k: None if obj[k] is None else number(obj[k], f"{path}.{k}", lows[k]) for k in LAST_KEYS
    }
