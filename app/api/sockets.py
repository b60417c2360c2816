"""What every socket route shares: the error message, reading and parsing, the pump, and
the frame a viewer gets on arrival. The routes (live.py, compare.py) only say what to do."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from app.api.errors import describe_error, field_bounds
from app.sessions import service
from app.sessions.hub import Viewer, stop
from app.sessions.refusals import ConfigError, Conflict
from app.sessions.session import CLOSE_GONE, Session

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
    viewer.offer_frame(await service.current_frame(session, viewer.neurons), source)


def refused(exc: Exception) -> dict[str, Any]:
    """The error message telling a driver why the service refused what it asked."""
    if isinstance(exc, ConfigError):  # a bad value, a missing moment, no memory: all invalid
        return error("invalid", exc.message, exc.field)
    if isinstance(exc, Conflict):
        return error("conflict", exc.message)
    raise TypeError(f"not a refusal: {exc!r}")
