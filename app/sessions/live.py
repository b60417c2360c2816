"""What is live about a session: its viewers, whether it plays, how fast, and when it was last used.

The recorded run (recording.py) is what a session is; this is what one process holds while the
session is in use — the broadcast to its viewers and their count, its lock and turn on the
training thread, the player that drives its runner and the pacing of its ticks — all from the
seams it is given (seams.py), so that another process could hold the same things elsewhere.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from app.config import Settings
from app.sessions.hub import Tap, Viewer, stop
from app.sessions.pacing import Pace, timelapse_rate
from app.sessions.runner import Player
from app.sessions.seams import Backend
from app.sessions.worker import Worker

NOTE_SECONDS = 0.5  # viewers hear the count once per half second, however many come and go


class Live:
    def __init__(self, key: str, settings: Settings, backend: Backend, worker: Worker) -> None:
        self.key = key
        self.settings = settings
        self.hub = backend.broadcast(key)
        self.viewers = backend.viewers(key, self.hub)
        self.lock = backend.locks.lock(key)
        self.lane = worker.lane(key)  # this session's turn on the training thread
        self.player = Player(key, f"runner-{key[:8]}", settings, backend.runners)
        self.pace = Pace()
        self.epochs_per_second: float | None = None
        self.steps_per_second: float | None = None
        self.timelapse = False  # a speed that rises with the epoch (pacing.py)
        self.last_active = time.monotonic()
        self._count_note: asyncio.Task[None] | None = None

    @property
    def playing(self) -> bool:
        return self.player.playing

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def watched(self) -> bool:
        return self.viewers.count() > 0

    def idle(self, now: float) -> bool:
        """Unwatched, and unused for longer than the expiry."""
        return not self.watched() and now - self.last_active > self.settings.idle_expiry_seconds

    def speed(self) -> dict[str, Any]:
        return {
            "epochs_per_second": self.epochs_per_second,
            "steps_per_second": self.steps_per_second,
            "timelapse": self.timelapse,
        }

    def set_speed(
        self, epochs_per_second: float | None, steps_per_second: float | None, timelapse: bool
    ) -> None:
        self.epochs_per_second = epochs_per_second
        self.steps_per_second = steps_per_second
        self.timelapse = timelapse

    def fullspeed(self) -> bool:
        """Playing as fast as it goes, or in time-lapse (capped by the same share): it shares
        the worker's time per frame with the others."""
        return self.playing and self.epochs_per_second is None and self.steps_per_second is None

    def rate(self, steps_per_epoch: int, epoch: int) -> float | None:
        """Steps per second while playing at `epoch`; None for as fast as it goes."""
        if self.timelapse:
            return timelapse_rate(epoch) * steps_per_epoch
        if self.steps_per_second is None and self.epochs_per_second is None:
            return None
        return self.steps_per_second or (self.epochs_per_second or 0) * steps_per_epoch

    def join(self, viewer: Viewer | Tap) -> None:
        self.hub.add(viewer)
        self.note_viewers()
        self.touch()

    def leave(self, viewer: Viewer | Tap) -> None:
        self.hub.remove(viewer)
        self.note_viewers()
        self.touch()

    def note_viewers(self) -> None:
        """Tell every viewer how many watch, once per half second however many come and go."""
        if self._count_note is not None and not self._count_note.done():
            return

        async def note() -> None:
            await asyncio.sleep(NOTE_SECONDS)
            self.hub.publish_json({"type": "viewers", "count": self.viewers.count()})

        self._count_note = asyncio.create_task(note())

    async def close(self, code: int, message: dict[str, Any]) -> None:
        """Stop the runner and the count note, and tell every viewer why they are cut off."""
        await self.player.stop()
        await stop(self._count_note)
        self.hub.close_all(code, message)
