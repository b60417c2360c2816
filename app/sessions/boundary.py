"""Boundary reads: the network's output over a grid, now or at a timeline moment, cached.

The frame's resolution is served from the grid the session computed for its viewers, so only
rendering it costs; other grids are computed under the session's lock in the worker's one lane
for reads, which takes its turn with the sessions' lanes instead of queueing ahead of them.
Answers are cached per moment and shared by identical reads arriving together (reads.py).
How an answer is written is the caller's: `render(problem, grid, resolution)` gives its bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine import EXTENT, checkpoint
from app.sessions.frames import GRID_RESOLUTION
from app.sessions.session import Session
from app.sessions.worker import READS

__all__ = ["EXTENT", "Render", "now", "past"]  # EXTENT: the square every grid covers

Render = Callable[[str, Any, int], bytes]


async def now(session: Session, resolution: int, render: Render) -> bytes:
    """The boundary as the session's viewers see it now."""
    worker = session.lane.worker
    shown = session.run.grid
    if shown is not None and resolution == GRID_RESOLUTION:  # computed already, for the frames

        async def from_frame() -> bytes:
            problem = session.trainer.config.problem
            return await worker.run(render, problem, shown.values, resolution, key=READS)

        return await session.reads.get(shown, resolution, from_frame)

    def compute_now() -> bytes:
        trainer = session.trainer
        data = render(trainer.config.problem, trainer.grid(resolution), resolution)
        trainer.release_buffers()  # a one-off grid's buffers (42 MB at 200) must not stay
        return data

    async def compute() -> bytes:
        async with session.locked():  # the trainer is not training while this reads it
            data = await worker.run(compute_now, key=READS)
            session.release_if_unwatched()
        return data

    if shown is None:  # between a reset and its first record: nothing to key a cache on
        return await compute()
    return await session.reads.get(shown, resolution, compute)


async def past(session: Session, at: int, resolution: int, render: Render) -> bytes:
    """The boundary as it was at timeline moment `at` (Missing if there is none)."""
    entry = session.entry(at)
    worker = session.lane.worker

    def evaluate() -> bytes:
        with checkpoint.showing(session.trainer, entry.checkpoint) as shown:
            data = render(shown.config.problem, shown.grid(resolution), resolution)
            if resolution != GRID_RESOLUTION:
                shown.release_buffers()  # as in `now`; the frames' own are counted
            return data

    async def compute() -> bytes:
        async with session.locked():
            return await worker.run(evaluate, key=READS)

    return await session.reads.get(entry, ("past", resolution), compute)
