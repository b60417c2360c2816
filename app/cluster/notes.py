"""The broadcast of a run held in cluster mode: the hub (fanout.py adds the bus to it), and a
word to whoever joins a run that this worker resumed from its snapshot ("resumed from epoch N"),
so that no page silently sees its run start over from an earlier point than it last saw.
"""

from __future__ import annotations

import time
from typing import Any

from app.sessions.hub import Hub, Tap, Viewer

NOTE_SECONDS = 120.0  # pages reconnect within seconds of a restart; later joiners need no word


class Resumed:
    """The runs this worker took over from a snapshot: the epoch and step each went on from."""

    def __init__(self) -> None:
        self._runs: dict[str, tuple[dict[str, Any], float]] = {}

    def mark(self, key: str, epoch: int, step: int) -> None:
        message = {"type": "resumed", "epoch": epoch, "step": step}
        self._runs[key] = (message, time.monotonic())

    def message(self, key: str) -> dict[str, Any] | None:
        found = self._runs.get(key)
        if found is None or time.monotonic() - found[1] > NOTE_SECONDS:
            self._runs.pop(key, None)
            return None
        return found[0]


class Announcing(Hub):
    """A hub that tells each viewer who joins a resumed run where it resumed from."""

    def __init__(self, key: str, resumed: Resumed) -> None:
        super().__init__()
        self.key, self.resumed = key, resumed

    def add(self, viewer: Viewer | Tap) -> None:
        super().add(viewer)
        message = self.resumed.message(self.key)
        if message is not None:
            viewer.offer_json(message)
