"""What a session is: a recorded run — its trainer, history, timeline, metrics and boundary.

Nothing here knows who watches or whether it plays (live.py): given the trainer, it trains,
measures, changes, resets and rewinds it, and builds frames of now or of a past moment. Every
method that touches the trainer runs under the session's lock in the worker thread; what it
measured is kept, so reading the state never waits for training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.config import Settings
from app.engine import LIMITS, Trainer, checkpoint, config_to_dict
from app.sessions import frames, markers
from app.sessions.history import History
from app.sessions.refusals import Missing
from app.sessions.timeline import Entry, Timeline
from app.sessions.wire import Chain

METRICS = (
    *("train_loss", "test_loss", "train_accuracy", "test_accuracy", "train_r2", "test_r2"),
    *("data_loss", "penalty", "grad_norm", "update_norm"),
)


class Recording:
    def __init__(self, trainer: Trainer, settings: Settings, history: History | None) -> None:
        self.trainer = trainer
        self.history = history or History(settings.max_history_points)
        self.timeline = Timeline(settings.timeline_bytes)
        self.seq = 0  # frames built so far: viewers see them in order
        self.chain = Chain()  # the frame last shared with every viewer, for deltas
        self._header_cache: tuple[Any, dict[str, Any]] | None = None
        self._metrics = self._measure()
        self._target_range = self._targets()
        self.grid: frames.Grid | None = None  # replaced whenever the run moves (reads.py)
        self._last_point: dict[str, Any] | None = None
        self.record(append=self.history.recorded == 0)

    # --- reading -----------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        return config_to_dict(self.trainer.config)

    def state(self, playing: bool) -> dict[str, Any]:
        t = self.trainer
        status = "diverged" if t.status == "diverged" else "running" if playing else "idle"
        return {
            "step": t.step,
            "epoch": t.epoch,
            "examples_seen": t.examples_seen,
            "status": status,
            "message": t.message,
            "metrics": dict(self._metrics),
            "rescue": self.rescue_plan(),
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

    def entry(self, at: int | None) -> Entry:
        """Checkpoint `at`, or with None the last one from before the run blew up."""
        entry = self.timeline.before_blowup() if at is None else self.timeline.get(at)
        if entry is None:
            raise Missing("at", "the timeline has no such moment (it may have been thinned)")
        return entry

    def rescue_plan(self) -> dict[str, Any] | None:
        """What the rescue of a diverged run will do, so the page can say it before it is done:
        go back to the last checkpoint before the blow-up (`at`, at `epoch`) and continue with
        half the step size in force then (`from_learning_rate`), never below the smallest.
        None while the run is healthy, or when no moment before the blow-up is kept."""
        entry = self.timeline.before_blowup() if self.trainer.status == "diverged" else None
        if entry is None:
            return None
        stable = entry.checkpoint.config.learning_rate
        return {
            "at": entry.at,
            "epoch": entry.checkpoint.counters[1],
            "learning_rate": max(stable / 2, LIMITS["learning_rate"][0]),
            "from_learning_rate": stable,
        }

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

    def record(self, append: bool = True) -> None:
        """Measure the model now: metrics, boundary and how far it moved; keep a checkpoint."""
        self._metrics = self._measure()
        grid = frames.evaluate(self.trainer, self._target_range)
        moved = frames.change(self.grid, grid)
        self.grid = grid
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

    def frame(
        self, key: str, viewers: int, state: dict[str, Any], neurons: bool, shared: bool
    ) -> frames.FrameSet:
        """A frame of now, for the viewers of session `key`: for all of them if `shared`,
        else for one who just came (whole, and not a base for the next frame's deltas)."""
        self.seq += 1
        header = {
            "type": "frame",
            "id": key,
            "seq": self.seq,
            "viewers": viewers,
            **state,
            "config": self._config_header(self.trainer.config),
            "history": self._last_point,
        }
        assert self.grid is not None
        return frames.build(self.trainer, header, self.grid, neurons, self.chain, shared)

    def _config_header(self, config: Any) -> dict[str, Any]:
        """The config without its points, for frame headers; one dict per config object."""
        cached = self._header_cache
        if cached is None or cached[0] is not config:
            header = {k: v for k, v in config_to_dict(config).items() if k != "points"}
            self._header_cache = cached = (config, header)
        return cached[1]

    def past_frame(self, key: str, entry: Entry, neurons: bool) -> frames.FrameSet:
        """A frame of the moment `entry` was taken, for one viewer scrubbing the timeline."""
        cp = entry.checkpoint
        with checkpoint.showing(self.trainer, cp) as shown:
            grid = frames.evaluate(shown, self._target_range)
            header = {
                "type": "frame",
                "id": key,
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
            return frames.build(shown, header, grid, neurons, None)

    def train(self, steps: int | None, epochs: int | None) -> None:
        self.trainer.train(steps=steps or 0, epochs=epochs or 0)
        self.record()

    def reconfigure(self, changes: dict[str, Any]) -> str:
        """Apply `changes`; how they applied: live, data or rebuild. New data or a new network
        is a new run (trainer.py): what the old one recorded is forgotten with it."""
        applied = self.trainer.reconfigure(**changes)
        if applied != "live":
            self._forget()
        self._target_range = self._targets()
        if applied == "live":  # same weights, same data: only the penalty may differ
            self._metrics = self._measure()
        else:
            self.record()
        return applied

    def _forget(self) -> None:
        self.history.clear()
        self.timeline.clear()
        self.grid = None

    def reset(self) -> None:
        self.trainer.reset()
        self._forget()
        self.record()

    def rescue(self) -> None:
        """Carry out the rescue plan: back to its moment, then on with its step size."""
        plan = self.rescue_plan()
        if plan is None:
            raise Missing("at", "no moment from before the run blew up is kept: reset instead")
        self.rewind(self.entry(plan["at"]))
        self.reconfigure({"learning_rate": plan["learning_rate"]})

    def rewind(self, entry: Entry) -> None:
        """Continue from checkpoint `entry`: what came after it is forgotten."""
        checkpoint.restore(self.trainer, entry.checkpoint)
        self.timeline.truncate(entry.at)
        self.history.truncate(entry.checkpoint.step)
        self._target_range = self._targets()
        self._metrics = self._measure()
        self.grid = frames.evaluate(self.trainer, self._target_range)
        self._last_point = {
            "index": self.history.recorded - 1,
            "at": entry.at,
            "point": entry.point,
        }
