"""A run's loss landscape, pushed over the socket to the viewers that asked for it.

A viewer asks with `{"type": "landscape", "on": true, "resolution": R}` (live.py, compare.py)
and gets one landscape at once, then one whenever the run has moved — at most
STEPWISE_LANDSCAPE_PUSHES_PER_SECOND times a second, and while the run plays at most once per
frame_rate / that many frames it played (a busy server's runner sits ticks out: frames, not the
clock, pace the picture then; a run paced slower than the frame rate is drawn less often) —
and once more when the run stops. Viewers that did not ask get nothing. One task per run does
this while anyone asks: it looks every POLL seconds whether the run moved (an identity check)
and reads the landscape through the run's kept answers (landscape.py), so a moment is computed
once for every viewer and every REST reader, never per viewer. Each answer is serialised once
and queued to each viewer as the latest of its kind: a slow viewer holds one, the newest.
In cluster mode the viewers on other workers that asked at a resolution are one viewer here
(app/cluster/fanout.py `Afar`), which publishes each landscape once for all of them.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.config import Settings
from app.sessions.hub import Viewer, stop
from app.sessions.landscape import Held, Render, Unshared, hold, same
from app.sessions.nap import Nap

POLL = 0.1  # seconds between looks at whether the run moved: a look is a few comparisons
KIND = "landscape"  # a viewer holds one unsent landscape message at most (hub.py)
PREFIX = '{"type":"landscape",'


@dataclass(frozen=True)
class Source:
    """What a feed reads of its run (a session, or a comparison's shared plane)."""

    moments: Callable[[], tuple[object, ...]]  # what the runs show: new objects when they move
    playing: Callable[[], bool]
    frames: Callable[[], int]  # frames it built so far (a comparison: its busiest run's)
    read: Callable[[int, Render], Awaitable[bytes]]  # its landscape now, kept or made


@dataclass(frozen=True)
class Sent:
    moments: Held
    frames: int
    at: float


def message(data: bytes) -> str:
    """The socket's message: the REST answer's JSON with its type first, without parsing it."""
    return PREFIX + data.decode()[1:]


class Feed:
    def __init__(
        self, settings: Settings, source: Source, clock: Callable[[], float] = time.monotonic
    ) -> None:
        per_second = settings.landscape_pushes_per_second
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.every = math.ceil(settings.frame_rate / per_second) if per_second > 0 else 0
        self.source, self.clock = source, clock
        self.asked: dict[Viewer, int] = {}  # viewer -> the resolution it asked for
        self.fresh: set[Viewer] = set()  # asked, and not yet sent one
        self.sent: dict[int, Sent] = {}  # resolution -> what its viewers were sent last
        self.render: Render | None = None
        self._nap = Nap()
        self._task: asyncio.Task[None] | None = None

    def ask(self, viewer: Viewer, resolution: int, render: Render, now: bool = True) -> None:
        """Send `viewer` the landscape at `resolution` now (unless it has it), and as the run
        moves."""
        self.render = render
        self.asked[viewer] = resolution
        if now:
            self.fresh.add(viewer)
        self._nap.wake()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="landscape-feed")

    def drop(self, viewer: Viewer) -> None:
        """Send `viewer` no more (it said so, or it left)."""
        self.asked.pop(viewer, None)
        self.fresh.discard(viewer)
        for resolution in set(self.sent) - set(self.asked.values()):
            del self.sent[resolution]

    async def close(self) -> None:
        self.asked.clear()
        await stop(self._task)

    def due(self, last: Sent | None) -> bool:
        """Whether the viewers at a resolution may be sent the run's new moment."""
        if last is None:
            return True
        if self.clock() - last.at < self.gap:
            return False
        return not self.source.playing() or self.source.frames() - last.frames >= self.every

    async def now(self, resolution: int, render: Render) -> str:
        """The socket's message for the run's landscape now: kept, or made once for all."""
        try:
            return message(await self.source.read(resolution, render))
        except Unshared as exc:
            refusal = {"type": "error", "code": "conflict", "message": str(exc), "field": "vary"}
            return json.dumps(refusal)

    async def _run(self) -> None:
        while self.asked:
            for resolution in sorted(set(self.asked.values())):
                await self._serve(resolution)
            await self._nap.sleep(POLL)

    async def _serve(self, resolution: int) -> None:
        viewers = [v for v, r in self.asked.items() if r == resolution]
        last = self.sent.get(resolution)
        moved = last is None or not same(last.moments, self.source.moments())
        everyone = moved and self.due(last)
        targets = viewers if everyone else [v for v in viewers if v in self.fresh]
        if not targets or self.render is None:
            return
        # taken before the read: if the run moves meanwhile, the next look sends again
        shown, frames = hold(self.source.moments()), self.source.frames()
        text = await self.now(resolution, self.render)
        if everyone:
            self.sent[resolution] = Sent(shown, frames, self.clock())
        for viewer in targets:
            if self.asked.get(viewer) == resolution:  # it may have left during the read
                viewer.offer_json(text, KIND)
                self.fresh.discard(viewer)
