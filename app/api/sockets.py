"""What every socket route shares: finding the run or saying it is gone, the error message,
reading and parsing, the pump, the frame a viewer gets on arrival, and the turn of each
message — auth, the driver check, the service's refusals. The routes (live.py, compare.py)
only say what their run is and what each message asks of the service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from app.api.deps import Owned, holds
from app.api.errors import describe_error, field_bounds
from app.sessions import service
from app.sessions.hub import Viewer, stop
from app.sessions.refusals import ConfigError, Conflict
from app.sessions.session import CLOSE_GONE, Session

BOUNDS = field_bounds()
TAGS = {
    *("auth", "play", "pause", "reset", "step", "set", "speed", "subscribe"),
    *("seek", "rewind", "rescue", "landscape", "show"),
}

# WebSocket close codes: policy violation, message too big, try again later (full).
CLOSE_UNKNOWN = CLOSE_GONE
CLOSE_TOO_BIG = 1009
CLOSE_FULL = 1013

R = TypeVar("R", bound=Owned)
C = TypeVar("C", contravariant=True)


def error(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message, "field": field}


async def refuse(socket: WebSocket, message: dict[str, Any], code: int) -> None:
    """Say why, then close: the socket was accepted only to be told."""
    await socket.send_json(message)
    await socket.close(code)


async def welcome(socket: WebSocket, run: object | None, what: str, field: str) -> Viewer | None:
    """Accept the socket; a viewer for it, or None once it has heard that no run has its id."""
    await socket.accept()
    if run is None:
        await refuse(socket, error("not_found", f"no {what} has this id", field), CLOSE_UNKNOWN)
        return None
    return Viewer(socket)


async def listen(
    socket: WebSocket,
    viewer: Viewer,
    touch: Callable[[], None],
    handle: Callable[[str], Awaitable[None]],
) -> None:
    """Hand each message to `handle` until the viewer goes; every message keeps the run alive."""

    async def on_text(text: str) -> None:
        touch()
        await handle(text)

    await converse(socket, viewer, socket.app.state.settings.max_message_bytes, on_text)


class Controls(Protocol[C]):
    """How fast a run plays: the service offers it alike for sessions (service.py) and for
    comparisons (comparisons.py), so one socket code path serves both."""

    def play(self, run: C, /) -> None: ...

    def pause(self, run: C, /) -> None: ...

    def set_speed(
        self, run: C, epochs: float | None, steps: float | None, timelapse: bool, /
    ) -> None: ...


@dataclass(frozen=True)
class Driven(Generic[R]):
    """A socket's run as a driver's messages reach it."""

    run: R
    what: str  # "session" or "comparison", as the errors name it
    first: str  # what a viewer that has not sent the token is told
    controls: Controls[R]
    drive: Callable[[R, Any], Awaitable[None]]  # every other message a driver may send


async def heed(viewer: Viewer, message: Any, driven: Driven[Any]) -> None:
    """Auth, or a driver's message for the service; a non-driver is told what to send first,
    and what the service refuses is told as an error."""
    if message.type == "auth":
        viewer.driver = holds(driven.run.token, message.token)
        if viewer.driver:
            viewer.offer_json({"type": "auth", "ok": True})
        else:
            viewer.offer_json(error("forbidden", f"this token does not drive this {driven.what}"))
        return
    if not viewer.driver:
        viewer.offer_json(error("unauthorized", driven.first))
        return
    run, controls = driven.run, driven.controls
    try:
        match message.type:
            case "play":
                controls.play(run)
            case "pause":
                controls.pause(run)
            case "speed":
                epochs, steps = message.epochs_per_second, message.steps_per_second
                controls.set_speed(run, epochs, steps, message.timelapse)
            case _:
                await driven.drive(run, message)
    except (ConfigError, Conflict) as exc:
        viewer.offer_json(refused(exc))


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
