"""A comparison: two to four sessions from one configuration and seed, driven in lock-step.

The runs share their data and their initial weights and differ only in the one field the user
varies. The one runner (runner.py) ticks the comparison as it ticks a session: every run the
same number of whole epochs per tick, paced as sessions are (pacing.py), under every run's
lock, so the server keeps them in step whatever the sockets do; each run still records its own
history and timeline and can be watched, read or branched alone.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from app.config import Settings
from app.sessions import actions, landscape, limits
from app.sessions.hub import Tap, Viewer
from app.sessions.landscape import Landscapes
from app.sessions.landscape_feed import Feed, Source
from app.sessions.pacing import Pace, timelapse_rate
from app.sessions.runner import Player
from app.sessions.seams import Backend
from app.sessions.session import STEP_CHUNK, Session
from app.sessions.wire import FrameSet
from app.sessions.worker import Lane

Out = list[tuple[Session, FrameSet | None]]  # what a tick made: each moved run and its frame


class Comparison:
    def __init__(
        self,
        group_id: str,
        token: str,
        vary: str,
        values: list[Any],
        runs: list[Session],
        settings: Settings,
        backend: Backend,
        fullspeed: Callable[[], int] = lambda: 1,  # how many share the worker's time per frame
    ) -> None:
        self.id = group_id
        self.token = token
        self.vary = vary
        self.values = values
        self.runs = runs
        self.settings = settings
        self.epochs_per_second: float | None = None
        self.timelapse = False  # a speed that rises with the epoch (pacing.py)
        self.player = Player(group_id, f"group-{group_id[:8]}", settings, backend.runners)
        self.pace = Pace()  # in whole epochs of every run, to stay in step
        self.watchers = backend.broadcast(group_id)  # sockets watching the whole comparison
        self.viewers = backend.viewers(group_id, self.watchers)
        self._fullspeed = fullspeed
        self.landscapes = Landscapes(settings.landscape_reads_per_second)  # the shared plane
        source = Source(
            lambda: tuple(run.run.grid for run in self.runs),
            lambda: self.playing,
            lambda: max(run.run.seq for run in self.runs),
            partial(landscape.shared, self),
        )
        self.feed = Feed(settings, source)  # the shared plane, to the sockets that ask
        for run in runs:
            run.join_group(group_id)

    @property
    def playing(self) -> bool:
        return self.player.playing

    def touch(self) -> None:
        for run in self.runs:
            run.touch()

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vary": self.vary,
            "values": self.values,
            "status": "running" if self.playing else "idle",
            "epochs_per_second": self.epochs_per_second,
            "timelapse": self.timelapse,
            "runs": [run.public() for run in self.runs],
        }

    def expires(self, now: float) -> bool:
        """Nobody watches it or any of its runs, and none has been used for the expiry."""
        watched = self.viewers.count() > 0
        return not watched and all(run.live.idle(now) for run in self.runs)

    def fullspeed_runs(self) -> int:
        """Its runs, if they play as fast as they go (they share the worker's time per frame)."""
        return len(self.runs) if self.playing and self.epochs_per_second is None else 0

    # --- under the locks, in a worker thread -------------------------------------------------

    def train_only(self, epochs: int) -> int:
        """Every run that can still train, `epochs` more; `epochs` if any could."""
        ok = [run for run in self.runs if run.trainer.status == "ok"]
        for run in ok:
            run.trainer.train(epochs=epochs)
        return epochs if ok else 0

    def record_moved(self, before: list[int]) -> Out:
        """Record the runs whose step moved since `before`."""
        return [
            (run, run.record_now())
            for run, step in zip(self.runs, before, strict=True)
            if run.trainer.step != step
        ]

    # --- ticking, for the runner (runner.Playable) ---------------------------------------------

    @property
    def lane(self) -> Lane:
        return self.runs[0].lane

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """Every run's lock, always taken in the same order."""
        async with contextlib.AsyncExitStack() as stack:
            for run in self.runs:
                await stack.enter_async_context(run.locked())
            yield

    def inline(self, dt: float) -> bool:
        return False  # every run's record in one tick: worth the hop

    def tick(self, dt: float, period: float) -> Out:
        """Every run the same whole epochs: at the set speed, or in one call sized to the runs'
        share of the frame's time at full speed (one share per run)."""
        start = time.perf_counter()
        before = [run.trainer.step for run in self.runs]
        share = max(len(self.runs), self._fullspeed()) / len(self.runs)
        rate = self.epochs_per_second
        if self.timelapse:  # at the epoch of the runs that train on (all share their epoch)
            rate = timelapse_rate(max(run.trainer.epoch for run in self.runs))
        pace, train = self.pace, self.train_only
        pace.train(train, rate, dt, period, share, whole=True, capped=self.timelapse)
        out = self.record_moved(before)
        self.pace.spent(time.perf_counter() - start, period)
        return out

    def publish(self, out: Out) -> None:
        publish(out)

    def watched(self) -> bool:
        return self.viewers.count() > 0 or any(run.watched() for run in self.runs)

    def playable(self) -> bool:
        return any(run.trainer.status == "ok" for run in self.runs)

    def announce(self) -> None:
        self.watchers.publish_json(self.state_message())

    def halted(self) -> None:
        self._mark(False)
        self.touch()

    # --- actions ------------------------------------------------------------------------------

    async def step(self, epochs: int) -> None:
        """Every run the same epochs, in short turns on the worker so others keep their pace."""
        self.touch()
        per_turn = max(1, STEP_CHUNK // max(r.trainer.steps_per_epoch for r in self.runs))
        async with self.locked():
            before = [run.trainer.step for run in self.runs]
            left = epochs
            while left > 0:
                turn = min(per_turn, left)
                await self.lane.run(self.train_only, turn)
                left -= turn
            out = await self.lane.run(self.record_moved, before)
        publish(out)

    async def reset(self) -> None:
        self.touch()
        for run in self.runs:
            await actions.reset(run)

    async def configure(self, changes: dict[str, Any]) -> None:
        """The same change for every run; the varied field stays as each run has it."""
        self.touch()
        changes = {k: v for k, v in changes.items() if k != self.vary}
        limits.allowed_group_change(self.runs, changes)
        for run in self.runs:
            await actions.configure(run, changes)

    async def set_value(self, index: int, value: Any) -> None:
        self.touch()
        await actions.configure(self.runs[index], {self.vary: value})
        self.values[index] = value

    def join(self, viewer: Viewer) -> list[Tap]:
        """Watch every run through one socket; the taps name each run's frames."""
        taps = [Tap(viewer, run.id) for run in self.runs]
        for run, tap in zip(self.runs, taps, strict=True):
            run.hub.add(tap)
        self.watchers.add(viewer)
        self.touch()
        return taps

    def leave(self, viewer: Viewer, taps: list[Tap]) -> None:
        self.feed.drop(viewer)
        self.watchers.remove(viewer)
        for run, tap in zip(self.runs, taps, strict=True):
            run.hub.remove(tap)
        self.touch()

    def set_speed(self, epochs_per_second: float | None, timelapse: bool) -> None:
        self.epochs_per_second = epochs_per_second
        self.timelapse = timelapse
        self.announce()

    def _mark(self, playing: bool) -> None:
        """Runs report "running" while their comparison plays them."""
        self.player.playing = playing
        for run in self.runs:
            run.mark_playing(playing)

    def play(self) -> None:
        self._mark(True)
        self.player.play(self)

    def pause(self) -> None:
        self._mark(False)
        self.player.pause()

    def state_message(self) -> dict[str, Any]:
        return {"type": "group", **self.public()}

    async def close(self) -> None:
        self._mark(False)
        await self.feed.close()
        await self.player.stop()


def publish(out: Out) -> None:
    for run, frame in out:
        run.deliver(frame)
