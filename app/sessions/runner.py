"""The runner: one task per playing session that trains and emits frames at the frame rate.

It is the only thing that advances a playing session; sockets only ask it to start or stop.
Each tick trains in a worker thread under the session's lock, so a `set` or `step` from a
viewer lands between two ticks and the next frame already shows it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.sessions.session import Session


def play(session: Session) -> None:
    session.playing = True
    if session.runner is None or session.runner.done():
        session.runner = asyncio.create_task(_run(session), name=f"runner-{session.id[:8]}")


def pause(session: Session) -> None:
    session.playing = False
    session.nap.wake()  # the runner sees it now, not after its sleep


def state_message(session: Session) -> dict[str, Any]:
    return {"type": "state", "state": session.state(), "speed": session.speed()}


async def _run(session: Session) -> None:
    loop = asyncio.get_running_loop()
    period = 1.0 / session.settings.frame_rate
    next_tick = last = seen = loop.time()
    session.hub.publish_json(state_message(session))
    try:
        while session.playing and session.trainer.status != "diverged":
            now = loop.time()
            dt, last = now - last, now
            if session.hub.viewers:
                seen = now
            elif now - seen > session.settings.unwatched_play_seconds:
                break  # the last viewer left a while ago: stop burning the CPU
            async with session.lock:
                if session.pace.short(session.rate(), dt):  # ~1 ms: a thread hop costs more
                    frame = session.tick(dt, period)
                else:
                    frame = await session.worker.run(session.tick, dt, period)
            if frame is not None:
                session.hub.publish_frame(frame)
            next_tick += period
            delay = next_tick - loop.time()
            if delay < 0:
                session.late_ticks += 1
                next_tick, delay = loop.time(), 0.0
            await session.nap.sleep(delay)
    finally:
        session.playing = False
        session.touch()
        session.hub.publish_json(state_message(session))
