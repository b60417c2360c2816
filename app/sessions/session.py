"""A training session: one trainer, its history, timeline and viewers, and what drives it.

Everything that touches the trainer runs under the session's lock in a worker thread, so a long
step call never blocks the event loop and the runner never trains concurrently with a caller.
State read by `state()` is cached after each action, so reading never waits for training.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.config import Settings
from app.engine import Trainer, checkpoint, config_to_dict
from app.sessions import frames, limits, markers, memory
from app.sessions.history import History
from app.sessions.hub import Hub, stop
from app.sessions.nap import Nap
from app.sessions.pacing import Pace
from app.sessions.reads import Reads
from app.sessions.refusals import Missing
from app.sessions.timeline import Entry, Timeline
from app.sessions.worker import Worker

STEP_CHUNK = 250  # steps per turn on the worker for a step call (~5 ms): others go between
CLOSE_GONE = 4404  # WebSocket close code: the session is no more

METRICS = (
    *("train_loss", "test_loss", "train_accuracy", "test_accuracy", "train_r2", "test_r2"),
    *("data_loss", "penalty", "grad_norm", "update_norm"),
)


class Session:
    def __init__(
        self,
        session_id: str,
        token: str,
        trainer: Trainer,
        settings: Settings,
        history: History | None = None,
        worker: Worker | None = None,
    ) -> None:
        self.id = session_id
        self.worker = (worker or Worker()).lane(session_id)  # this session's turn on the thread
        self.reads = Reads()  # boundary answers, cached per moment and shared (reads.py)
        self.fullspeed_sessions: Callable[[], int] = lambda: 1  # how many share the budget
        self.token = token
        self.trainer = trainer
        self.settings = settings
        self.memory = memory.estimate(trainer.config, settings)  # bytes it may hold, at most
        self.budget = memory.Budget()  # the registry's, once it holds this session
        self.history = history or History(settings.max_history_points)
        self.timeline = Timeline(settings.timeline_bytes)
        self.hub = Hub()
        self.lock = asyncio.Lock()
        self.playing = False
        self.epochs_per_second: float | None = None
        self.steps_per_second: float | None = None
        self.last_active = time.monotonic()
        self.runner: asyncio.Task[None] | None = None
        self.nap = Nap()  # the runner's sleep between ticks; a pause wakes it
        self.group: str | None = None  # the comparison that drives this session, if any
        self.code: str | None = None  # short watch code, once shared
        self._count_note: asyncio.Task[None] | None = None
        self._header_cache: tuple[Any, dict[str, Any]] | None = None
        self.seq = 0
        self.late_ticks = 0
        self.pace = Pace()
        self._metrics = self._measure()
        self._target_range = self._targets()
        self._grid: frames.Grid | None = None  # replaced whenever the run moves
        self._last_point: dict[str, Any] | None = None
        self._record(append=self.history.recorded == 0)

    # --- reading -----------------------------------------------------------------------------

    @property
    def status(self) -> str:
        if self.trainer.status == "diverged":
            return "diverged"
        return "running" if self.playing else "idle"

    @property
    def grid(self) -> frames.Grid | None:
        """The boundary viewers see now: a new object whenever the run moves (reads.py)."""
        return self._grid

    def config(self) -> dict[str, Any]:
        return config_to_dict(self.trainer.config)

    def state(self) -> dict[str, Any]:
        return {
            "step": self.trainer.step,
            "epoch": self.trainer.epoch,
            "examples_seen": self.trainer.examples_seen,
            "status": self.status,
            "message": self.trainer.message,
            "metrics": dict(self._metrics),
        }

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "problem": self.trainer.config.problem,
            "classes": self.trainer.config.n_classes,
            "config": self.config(),
            "state": self.state(),
        }

    def speed(self) -> dict[str, float | None]:
        return {
            "epochs_per_second": self.epochs_per_second,
            "steps_per_second": self.steps_per_second,
        }

    def data(self) -> dict[str, list[list[float]]]:
        t = self.trainer

        def rows(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> list[list[float]]:
            return np.column_stack([x, y]).tolist()  # type: ignore[no-any-return]

        return {"train": rows(t.x_train, t.y_train), "test": rows(t.x_test, t.y_test)}

    def timeline_public(self) -> dict[str, Any]:
        return {
            "entries": self.timeline.summary(),
            "markers": markers.find(self.history),
            "bytes": self.timeline.nbytes,
            "budget": self.timeline.budget,
        }

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def note_viewers(self) -> None:
        """Tell every viewer how many watch, once per half second however many come and go."""
        if self._count_note is not None and not self._count_note.done():
            return

        async def note() -> None:
            await asyncio.sleep(0.5)
            self.hub.publish_json({"type": "viewers", "count": len(self.hub)})

        self._count_note = asyncio.create_task(note())

    def release_if_unwatched(self) -> None:
        """Free the grid buffers (most of a session's memory) when no one will redraw soon."""
        if not self.hub.viewers and not self.playing:
            self.trainer.release_buffers()

    # --- work done under the lock, in a worker thread ------------------------------------------

    def _measure(self) -> dict[str, float | None]:
        measured = self.trainer.metrics()
        return {name: measured.get(name) for name in METRICS}

    def _targets(self) -> tuple[float, float]:
        if self.trainer.config.problem != "regression" or len(self.trainer.y_train) == 0:
            return (0.0, 1.0)
        y = self.trainer.y_train
        lo, hi = float(np.min(y)), float(np.max(y))
        return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)

    def _record(self, append: bool = True) -> None:
        """Measure the model now: metrics, boundary and how far it moved; keep a checkpoint."""
        self._metrics = self._measure()
        grid = frames.evaluate(self.trainer, self._target_range)
        moved = frames.change(self._grid, grid)
        self._grid = grid
        t = self.trainer
        point = {
            "step": t.step,
            "epoch": t.epoch,
            "examples_seen": t.examples_seen,
            **{k: self._metrics[k] for k in METRICS[:6]},
            "update_norm": self._metrics["update_norm"],
            "learning_rate": t.config.learning_rate,
            "boundary_change": moved,
            "diverged": t.status == "diverged",
        }
        index = self.history.append(point) if append else self.history.recorded - 1
        at = self.timeline.add(checkpoint.take(t), point)
        self._last_point = {"index": index, "at": at, "point": point}
        self.release_if_unwatched()

    def _frame(self) -> frames.FrameSet | None:
        if not self.hub.viewers:
            return None
        return self.current_frame(self.hub.wants_neurons)

    def current_frame(self, neurons: bool) -> frames.FrameSet:
        self.seq += 1
        header = {
            "type": "frame",
            "id": self.id,
            "seq": self.seq,
            "viewers": len(self.hub),
            **self.state(),
            "config": self._config_header(self.trainer.config),
            "history": self._last_point,
        }
        assert self._grid is not None
        return frames.build(self.trainer, header, self._grid, neurons)

    def _config_header(self, config: Any) -> dict[str, Any]:
        """The config without its points, for frame headers; one dict per config object."""
        cached = self._header_cache
        if cached is None or cached[0] is not config:
            header = {k: v for k, v in config_to_dict(config).items() if k != "points"}
            self._header_cache = cached = (config, header)
        return cached[1]

    def past_frame(self, entry: Entry, neurons: bool) -> frames.FrameSet:
        """A frame of the moment `entry` was taken, for one viewer scrubbing the timeline."""
        cp = entry.checkpoint
        with checkpoint.showing(self.trainer, cp) as shown:
            grid = frames.evaluate(shown, self._target_range)
            header = {
                "type": "frame",
                "id": self.id,
                "past": True,
                "at": entry.at,
                "step": cp.counters[0],
                "epoch": cp.counters[1],
                "examples_seen": cp.counters[2],
                "status": "diverged" if cp.status == "diverged" else "idle",
                "message": cp.message,
                "metrics": {k: entry.point.get(k) for k in METRICS if k in entry.point},
                "config": self._config_header(cp.config),
                "history": None,
            }
            return frames.build(shown, header, grid, neurons)

    def train_now(self, steps: int | None, epochs: int | None) -> frames.FrameSet | None:
        self.trainer.train(steps=steps or 0, epochs=epochs or 0)
        self._record()
        return self._frame()

    def rate(self) -> float | None:
        """Steps per second while playing; None for as fast as it goes."""
        if self.steps_per_second is None and self.epochs_per_second is None:
            return None
        per_epoch = self.trainer.steps_per_epoch
        return self.steps_per_second or (self.epochs_per_second or 0) * per_epoch

    def tick(self, dt: float, period: float) -> frames.FrameSet | None:
        """One frame's worth of training while playing; a frame if anything changed."""
        start = time.perf_counter()
        done = self.pace.train(self.trainer, self.rate(), dt, period, self.fullspeed_sessions())
        if done == 0 and self.trainer.status != "diverged":
            return None
        self._record()
        frame = self._frame()
        self.pace.spent(time.perf_counter() - start, period)  # the record counts in the share
        return frame

    def reconfigure(self, changes: dict[str, Any]) -> tuple[str, frames.FrameSet | None]:
        applied = self.trainer.reconfigure(**changes)
        if applied == "rebuild":
            self._forget()
        self._target_range = self._targets()
        if applied == "live":  # same weights, same data: only the penalty may differ
            self._metrics = self._measure()
        else:
            self._record()
        return applied, self._frame()

    def _forget(self) -> None:
        self.history.clear()
        self.timeline.clear()
        self._grid = None

    def reset_now(self) -> frames.FrameSet | None:
        self.trainer.reset()
        self._forget()
        self.pace.carry = 0.0
        self._record()
        return self._frame()

    def rewind_now(self, entry: Entry) -> frames.FrameSet | None:
        """Continue from checkpoint `entry`: what came after it is forgotten."""
        checkpoint.restore(self.trainer, entry.checkpoint)
        self.timeline.truncate(entry.at)
        self.history.truncate(entry.checkpoint.step)
        self._target_range = self._targets()
        self._metrics = self._measure()
        self._grid = frames.evaluate(self.trainer, self._target_range)
        self._last_point = {
            "index": self.history.recorded - 1,
            "at": entry.at,
            "point": entry.point,
        }
        return self._frame()

    # --- actions, from the event loop ---------------------------------------------------------

    def remeasure(self) -> None:
        """Count the memory of the config now in force (after a change or a rewind)."""
        need = memory.estimate(self.trainer.config, self.settings)
        self.budget.resize(self.memory, need)
        self.memory = need

    def record_now(self) -> frames.FrameSet | None:
        self._record()
        return self._frame()

    async def step(self, steps: int | None = None, epochs: int | None = None) -> None:
        """Train now, in short turns on the worker so that other sessions keep their pace."""
        self.touch()
        async with self.lock:
            left = self.trainer.steps_for(epochs) if epochs else steps or 0
            while left > 0 and self.trainer.status == "ok":
                turn = min(STEP_CHUNK, left)
                done = await self.worker.run(self.trainer.train, turn)
                left = left - turn if done == turn else 0
            frame = await self.worker.run(self.record_now)
        self.deliver(frame)

    async def configure(self, changes: dict[str, Any]) -> str:
        self.touch()
        limits.allowed_change(self, changes)
        async with self.lock:
            applied, frame = await self.worker.run(self.reconfigure, changes)
        self.remeasure()
        self.hub.publish_json(self.config_message(applied))
        self.deliver(frame)
        return applied

    async def reset(self) -> None:
        self.touch()
        async with self.lock:
            frame = await self.worker.run(self.reset_now)
        self.deliver(frame)

    def entry(self, at: int | None) -> Entry:
        """Checkpoint `at`, or with None the last one from before the run blew up."""
        entry = self.timeline.before_blowup() if at is None else self.timeline.get(at)
        if entry is None:
            raise Missing("at", "the timeline has no such moment (it may have been thinned)")
        return entry

    async def rewind(self, at: int | None) -> None:
        self.touch()
        async with self.lock:
            frame = await self.worker.run(self.rewind_now, self.entry(at))
        self.remeasure()
        self.hub.publish_json(self.config_message("live"))
        self.deliver(frame)

    async def rescue(self) -> None:
        """After a divergence: back to before it blew up, with half the step size."""
        self.playing = False
        await self.rewind(None)
        rate = max(self.trainer.config.learning_rate / 2, 1e-5)
        await self.configure({"learning_rate": rate})

    def deliver(self, frame: frames.FrameSet | None) -> None:
        if frame is not None:
            self.hub.publish_frame(frame)
        if self.trainer.status == "diverged":
            self.playing = False

    def config_message(self, applied: str) -> dict[str, Any]:
        return {"type": "config", "applied": applied, **self.public(), "data": self.data()}

    async def close(self) -> None:
        self.playing = False
        await stop(self.runner)
        await stop(self._count_note)
        self.runner = None
        gone = {"type": "error", "code": "not_found", "message": "this session has ended"}
        self.hub.close_all(CLOSE_GONE, {**gone, "field": None})
