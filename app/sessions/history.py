"""The loss history of a session: numpy columns with a bound, thinned by halving.

Python dicts per point would cost ~600 bytes each; a float64 column costs 8, so a session with a
full history stays far below the 1 MB budget. Past the bound every other point is dropped,
keeping the first and the last, so the curve keeps its shape over the whole run.
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
FLAGS = ("diverged",)


class History:
    def __init__(self, bound: int) -> None:
        self.bound = max(bound, 4)
        self.data = np.full((self.bound + 1, len(COLUMNS)), np.nan)  # (capacity, columns)
        self.size = 0
        self.recorded = 0  # points ever appended, thinned or not

    def append(self, point: dict[str, Any]) -> int:
        """Add one point; return its index in the whole run (0, 1, 2, …)."""
        if self.size == self.data.shape[0]:
            self._thin()
        row = self.data[self.size]
        for i, name in enumerate(COLUMNS):
            value = point.get(name)
            row[i] = np.nan if value is None else value
        self.size += 1
        self.recorded += 1
        return self.recorded - 1

    def _thin(self) -> None:
        keep = np.arange(0, self.size, 2)
        if keep[-1] != self.size - 1:
            keep = np.append(keep, self.size - 1)
        n = len(keep)
        self.data[:n] = self.data[keep]
        self.data[n:] = np.nan
        self.size = n

    def column(self, name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        """One column over the kept points (NaN where unknown)."""
        return self.data[: self.size, COLUMNS.index(name)]

    def truncate(self, step: int) -> None:
        """Drop the points recorded after `step` (a rewind)."""
        keep = int(np.searchsorted(self.column("step"), step, side="right"))
        self.recorded -= self.size - keep
        self.data[keep : self.size] = np.nan
        self.size = keep

    def clear(self) -> None:
        self.data[:] = np.nan
        self.size = 0
        self.recorded = 0

    @property
    def thinned(self) -> bool:
        return self.recorded > self.size

    def points(self) -> list[dict[str, Any]]:
        rows = self.data[: self.size].tolist()
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
