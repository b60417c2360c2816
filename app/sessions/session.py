"""A training session: a recorded run (recording.py) and what is live about it (live.py).

Everything that touches the trainer runs under the session's lock in the worker thread, so a
long step call never blocks the event loop and the runner never trains concurrently with a
caller. Others drive a session through its methods; a session is also what the one runner
(runner.py) ticks while it plays alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Any, TypeVar

from app.config import Settings
from app.engine import Trainer
from app.sessions import frames, landscape, local, memory
from app.sessions.history import History
from app.sessions.landscape import Landscapes
from app.sessions.landscape_feed import Feed, Source
from app.sessions.live import Live
from app.sessions.reads import Reads
from app.sessions.recording import Recording
from app.sessions.seams import Backend, Broadcast
from app.sessions.timeline import Entry, Timeline
from app.sessions.worker import Lane, Worker

STEP_CHUNK = 250  # steps per turn on the worker for a step call (~5 ms): others go between
CLOSE_GONE = 4404  # WebSocket close code: the session is no more
T = TypeVar("T")
GONE = {"type": "error", "code": "not_found", "message": "this session has ended", "field": None}


class Session:
    def __init__(
        self,
        session_id: str,
        token: str,
        trainer: Trainer,
        settings: Settings,
        history: History | None = None,
        worker: Worker | None = None,
        backend: Backend | None = None,
        fullspeed: Callable[[], int] = lambda: 1,  # how many share the worker's time per frame
        budget: memory.Budget | None = None,  # the registry's, which counts this session
    ) -> None:
        self.id = session_id
        self.token = token
        self.settings = settings
        self.live = Live(session_id, settings, backend or local.backend(), worker or Worker())
        self.run = Recording(trainer, settings, history)
        self.reads = Reads()  # boundary answers, cached per moment and shared (reads.py)
        self.landscapes = Landscapes(settings.landscape_reads_per_second)  # landscape.py
        source = Source(
            lambda: (self.run.grid,),
            lambda: self.live.playing,
            lambda: self.run.seq,
            partial(landscape.now, self),
        )
        self.feed = Feed(settings, source)  # its landscape, to the sockets that ask
        self.memory = memory.estimate(trainer.config, settings)  # bytes it may hold, at most
        self.budget = memory.Budget() if budget is None else budget
        self.group: str | None = None  # the comparison that drives this session, if any
        self.showing: str | None = None  # the comparison its driver shows its watchers instead
        self._fullspeed = fullspeed
        self.release_if_unwatched()

    # --- reading -----------------------------------------------------------------------------

    @property
    def trainer(self) -> Trainer:
        return self.run.trainer

    @property
    def history(self) -> History:
        return self.run.history

    @property
    def timeline(self) -> Timeline:
        return self.run.timeline

    def config(self) -> dict[str, Any]:
        return self.run.config()

    def state(self) -> dict[str, Any]:
        return self.run.state(self.live.playing)

    def public(self) -> dict[str, Any]:
        t = self.trainer
        head = {"id": self.id, "problem": t.config.problem, "classes": t.config.n_classes}
        return {**head, "config": self.config(), "state": self.state()}

    def speed(self) -> dict[str, Any]:
        return self.live.speed()

    def data(self) -> dict[str, list[list[float]]]:
        return self.run.data()

    def timeline_public(self) -> dict[str, Any]:
        return self.run.timeline_public()

    def entry(self, at: int | None) -> Entry:
        return self.run.entry(at)

    def config_message(self, applied: str) -> dict[str, Any]:
        return {"type": "config", "applied": applied, **self.public(), "data": self.data()}

    def state_message(self) -> dict[str, Any]:
        return {"type": "state", "state": self.state(), "speed": self.speed()}

    def expires(self, now: float) -> bool:
        """A session alone goes when idle past the expiry; one in a comparison goes with it."""
        return self.group is None and self.live.idle(now)

    def fullspeed(self) -> bool:
        return self.group is None and self.live.fullspeed()

    # --- the live side ------------------------------------------------------------------------

    @property
    def hub(self) -> Broadcast:
        return self.live.hub

    def touch(self) -> None:
        self.live.touch()

    def release_if_unwatched(self) -> None:
        """Free the grid buffers (most of a session's memory) when no one will redraw soon."""
        if not self.live.watched() and not self.live.playing:
            self.trainer.release_buffers()

    def join_group(self, group_id: str) -> None:
        self.group = group_id

    def mark_playing(self, playing: bool) -> None:
        """Its comparison plays it (or stops): it reports "running" meanwhile."""
        self.live.player.playing = playing and self.trainer.status == "ok"

    def set_speed(
        self, epochs_per_second: float | None, steps_per_second: float | None, timelapse: bool
    ) -> None:
        self.live.set_speed(epochs_per_second, steps_per_second, timelapse)
        self.announce()

    def play(self) -> None:
        self.live.player.play(self)

    def pause(self) -> None:
        self.live.player.pause()

    def leave_budget(self) -> None:
        """The registry no longer counts it: a late change to it counts nowhere."""
        self.budget.resize(self.memory, 0)
        self.budget = memory.Budget()

    def remeasure(self) -> None:
        """Count the memory of the config now in force (after a change or a rewind)."""
        need = memory.estimate(self.trainer.config, self.settings)
        self.budget.resize(self.memory, need)
        self.memory = need

    # --- work done under the lock, in a worker thread ------------------------------------------

    def current_frame(self, neurons: bool, shared: bool = False) -> frames.FrameSet:
        """A frame of now: for one viewer, or `shared` by all (the base of the next delta)."""
        count = self.live.viewers.count()
        return self.run.frame(self.id, count, self.state(), neurons, shared)

    def _frame(self) -> frames.FrameSet | None:
        """A frame for the viewers after the run moved, if anyone watches."""
        if not self.live.watched():
            return None
        return self.current_frame(self.hub.wants_neurons, shared=True)

    def past_frame(self, entry: Entry, neurons: bool) -> frames.FrameSet:
        return self.run.past_frame(self.id, entry, neurons)

    def train_now(self, steps: int | None, epochs: int | None) -> frames.FrameSet | None:
        self.run.train(steps, epochs)
        self.release_if_unwatched()
        return self._frame()

    def record_now(self) -> frames.FrameSet | None:
        self.run.record()
        self.release_if_unwatched()
        return self._frame()

    def reconfigure(self, changes: dict[str, Any]) -> tuple[str, frames.FrameSet | None]:
        applied = self.run.reconfigure(changes)
        if applied != "live":  # a new run, recorded anew: paced as one from its start
            self.live.pace.carry = 0.0
            self.release_if_unwatched()
        return applied, self._frame()

    def reset_now(self) -> frames.FrameSet | None:
        self.run.reset()
        self.live.pace.carry = 0.0
        self.release_if_unwatched()
        return self._frame()

    def rescue_now(self) -> frames.FrameSet | None:
        self.run.rescue()
        return self._frame()

    def rewind_now(self, entry: Entry) -> frames.FrameSet | None:
        self.run.rewind(entry)
        return self._frame()

    # --- ticking, for the runner (runner.Playable) ---------------------------------------------

    @property
    def lane(self) -> Lane:
        return self.live.lane

    def locked(self) -> AbstractAsyncContextManager[None]:
        return self.live.lock

    def rate(self) -> float | None:
        """Steps per second while playing at the current epoch; None for full speed."""
        return self.live.rate(self.trainer.steps_per_epoch, self.trainer.epoch)

    def inline(self, dt: float) -> bool:
        return self.live.pace.short(self.rate(), dt)

    def tick(self, dt: float, period: float) -> frames.FrameSet | None:
        """One frame's worth of training while playing; a frame if anything changed."""
        start = time.perf_counter()
        pace, trainer, capped = self.live.pace, self.trainer, self.live.timelapse
        done = pace.train(trainer.train, self.rate(), dt, period, self._fullspeed(), capped=capped)
        if done == 0 and trainer.status != "diverged":
            return None
        frame = self.record_now()
        pace.spent(time.perf_counter() - start, period)  # the record counts in the share
        return frame

    def publish(self, out: frames.FrameSet | None) -> None:
        self.deliver(out)

    def watched(self) -> bool:
        return self.live.watched()

    def playable(self) -> bool:
        return self.trainer.status != "diverged"

    def announce(self) -> None:
        self.hub.publish_json(self.state_message())

    def halted(self) -> None:
        self.touch()

    # --- from the event loop (the actions that take the lock are in actions.py) -------------

    def deliver(self, frame: frames.FrameSet | None) -> None:
        if frame is not None:
            self.hub.publish_frame(frame)
        if self.trainer.status == "diverged":
            self.live.player.playing = False

    async def work(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` under the session's lock, on its turn of the training thread."""
        async with self.live.lock:
            return await self.live.lane.run(fn, *args)

    async def close(self) -> None:
        await self.feed.close()
        await self.live.close(CLOSE_GONE, GONE)
