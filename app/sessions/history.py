"""The loss history of a session: numpy columns with a bound, thinned evenly.

Python dicts per point would cost ~600 bytes each; a float64 column costs 8, so a session with a
full history stays far below the 1 MB budget. Rows are kept for every `stride`-th point; when
they reach the bound, every other row goes and the stride doubles, so the kept points stay
evenly spread over the whole run. The latest point is always kept too, as the tail.
A snapshot keeps the points as columns of base64 (format 2: a full history of the largest run
is about 260 kB, well inside a request) or as a list of objects (format 1, still read);
either is checked value by value, and a bad one names its path (`history.step[3]`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.engine import LIMITS
from app.engine.snapshot import COUNT_MAX, VERSION, SnapshotError, number, unpack
from app.engine.snapshot_write import encode

COLUMNS = (
    "step",
    "epoch",
    "examples_seen",
    "train_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
    "train_r2",
    "test_r2",
    "update_norm",
    "learning_rate",
    "boundary_change",
    "diverged",
)
COUNTERS = COLUMNS[:3]
PATH = "history"  # where a snapshot keeps it: error fields are paths from there
INF = math.inf
RANGES: dict[str, tuple[float, float]] = {  # the values a real run records
    "train_loss": (-INF, INF),
    "test_loss": (-INF, INF),
    "train_accuracy": (0.0, 1.0),
    "test_accuracy": (0.0, 1.0),
    "train_r2": (-INF, 1.0),
    "test_r2": (-INF, 1.0),
    "update_norm": (0.0, INF),
    "learning_rate": LIMITS["learning_rate"],
    "boundary_change": (0.0, INF),
}
START_ROWS = 64
FLAGS = ("diverged",)


class History:
    def __init__(self, bound: int) -> None:
        self.bound = max(bound, 4)
        # (capacity, columns): grown by doubling up to bound + 1 rows, so a short run stays small
        self.clear()

    def clear(self) -> None:
        self.data = np.full((min(START_ROWS, self.bound), len(COLUMNS)), np.nan)
        self.size = 0  # rows in use
        self.stride = 1  # a row is kept for every stride-th point
        self.tail: np.ndarray[Any, np.dtype[np.float64]] | None = None  # the latest, off-stride
        self.recorded = 0  # points ever appended, thinned or not

    def append(self, point: dict[str, Any]) -> int:
        """Add one point; return its index in the whole run (0, 1, 2, …)."""
        index = self.recorded
        self.recorded += 1
        row = np.array([np.nan if point.get(n) is None else point[n] for n in COLUMNS], float)
        self.tail = None
        if index % self.stride == 0 and self.size == self.data.shape[0]:
            if self.size < self.bound:
                grown = np.full((min(2 * self.size, self.bound), len(COLUMNS)), np.nan)
                grown[: self.size] = self.data
                self.data = grown
            else:
                self._thin()
        if index % self.stride:
            self.tail = row
        else:
            self.data[self.size] = row
            self.size += 1
        return index

    def _thin(self) -> None:
        keep = self.data[: self.size : 2].copy()
        self.data[:] = np.nan
        self.data[: len(keep)] = keep
        self.size = len(keep)
        self.stride *= 2

    def _rows(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        rows = self.data[: self.size]
        return rows if self.tail is None else np.vstack([rows, self.tail])

    def column(self, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        """One column over the kept points (NaN where unknown)."""
        return self._rows()[:, COLUMNS.index(name)]

    def truncate(self, step: int) -> None:
        """Drop the points recorded after `step` (a rewind)."""
        if self.tail is not None and self.tail[0] > step:
            self.tail = None
        if self.tail is None:
            keep = int(np.searchsorted(self.data[: self.size, 0], step, side="right"))
            self.data[keep : self.size] = np.nan
            self.size = keep
            self.recorded = (keep - 1) * self.stride + 1 if keep else 0

    @property
    def thinned(self) -> bool:
        return self.recorded > len(self._rows())

    def points(self) -> list[dict[str, Any]]:
        rows = self._rows().tolist()
        return [
            {
                name: (
                    int(v)
                    if name in COUNTERS
                    else bool(v == 1.0)
                    if name in FLAGS
                    else None
                    if math.isnan(v)
                    else v
                )
                for name, v in zip(COLUMNS, row, strict=True)
            }
            for row in rows
        ]

    def csv(self) -> str:
        lines = [",".join(COLUMNS)]
        for point in self.points():
            lines.append(",".join("" if point[c] is None else repr(point[c]) for c in COLUMNS))
        return "\n".join(lines) + "\n"

    def snapshot(self) -> dict[str, Any]:
        """The kept points as columns (format 2): counters base64 int64, values base64 float64
        with NaN for none (null when a column has no value at all), flags packed as bits."""
        rows = self._rows()  # (N, C)
        out: dict[str, Any] = {"recorded": self.recorded}
        for i, name in enumerate(COLUMNS):
            column = rows[:, i]
            if name in COUNTERS:
                out[name] = encode(column, "<i8")
            elif name in FLAGS:
                out[name] = encode(np.packbits(column == 1.0, bitorder="little"), "u1")
            else:
                out[name] = None if np.isnan(column).all() else encode(column)
        return out

    @classmethod
    def restore(
        cls,
        snapshot: object,
        bound: int,
        counters: tuple[int, int, int] | None = None,
        version: int = VERSION,
    ) -> History:
        """The history a snapshot holds (`version` is the snapshot's format); a SnapshotError
        naming the path of the first bad value. Points must be in order and, given the
        trainer's `counters` (step, epoch, examples_seen), none may lie beyond them."""
        obj = _object(snapshot, PATH)
        _keys(obj, {"recorded", "points"} if version == 1 else {"recorded", *COLUMNS})
        if version == 1:
            points = obj["points"]
            if not isinstance(points, list):
                raise SnapshotError(f"{PATH}.points", f"{PATH}.points must be a list")
            rows = np.empty((len(points), len(COLUMNS)))  # (N, C)
            previous = (0, 0, 0)
            for i, raw in enumerate(points):
                point = _point(raw, f"{PATH}.points[{i}]", previous, counters)
                previous = (point["step"], point["epoch"], point["examples_seen"])
                rows[i] = [np.nan if point[n] is None else point[n] for n in COLUMNS]
        else:
            rows = _columns(obj, counters)
        recorded = obj["recorded"]
        if not (isinstance(recorded, int) and not isinstance(recorded, bool)) or not (
            len(rows) <= recorded <= COUNT_MAX
        ):
            raise SnapshotError(
                f"{PATH}.recorded",
                f"{PATH}.recorded must be an integer from the number of points to {COUNT_MAX}",
            )
        history = cls(bound)
        history._load(rows, recorded)
        return history

    def _load(self, rows: np.ndarray[Any, np.dtype[np.float64]], recorded: int) -> None:
        """Take `rows` as the points kept of a run of `recorded`: kept as they were if a stride
        explains them within the bound (a full history comes back whole, not thinned again),
        else appended afresh."""
        stride = 1
        while len(rows) and stride <= recorded:
            kept, tail = (recorded - 1) // stride + 1, (recorded - 1) % stride != 0
            if kept + tail == len(rows) and kept <= self.bound:
                self.data = np.full((max(kept, min(START_ROWS, self.bound)), len(COLUMNS)), np.nan)
                self.data[:kept] = rows[:kept]
                self.size, self.stride = kept, stride
                self.tail = rows[kept].copy() if tail else None
                self.recorded = recorded
                return
            stride *= 2
        for row in rows.tolist():
            self.append(dict(zip(COLUMNS, row, strict=True)))
        self.recorded = recorded


def _columns(
    obj: dict[str, Any], counters: tuple[int, int, int] | None
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The rows that format 2's columns hold, checked as strictly as points are."""
    size = len(unpack(obj["step"], f"{PATH}.step", "<i8"))  # the step column sets the length
    rows = np.empty((size, len(COLUMNS)))  # (N, C)
    for i, name in enumerate(COUNTERS):
        path = f"{PATH}.{name}"
        column = unpack(obj[name], path, "<i8", size)
        top = COUNT_MAX if counters is None else counters[i]
        previous = np.concatenate([[0], column[:-1]])
        bad = np.flatnonzero((column < previous) | (column > top))
        if len(bad):
            j = int(bad[0])
            raise SnapshotError(
                f"{path}[{j}]",
                f"{path}[{j}] must be an integer between {previous[j]} and {top}: points are "
                "in order and none lies past the run",
            )
        rows[:, i] = column  # exact: counters are at most 2**53
    for name, (lo, hi) in RANGES.items():
        path, i = f"{PATH}.{name}", COLUMNS.index(name)
        if obj[name] is None:
            rows[:, i] = np.nan
            continue
        column = unpack(obj[name], path, "<f8", size).astype(np.float64)
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(
                ~np.isnan(column) & ~(np.isfinite(column) & (column >= lo) & (column <= hi))
            )
        if len(bad):
            span = "" if (lo, hi) == (-INF, INF) else f" between {lo:g} and {hi:g}"
            raise SnapshotError(
                f"{path}[{bad[0]}]",
                f"{path}[{bad[0]}] must be a finite number{span} or NaN for none",
            )
        rows[:, i] = column
    path = f"{PATH}.diverged"
    flags = unpack(obj["diverged"], path, "u1", (size + 7) // 8)
    bits = np.unpackbits(flags, bitorder="little")
    if bits[size:].any():
        raise SnapshotError(path, f"{path} has bits set past its {size} points")
    rows[:, -1] = bits[:size]
    return rows


def _keys(obj: dict[str, Any], keys: set[str]) -> None:
    missing, unknown = sorted(keys - set(obj)), sorted(set(obj) - keys)
    if missing or unknown:
        key = (missing or unknown)[0]
        raise SnapshotError(
            f"{PATH}.{key}", f"{PATH}.{key} is " + ("required" if missing else "not a known field")
        )


def _point(
    raw: object,
    path: str,
    previous: tuple[int, int, int],
    counters: tuple[int, int, int] | None,
) -> dict[str, Any]:
    """One checked history point: counters in order, values finite and in range."""
    obj = _object(raw, path)
    unknown = sorted(set(obj) - set(COLUMNS))
    if unknown:
        raise SnapshotError(f"{path}.{unknown[0]}", f"{path}.{unknown[0]} is not a known field")
    point: dict[str, Any] = {}
    for i, name in enumerate(COUNTERS):
        value = obj.get(name)
        top = COUNT_MAX if counters is None else counters[i]
        if not (isinstance(value, int) and not isinstance(value, bool)) or not (
            previous[i] <= value <= top
        ):
            raise SnapshotError(
                f"{path}.{name}",
                f"{path}.{name} must be an integer between {previous[i]} and {top}: points "
                "are in order and none lies past the run",
            )
        point[name] = value
    for name, (lo, hi) in RANGES.items():
        value = obj.get(name)
        point[name] = None if value is None else number(value, f"{path}.{name}", lo, hi)
    diverged = obj.get("diverged", False)
    if not isinstance(diverged, bool):
        raise SnapshotError(f"{path}.diverged", f"{path}.diverged must be true or false")
    point["diverged"] = diverged
    return point


def _object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise SnapshotError(path, f"{path} must be an object")
    return value
