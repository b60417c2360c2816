"""The hub fans a session's messages out to every viewer without letting one slow them all.

Each viewer has one slot for the latest frame and a short queue of JSON messages, drained by
its own pump task — the only task that writes to its socket. A new frame overwrites a frame not
yet sent, so a slow viewer skips frames instead of queueing them, and the training never waits
for a socket. JSON messages (config changes, errors) are few and each carries the whole state,
so the queue is bounded and drops its oldest entry when full.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from typing import Any, Protocol

from app.sessions.frames import FrameSet

CONTROL_QUEUE = 32


class Socket(Protocol):
    async def send_bytes(self, data: bytes) -> None: ...
    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class Viewer:
    """One socket. It may watch several sessions (a comparison): one frame slot for each."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.neurons = False
        self.driver = False
        self.frames_sent = 0
        self.frames_skipped = 0
        self._frames: dict[str, bytes] = {}  # source -> latest frame not yet sent
        self._control: deque[str] = deque(maxlen=CONTROL_QUEUE)
        self._wake = asyncio.Event()
        self._closing: int | None = None  # a close code, once the session is gone

    def offer_frame(self, frames: FrameSet, source: str = "") -> None:
        if source in self._frames:
            self.frames_skipped += 1
        chosen = frames.with_neurons if self.neurons and frames.with_neurons else frames.plain
        self._frames[source] = chosen
        self._wake.set()

    def offer_json(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message, allow_nan=False)
        self._control.append(text)
        self._wake.set()

    def close(self, code: int, message: dict[str, Any]) -> None:
        """Say why, then close the socket (the session it watched is gone)."""
        self.offer_json(message)
        self._closing = code

    async def pump(self) -> None:
        """Send whatever is waiting, latest frame last, until cancelled or the socket fails."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._control:
                await self.socket.send_text(self._control.popleft())
            if self._closing is not None:
                await self.socket.close(self._closing)
                return
            frames, self._frames = self._frames, {}
            for frame in frames.values():
                await self.socket.send_bytes(frame)
                self.frames_sent += 1


class Tap:
    """Stands in a session's hub for a viewer who watches it among others (a comparison)."""

    neurons = False
    driver = False

    def __init__(self, viewer: Viewer, source: str) -> None:
        self.viewer = viewer
        self.source = source

    def offer_frame(self, frames: FrameSet) -> None:
        self.viewer.offer_frame(frames, self.source)

    def offer_json(self, message: dict[str, Any] | str) -> None:
        self.viewer.offer_json(message)

    def close(self, code: int, message: dict[str, Any]) -> None:
        self.viewer.close(code, message)


class Hub:
    def __init__(self) -> None:
        self.viewers: set[Viewer | Tap] = set()

    def __len__(self) -> int:
        return len(self.viewers)

    @property
    def wants_neurons(self) -> bool:
        return any(v.neurons for v in self.viewers)

    def add(self, viewer: Viewer | Tap) -> None:
        self.viewers.add(viewer)

    def remove(self, viewer: Viewer | Tap) -> None:
        self.viewers.discard(viewer)

    def publish_frame(self, frames: FrameSet) -> None:
        for viewer in self.viewers:
            viewer.offer_frame(frames)

    def close_all(self, code: int, message: dict[str, Any]) -> None:
        for viewer in self.viewers:
            viewer.close(code, message)

    def publish_json(self, message: dict[str, Any]) -> None:
        text = json.dumps(message, allow_nan=False)  # serialised once for every viewer
        for viewer in self.viewers:
            viewer.offer_json(text)


async def stop(task: asyncio.Task[Any] | None) -> None:
    if task is None or task.done():
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
