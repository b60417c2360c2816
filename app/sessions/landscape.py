"""Loss landscape reads: a session's (centred on now) or a comparison's (on the shared start).

Anyone with the id may read a landscape, and one costs milliseconds of the training thread, so
each session and comparison keeps its latest answers (`Landscapes`): a read of a run that has
not moved is a look-up, and a run that moves (thirty times a second while playing) is drawn
again at most STEPWISE_LANDSCAPE_READS_PER_SECOND times a second — a read that comes sooner
waits its turn — and never more than a quarter of the time, whatever a heavy network costs.
Reads arriving together wait for one computation. At most KEEP answers and MAX_BYTES are kept
(a 101 × 101 answer, path included, is ~230 KB), and the moments they show are held weakly, so
an answer never keeps an old boundary grid alive (memory.py counts what is kept). What is read
from a run (its weights, its checkpoints, its training set) is taken under its lock; the grid is
computed in the worker's lane for reads, which takes turns with the sessions' own.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.engine import checkpoint
from app.engine import landscape as ls
from app.sessions.worker import READS

if TYPE_CHECKING:
    from app.sessions.group import Comparison
    from app.sessions.session import Session

SHARE = 4  # a landscape is computed at most one part in SHARE of the time
KEEP = 2  # resolutions kept at once: a page asks for one, a script maybe another
MAX_BYTES = 262_144  # kept at most, together: one answer at the largest resolution

Render = Callable[[dict[str, Any]], bytes]


class Unshared(Exception):
    """The runs of a comparison have networks of different shapes: no plane holds them all."""


Held = tuple["weakref.ref[Any] | None", ...]  # moments, held without keeping them alive


def hold(moments: tuple[object, ...]) -> Held:
    return tuple(None if m is None else weakref.ref(m) for m in moments)


def same(held: Held, now: tuple[object, ...]) -> bool:
    """Whether the runs still show the moments `held` (a moment gone since is not shown)."""
    return len(held) == len(now) and all(
        h is not None and h() is m for h, m in zip(held, now, strict=True)
    )


@dataclass(frozen=True)
class Kept:
    moments: Held  # what the runs showed when it was made (replaced as they move)
    data: bytes


class Landscapes:
    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self._kept: dict[int, Kept] = {}  # resolution -> the latest answer
        self._due = 0.0  # when the next computation may start
        self._lock = asyncio.Lock()

    async def get(
        self,
        moments: Callable[[], tuple[object, ...]],
        resolution: int,
        make: Callable[[], Awaitable[tuple[bytes, float]]],
    ) -> bytes:
        """The answer at the runs' `moments` now: kept, or made once its turn has come."""
        async with self._lock:
            kept = self._kept.get(resolution)
            if kept is not None and same(kept.moments, moments()):
                return kept.data
            wait = self._due - self.clock()
            if wait > 0:  # the run moved too soon after the last one: the read waits its turn
                await self.sleep(wait)
            shown = moments()  # what the answer will show: the runs may have moved meanwhile
            data, cost = await make()
            if self.gap > 0:  # 0: unpaced (tests, a server of one)
                self._due = self.clock() + max(self.gap, (SHARE - 1) * cost)
            self._kept.pop(resolution, None)
            self._kept[resolution] = Kept(hold(shown), data)
            while len(self._kept) > KEEP or self.nbytes > MAX_BYTES:
                del self._kept[next(iter(self._kept))]
            return data

    @property
    def nbytes(self) -> int:
        return sum(len(kept.data) for kept in self._kept.values())


@dataclass(frozen=True)
class Taken:
    """What a landscape is made from, copied out of the runs under their locks."""

    task: ls.Task
    centre: np.ndarray[Any, Any]
    seed: int
    runs: list[tuple[str, list[Any]]]  # (session id, its timeline entries)
    centred: str  # "now" | "start"


def compute(taken: Taken, resolution: int, work: float, render: Render) -> tuple[bytes, float]:
    """The landscape as JSON bytes, and the thread's CPU seconds it cost."""
    start = time.thread_time()
    sizes = taken.task.net.sizes
    params = [e.checkpoint.params for _, entries in taken.runs for e in entries]
    plane = ls.plane(taken.centre, params, sizes, taken.seed)
    surface = ls.surface(taken.task, plane, resolution, work)
    paths = [{"session_id": sid, "points": points(plane, entries)} for sid, entries in taken.runs]
    answer = {
        "resolution": resolution,
        "centre": taken.centred,
        "directions": plane.kind,
        "axes": [
            {"explained": plane.explained[i], "range": [-plane.ranges[i], plane.ranges[i]]}
            for i in range(2)
        ],
        "values": surface.values.ravel().tolist(),
        "capped": surface.capped,
        "cap": ls.CAP,
        "points": surface.points,
        "training_points": int(taken.task.x.shape[1]),
        "paths": paths,
    }
    data = render(answer)
    return data, time.thread_time() - start


def points(plane: ls.Plane, entries: list[Any]) -> list[dict[str, Any]]:
    """The path: each checkpoint projected on the plane, with its counters and real loss."""
    if not entries:
        return []
    coords = plane.project_all([e.checkpoint.params for e in entries]).tolist()  # (n, 2)
    return [
        {
            "at": e.at,
            **{k: e.point[k] for k in ("step", "epoch")},
            "x": x,
            "y": y,
            "loss": e.point.get("train_loss"),
        }
        for e, (x, y) in zip(entries, coords, strict=True)
    ]


def entries(run: Session) -> list[Any]:
    """The run's checkpoints from its network's shape (all of them, unless it was rebuilt)."""
    t = run.trainer
    return [e for e in run.timeline.entries if checkpoint.compatible(t, e.checkpoint)]


async def now(session: Session, resolution: int, render: Render) -> bytes:
    """The landscape around the session's weights now, with its path."""

    async def make() -> tuple[bytes, float]:
        async with session.locked():
            t = session.trainer
            taken = Taken(
                ls.task(t),
                t.net.params.copy(),
                t.config.seed,
                [(session.id, entries(session))],
                "now",
            )
        work = session.settings.landscape_max_work
        return await session.lane.worker.run(compute, taken, resolution, work, render, key=READS)

    return await session.landscapes.get(lambda: (session.run.grid,), resolution, make)


async def shared(group: Comparison, resolution: int, render: Render) -> bytes:
    """One plane for every run of a comparison, centred on their shared start."""
    runs: Sequence[Session] = group.runs

    async def make() -> tuple[bytes, float]:
        taken_runs = []
        for run in runs:
            async with run.locked():
                taken_runs.append((run.id, entries(run)))
        first = runs[0]
        async with first.locked():
            t = first.trainer
            task = ls.task(t)
        if any(
            run.trainer.net.sizes != t.net.sizes or run.trainer.config.features != t.config.features
            for run in runs
        ):
            raise Unshared("the runs' networks differ in shape: no one plane holds them all")
        start = taken_runs[0][1]
        centre = start[0].checkpoint.params if start else t.net.params.copy()
        taken = Taken(task, centre, t.config.seed, taken_runs, "start")
        work = group.settings.landscape_max_work
        return await first.lane.worker.run(compute, taken, resolution, work, render, key=READS)

    moments = lambda: tuple(run.run.grid for run in runs)  # noqa: E731
    return await group.landscapes.get(moments, resolution, make)
