"""WS /api/sessions/{id}/ws: watch a session live, and drive it after sending its token.

The socket never trains: it asks the session (or its runner) to act, and every viewer —
this one included — learns the outcome from the frames and messages the hub fans out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from app.api.deps import token_matches
from app.api.errors import ApiError, describe_error, field_bounds
from app.api.sessions import changes_of, check_step_limits
from app.api.timeline import check_rescuable
from app.engine import ConfigError
from app.schemas import (
    AuthMessage,
    ClientMessage,
    PauseMessage,
    PlayMessage,
    RescueMessage,
    ResetMessage,
    RewindMessage,
    SeekMessage,
    SetMessage,
    SpeedMessage,
    StepMessage,
    SubscribeMessage,
)
from app.sessions import runner
from app.sessions.hub import Viewer, stop
from app.sessions.session import CLOSE_GONE, Session

router = APIRouter()
MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)
BOUNDS = field_bounds()
TAGS = {
    *("auth", "play", "pause", "reset", "step", "set", "speed", "subscribe"),
    *("seek", "rewind", "rescue"),
}

# WebSocket close codes: policy violation, message too big, try again later (full).
CLOSE_UNKNOWN = CLOSE_GONE
CLOSE_TOO_BIG = 1009
CLOSE_FULL = 1013


def error(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "field": field}


def hello(session: Session, viewer: Viewer) -> dict[str, Any]:
    return {
        "type": "hello",
        **session.public(),
        "driver": viewer.driver,
        "speed": session.speed(),
        "viewers": len(session.hub),
        "data": session.data(),
    }


@router.websocket("/api/sessions/{session_id}/ws")
async def live(socket: WebSocket, session_id: str) -> None:
    registry = socket.app.state.registry
    settings = socket.app.state.settings
    session: Session | None = registry.get(session_id)
    await socket.accept()
    if session is None:
        await socket.send_json(error("not_found", "no session has this id", "session_id"))
        await socket.close(CLOSE_UNKNOWN)
        return
    if len(session.hub) >= settings.max_viewers:
        await socket.send_json(error("unavailable", "this session has too many viewers"))
        await socket.close(CLOSE_FULL)
        return
    viewer = Viewer(socket)
    session.hub.add(viewer)
    session.note_viewers()
    session.touch()
    viewer.offer_json(hello(session, viewer))
    await offer_current_frame(session, viewer)

    async def on_text(text: str) -> None:
        session.touch()
        await handle(session, viewer, text)

    try:
        await converse(socket, viewer, settings.max_message_bytes, on_text)
    finally:
        session.hub.remove(viewer)
        session.note_viewers()
        session.touch()
        session.release_if_unwatched()


async def converse(
    socket: WebSocket,
    viewer: Viewer,
    max_bytes: int,
    on_text: Callable[[str], Awaitable[None]],
) -> None:
    """Pump the viewer's queue out while reading its messages in, until either side ends."""
    pump = asyncio.create_task(viewer.pump())
    try:
        while not pump.done():
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                viewer.offer_json(error("bad_request", "messages must be JSON text"))
                continue
            if len(text.encode()) > max_bytes:
                await stop(pump)
                with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                    await socket.close(CLOSE_TOO_BIG)  # the client may be gone already
                break
            await on_text(text)
    except WebSocketDisconnect:
        pass
    finally:
        await stop(pump)


def parse(adapter: TypeAdapter[Any], text: str, viewer: Viewer, tags: set[str]) -> Any | None:
    """The message in `text`, or None after telling the viewer, naming the field, what is off."""
    try:
        return adapter.validate_json(text)
    except ValidationError as exc:
        first: dict[str, Any] = dict(exc.errors()[0])
        loc: tuple[Any, ...] = tuple(first.get("loc", ()))
        if len(loc) > 1 and loc[0] in tags:  # the union's tag names no field the client wrote
            first["loc"] = loc[1:]
        field, sentence = describe_error(first, BOUNDS)
        viewer.offer_json(error("invalid", sentence, None if field == "body" else field))
        return None


async def offer_current_frame(session: Session, viewer: Viewer, source: str = "") -> None:
    async with session.lock:
        frame = await session.worker.run(session.current_frame, viewer.neurons)
    viewer.offer_frame(frame, source)


async def offer_past_frame(session: Session, viewer: Viewer, at: int) -> None:
    entry = session.timeline.get(at)
    if entry is None:
        viewer.offer_json(error("not_found", "the timeline has no such moment", "at"))
        return
    async with session.lock:
        frame = await session.worker.run(session.past_frame, entry, viewer.neurons)
    viewer.offer_frame(frame)


async def handle(session: Session, viewer: Viewer, text: str) -> None:
    message = parse(MESSAGES, text, viewer, TAGS)
    if message is None:
        return
    if isinstance(message, AuthMessage):
        viewer.driver = token_matches(session, message.token)
        if viewer.driver:
            viewer.offer_json({"type": "auth", "ok": True})
        else:
            viewer.offer_json(error("forbidden", "this token does not drive this session"))
        return
    if isinstance(message, SubscribeMessage):
        viewer.neurons = message.neurons
        await offer_current_frame(session, viewer)
        return
    if isinstance(message, SeekMessage):
        await offer_past_frame(session, viewer, message.at)
        return
    if not viewer.driver:
        viewer.offer_json(error("unauthorized", 'send {"type": "auth", "token": …} first to drive'))
        return
    try:
        await drive(session, message)
    except ConfigError as exc:
        viewer.offer_json(error("invalid", exc.message, exc.field))
    except ApiError as exc:
        viewer.offer_json(error(exc.code, exc.message, exc.field))


async def drive(session: Session, message: Any) -> None:
    if isinstance(message, PlayMessage):
        runner.play(session)
    elif isinstance(message, PauseMessage):
        runner.pause(session)
    elif isinstance(message, StepMessage):
        check_step_limits(session, session.settings, message.steps, message.epochs)
        await session.step(steps=message.steps, epochs=message.epochs)
    elif isinstance(message, SetMessage):
        await session.configure(changes_of(message.config))
    elif isinstance(message, ResetMessage):
        await session.reset()
    elif isinstance(message, RewindMessage):
        await session.rewind(message.at)
    elif isinstance(message, RescueMessage):
        check_rescuable(session)
        await session.rescue()
    elif isinstance(message, SpeedMessage):
        session.epochs_per_second = message.epochs_per_second
        session.steps_per_second = message.steps_per_second
        session.hub.publish_json(runner.state_message(session))
