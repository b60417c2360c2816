"""WS /api/sessions/{id}/ws: watch a session live, and drive it after sending its token.

The socket never trains: it asks the service to act, and every viewer — this one
included — learns the outcome from the frames and messages the hub fans out.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, WebSocket
from pydantic import TypeAdapter

from app.api.deps import token_matches
from app.api.sockets import (
    CLOSE_FULL,
    CLOSE_UNKNOWN,
    TAGS,
    converse,
    error,
    offer_current_frame,
    parse,
    refused,
)
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
from app.sessions import service
from app.sessions.hub import Viewer
from app.sessions.refusals import ConfigError, Conflict, Full
from app.sessions.session import Session

router = APIRouter()
MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)


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
    viewer = Viewer(socket)
    try:
        service.join(session, viewer)
    except Full as exc:
        await socket.send_json(error("unavailable", exc.message))
        await socket.close(CLOSE_FULL)
        return
    viewer.offer_json(hello(session, viewer))
    await offer_current_frame(session, viewer)

    async def on_text(text: str) -> None:
        session.touch()
        await handle(session, viewer, text)

    try:
        await converse(socket, viewer, settings.max_message_bytes, on_text)
    finally:
        service.leave(session, viewer)


async def offer_past_frame(session: Session, viewer: Viewer, at: int) -> None:
    frame = await service.past_frame(session, at, viewer.neurons)
    if frame is None:
        viewer.offer_json(error("not_found", "the timeline has no such moment", "at"))
        return
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
    except (ConfigError, Conflict) as exc:
        viewer.offer_json(refused(exc))


async def drive(session: Session, message: Any) -> None:
    if isinstance(message, PlayMessage):
        service.play(session)
    elif isinstance(message, PauseMessage):
        service.pause(session)
    elif isinstance(message, StepMessage):
        await service.step(session, message.steps, message.epochs)
    elif isinstance(message, SetMessage):
        await service.configure(session, message.config.model_dump(exclude_unset=True))
    elif isinstance(message, ResetMessage):
        await service.reset(session)
    elif isinstance(message, RewindMessage):
        await service.rewind(session, message.at)
    elif isinstance(message, RescueMessage):
        await service.rescue(session)
    elif isinstance(message, SpeedMessage):
        service.set_speed(session, message.epochs_per_second, message.steps_per_second)
