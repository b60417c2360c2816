"""The loss history of a session: numpy columns with a bound, thinned evenly.

Python dicts per point would cost ~600 bytes each; a float64 column costs 8, so a session with a
full history stays far below the 1 MB budget. Rows are kept for every `stride`-th point; when
they reach the bound, every other row goes and the stride doubles, so the kept points stay
evenly spread over the whole run. The latest point is always kept too, as the tail.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

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
        return {"recorded": self.recorded, "points": self.points()}

    @classmethod
    def restore(cls, snapshot: dict[str, Any], bound: int) -> History:
        history = cls(bound)
        points = snapshot.get("points", [])
        if not isinstance(points, list):
            raise ValueError("history points must be a list")
        for point in points:
            if not isinstance(point, dict):
                raise ValueError("each history point must be an object")
            history.append({k: _number(point.get(k)) for k in COLUMNS if k in point})
        recorded = snapshot.get("recorded", history.recorded)
        if not isinstance(recorded, int) or recorded < history.recorded:
            raise ValueError("history recorded count is inconsistent")
        history.recorded = recorded
        return history


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    if not isinstance(value, (int, float)):
        raise ValueError("history values must be numbers or null")
    return float(value)
