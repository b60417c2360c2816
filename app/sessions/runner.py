"""The runner: one loop, for sessions and comparisons alike, that trains and emits frames at the
frame rate while a run plays.

It is the only thing that advances a playing run; sockets only ask it to start or stop. Each
tick trains in the worker thread under the run's lock (a comparison's: every run's), so a `set`
or `step` from a viewer lands between two ticks and the next frame already shows it. A tick
that is due late is counted and the clock starts again from now, rather than trying to catch
up; a run nobody has watched for a while stops, so it does not burn the CPU; a pause wakes the
runner from its sleep between ticks at once. What a tick trains is the run's own (pacing.py).
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

from app.config import Settings
from app.sessions.nap import Nap
from app.sessions.seams import Runners
from app.sessions.worker import Lane

T = TypeVar("T")


class Playable(Protocol[T]):
    """Anything that can tick: a session, or a comparison of sessions in lock-step."""

    @property
    def lane(self) -> Lane: ...  # its turn on the training thread

    def locked(self) -> AbstractAsyncContextManager[None]: ...
    def inline(self, dt: float) -> bool: ...  # tick on the event loop: cheaper than a hop
    def tick(self, dt: float, period: float) -> T: ...  # under the lock(s), in the worker
    def publish(self, out: T) -> None: ...  # what the tick made, to the viewers
    def watched(self) -> bool: ...
    def playable(self) -> bool: ...  # whether it can still train (not every run blew up)
    def announce(self) -> None: ...  # its state, to those who watch it
    def halted(self) -> None: ...  # the runner has stopped: settle what follows from that


class Player:
    """Whether a run plays, its sleep between ticks and the runner task (through `runners`)."""

    def __init__(self, key: str, name: str, settings: Settings, runners: Runners) -> None:
        self.key, self.name = key, name
        self.settings = settings
        self.runners = runners
        self.playing = False
        self.nap = Nap()  # the runner's sleep between ticks; a pause wakes it
        self.late_ticks = 0  # ticks that came later than their frame period allowed

    def play(self, target: Playable[T]) -> None:
        self.playing = True
        self.runners.start(self.key, self.name, lambda: self._run(target))

    def pause(self) -> None:
        self.playing = False
        self.nap.wake()  # the runner sees it now, not after its sleep

    def running(self) -> bool:
        return self.runners.running(self.key)

    async def stop(self) -> None:
        self.playing = False
        await self.runners.stop(self.key)

    async def _run(self, target: Playable[T]) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.settings.frame_rate
        next_tick = last = seen = loop.time()
        target.announce()
        try:
            while self.playing and target.playable():
                now = loop.time()
                dt, last = now - last, now
                if target.watched():
                    seen = now
                elif now - seen > self.settings.unwatched_play_seconds:
                    break  # the last viewer left a while ago: stop burning the CPU
                async with target.locked():
                    if target.inline(dt):  # ~1 ms: a thread hop costs more
                        out = target.tick(dt, period)
                    else:
                        out = await target.lane.run(target.tick, dt, period)
                target.publish(out)
                next_tick += period
                delay = next_tick - loop.time()
                if delay < 0:
                    self.late_ticks += 1
                    next_tick, delay = loop.time(), 0.0
                await self.nap.sleep(delay)
        finally:
            self.playing = False
            target.halted()
            target.announce()
