"""What a session does when asked — step, change, reset, rewind, rescue — from the event loop.

Each takes the session's lock, does its work on the session's turn of the training thread and
then tells the viewers: a frame, and for a change of config the config message they redraw
from. The service (service.py) and comparisons (group.py) call these.
"""

from __future__ import annotations

from typing import Any

from app.sessions import limits
from app.sessions.session import STEP_CHUNK, Session


async def step(session: Session, steps: int | None = None, epochs: int | None = None) -> None:
    """Train now, in short turns on the worker so that other sessions keep their pace."""
    session.touch()
    trainer = session.trainer
    async with session.locked():
        left = trainer.steps_for(epochs) if epochs else steps or 0
        while left > 0 and trainer.status == "ok":
            turn = min(STEP_CHUNK, left)
            done = await session.lane.run(trainer.train, turn)
            left = left - turn if done == turn else 0
        frame = await session.lane.run(session.record_now)
    session.deliver(frame)


async def configure(session: Session, changes: dict[str, Any]) -> str:
    """Change config fields; how they applied: live, data or rebuild."""
    session.touch()
    limits.allowed_change(session, changes)
    applied, frame = await session.work(session.reconfigure, changes)
    session.remeasure()
    session.hub.publish_json(session.config_message(applied))
    session.deliver(frame)
    return applied


async def reset(session: Session) -> None:
    session.touch()
    frame = await session.work(session.reset_now)
    session.deliver(frame)


async def rewind(session: Session, at: int | None) -> None:
    """Continue from checkpoint `at` (None: the last before the run blew up)."""
    session.touch()
    frame = await session.work(session.rewind_now, session.entry(at))
    session.remeasure()
    session.hub.publish_json(session.config_message("live"))
    session.deliver(frame)


async def rescue(session: Session) -> None:
    """After a divergence: the plan its state shows (recording.py), in one move — back to
    before it blew up, on with half the step size in force there."""
    session.touch()
    session.mark_playing(False)
    frame = await session.work(session.rescue_now)
    session.remeasure()
    session.hub.publish_json(session.config_message("live"))
    session.deliver(frame)
