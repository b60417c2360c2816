"""The timeline: checkpoints of a session as it trains, within a memory budget, and markers.

Checkpoints are thinned so that their steps stay roughly evenly spaced on a log scale: when the
budget is full, the one whose neighbours are closest (relative to how far into the run they
are) goes. Early training — where the boundary changes most — keeps every frame; later, fewer.
Each checkpoint has a key `at` that never repeats within the session, so a client can name it
even after others were thinned away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.checkpoint import Checkpoint


@dataclass(frozen=True)
class Entry:
    at: int
    checkpoint: Checkpoint
    point: dict[str, Any]  # counters and metrics when it was taken


class Timeline:
    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.entries: list[Entry] = []
        self.nbytes = 0
        self._next = 0
        self._steps: list[float] = []  # entries' steps, kept beside them: thinning reads them

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, checkpoint: Checkpoint, point: dict[str, Any]) -> int:
        entry = Entry(self._next, checkpoint, point)
        self._next += 1
        self.entries.append(entry)
        self._steps.append(float(checkpoint.step))
        self.nbytes += checkpoint.nbytes
        while self.nbytes > self.budget and len(self.entries) > 2:
            self._drop(self._most_crowded())
        return entry.at

    def _most_crowded(self) -> int:
        steps = np.array(self._steps)  # (n,)
        gaps = (steps[2:] - steps[:-2]) / (steps[2:] + 1.0)  # (n - 2,) for entries 1 … n - 2
        return int(np.argmin(gaps)) + 1

    def _drop(self, index: int) -> None:
        entry = self.entries.pop(index)
        del self._steps[index]
        self.nbytes -= entry.checkpoint.nbytes

    def get(self, at: int) -> Entry | None:
        for entry in self.entries:
            if entry.at == at:
                return entry
        return None

    def truncate(self, at: int) -> None:
        """Forget everything after checkpoint `at` (a rewind to it)."""
        while self.entries and self.entries[-1].at > at:
            self._drop(len(self.entries) - 1)

    def clear(self) -> None:
        self.entries.clear()
        self._steps.clear()
        self.nbytes = 0

    def before_blowup(self) -> Entry | None:
        """The latest checkpoint whose training loss was still near the best seen before it.

        A run that diverges climbs first; rewinding to where it was last doing well and taking
        smaller steps from there is the rescue the page offers in one click.
        """
        best = float("inf")
        chosen = None
        for entry in self.entries:
            loss = entry.point.get("train_loss")
            if entry.checkpoint.status != "ok" or loss is None or not np.isfinite(loss):
                continue
            best = min(best, loss)
            if loss <= 1.1 * best:
                chosen = entry
        return chosen

    def summary(self) -> list[dict[str, Any]]:
        return [{"at": e.at, **e.point} for e in self.entries]
