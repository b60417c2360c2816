"""WS /api/sessions/{id}/ws: watch a session live, and drive it after sending its token.

The socket never trains: it asks the service to act, and every viewer — this one
included — learns the outcome from the frames and messages the hub fans out.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, WebSocket
from pydantic import TypeAdapter

from app.api import landscape
from app.api.relay import elsewhere
from app.api.sockets import (
    CLOSE_FULL,
    TAGS,
    Driven,
    error,
    heed,
    listen,
    offer_current_frame,
    parse,
    refuse,
    welcome,
)
from app.schemas import ClientMessage
from app.sessions import service
from app.sessions.hub import Viewer
from app.sessions.refusals import Full
from app.sessions.session import Session

router = APIRouter()
MESSAGES: TypeAdapter[Any] = TypeAdapter(ClientMessage)
FIRST = 'send {"type": "auth", "token": …} first to drive'


def hello(session: Session, viewer: Viewer) -> dict[str, Any]:
    return {
        "type": "hello",
        **session.public(),
        "driver": viewer.driver,
        "speed": session.speed(),
        "viewers": session.live.viewers.count(),
        "showing": session.showing,
        "data": session.data(),
    }


@router.websocket("/api/sessions/{session_id}/ws")
async def live(socket: WebSocket, session_id: str) -> None:
    session: Session | None = socket.app.state.registry.get(session_id)
    if session is None and await elsewhere(socket, session_id):
        return  # another worker owns it (cluster mode): the bus carries it (relay.py)
    viewer = await welcome(socket, session, "session", "session_id")
    if session is None or viewer is None:
        return
    try:
        service.join(session, viewer)
    except Full as exc:
        await refuse(socket, error("unavailable", exc.message), CLOSE_FULL)
        return
    viewer.offer_json(hello(session, viewer))
    await offer_current_frame(session, viewer)
    driven = Driven(session, "session", FIRST, service, drive)
    try:
        await listen(socket, viewer, session.touch, partial(handle, driven, viewer))
    finally:
        service.leave(session, viewer)


async def offer_past_frame(session: Session, viewer: Viewer, at: int) -> None:
    frame = await service.past_frame(session, at, viewer.neurons)
    if frame is None:
        viewer.offer_json(error("not_found", "the timeline has no such moment", "at"))
        return
    viewer.offer_frame(frame)


async def handle(driven: Driven[Session], viewer: Viewer, text: str) -> None:
    """Any viewer may choose what it is shown; the rest is the driver's (sockets.heed)."""
    message = parse(MESSAGES, text, viewer, TAGS)
    if message is None:
        return
    if message.type == "subscribe":
        viewer.neurons = message.neurons
        await offer_current_frame(driven.run, viewer)
    elif message.type == "seek":
        await offer_past_frame(driven.run, viewer, message.at)
    elif message.type == "landscape":
        landscape.heed(driven.run.feed, viewer, message)
    else:
        await heed(viewer, message, driven)


async def drive(session: Session, message: Any) -> None:
    """What a driver's message asks of the session, past playing and pausing (sockets.heed)."""
    match message.type:
        case "step":
            await service.step(session, message.steps, message.epochs)
        case "set":
            await service.configure(session, message.config.model_dump(exclude_unset=True))
        case "reset":
            await service.reset(session)
        case "rewind":
            await service.rewind(session, message.at)
        case "rescue":
            await service.rescue(session)
        case "show":
            service.show(session, message.comparison)
