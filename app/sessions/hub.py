"""The hub fans a session's messages out to every viewer without letting one slow them all.

Each viewer has one queue, drained by its own pump task — the only task that writes to its
socket — in the order things were offered, so a "paused" message never overtakes the frame
before it. A frame holds at most one place per source: a newer frame drops the unsent one and
takes a place at the end, so a slow viewer skips frames instead of queueing them, and the
training never waits for a socket. What a frame costs on the wire is chosen as it is sent: the
delta when this viewer got the frame it applies to, the whole frame otherwise (wire.py). JSON
messages (config changes, errors) are few and each carries the whole state, so at most
CONTROL_QUEUE of them wait; past that the oldest goes.
`Hub` is the in-memory `Broadcast` of seams.py: every viewer is connected to this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from typing import Any, Protocol

from app.sessions.wire import FrameSet

CONTROL_QUEUE = 32
log = logging.getLogger("stepwise")


class Socket(Protocol):
    async def send_bytes(self, data: bytes) -> None: ...
    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class Entry:
    """One thing waiting to be sent; compared by identity, so equal frames stay distinct."""

    __slots__ = ("data", "source")

    def __init__(self, data: FrameSet | str, source: str | None) -> None:
        self.data = data
        self.source = source


class Viewer:
    """One socket. It may watch several sessions (a comparison): one frame slot for each."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.neurons = False
        self.driver = False
        self.frames_sent = 0
        self.frames_skipped = 0
        # Waiting to be sent, in order: JSON text, or a frame (its bytes, keyed by source).
        self._queue: deque[Entry] = deque()
        self._frames: dict[str, Entry] = {}  # source -> its unsent frame in the queue
        self._latest: dict[str, Entry] = {}  # kind -> its unsent message, for whole-state kinds
        self._texts = 0  # JSON messages in the queue
        self._sent: dict[str, tuple[int | None, bool]] = {}  # source -> (seq, neurons) last sent
        self._wake = asyncio.Event()
        self._closing: int | None = None  # a close code, once the session is gone

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def offer_frame(self, frames: FrameSet, source: str = "") -> None:
        stale = self._frames.pop(source, None)
        if stale is not None:
            self._queue.remove(stale)  # at most CONTROL_QUEUE + one per source: short
            self.frames_skipped += 1
        entry = Entry(frames, source)
        self._frames[source] = entry
        self._queue.append(entry)
        self._wake.set()

    def offer_json(self, message: dict[str, Any] | str, kind: str | None = None) -> None:
        """Queue a JSON message; one of a `kind` that carries the whole state (a config
        message, with all the data points) replaces the unsent one before it, as frames do."""
        text = message if isinstance(message, str) else json.dumps(message, allow_nan=False)
        stale = self._latest.pop(kind, None) if kind else None
        if stale is not None:
            self._drop_text(stale)
        if self._texts >= CONTROL_QUEUE:
            self._drop_text(next(e for e in self._queue if isinstance(e.data, str)))
        entry = Entry(text, kind)
        if kind:
            self._latest[kind] = entry
        self._queue.append(entry)
        self._texts += 1
        self._wake.set()

    def _drop_text(self, entry: Entry) -> None:
        self._queue.remove(entry)
        self._texts -= 1
        if entry.source and self._latest.get(entry.source) is entry:
            del self._latest[entry.source]

    def close(self, code: int, message: dict[str, Any]) -> None:
        """Say why, then close the socket (the session it watched is gone)."""
        self.offer_json(message)
        self._closing = code

    async def pump(self) -> None:
        """Send whatever is waiting, latest frame last, until cancelled or the socket fails.

        A socket that fails to send has gone (the client vanished mid-frame): the pump just
        ends, and the reader, which hears the disconnect, cleans up. Raising here would leave
        an exception nobody collects, logged as a traceback for an ordinary goodbye.
        """
        try:
            await self._drain_forever()
        except Exception as exc:
            log.debug("a viewer's socket failed: %r", exc)

    async def _drain_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                entry = self._queue.popleft()
                if isinstance(entry.data, str):
                    self._texts -= 1
                    if entry.source and self._latest.get(entry.source) is entry:
                        del self._latest[entry.source]
                    await self.socket.send_text(entry.data)
                else:
                    source = entry.source or ""
                    del self._frames[source]
                    frames, rich = entry.data, self.neurons and entry.data.rich is not None
                    data = frames.message(self.neurons, self._sent.get(source))
                    self._sent[source] = (frames.seq, rich)
                    await self.socket.send_bytes(data)
                    self.frames_sent += 1
            if self._closing is not None:
                await self.socket.close(self._closing)
                return


class Tap:
    """Stands in a session's hub for a viewer who watches it among others (a comparison)."""

    neurons = False
    driver = False

    def __init__(self, viewer: Viewer, source: str) -> None:
        self.viewer = viewer
        self.source = source

    def offer_frame(self, frames: FrameSet) -> None:
        self.viewer.offer_frame(frames, self.source)

    def offer_json(self, message: dict[str, Any] | str, kind: str | None = None) -> None:
        self.viewer.offer_json(message, kind and f"{kind} {self.source}")  # one per run

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
        kind = "config" if message.get("type") == "config" else None  # only the latest counts
        for viewer in self.viewers:
            viewer.offer_json(text, kind)


async def stop(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` and wait for it; one that already failed has its error logged, once."""
    if task is None:
        return
    if task.done():
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("task %s failed", task.get_name(), exc_info=error)
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
