"""A run's frames and messages, from its owner to its viewers on other workers, through Redis.

The owner's hub (`ClusterHub`) fans out to its own viewers as in one process, and, while viewers
on other workers watch, publishes each frame once on the run's channel: the frame's encoded
bytes as wire.py made them for every viewer — whole and delta, with and without neurons — in one
message, never once per viewer. Each worker with viewers of the run (mirror.py) picks from those
bytes for each of its viewers, as the hub does. What waits to be published is bounded as a
viewer's queue is: a newer frame replaces the unsent one, and a few messages at most wait.
Every message carries the owner's fence, so what a stale owner still sends is ignored.

Workers say in Redis how many of their viewers watch each run (`stepwise:watch:K`, a hash of
worker -> "viewers neurons until-ms [resolutions]"); the owner reads it twice a second for its
runs, and counts those viewers with its own (the viewer limit, idle expiry, unwatched pausing,
the count shown). The resolutions are the loss landscapes that worker's viewers asked for: for
each, the run's landscape feed has one more viewer (`Afar`), which publishes each landscape once
on the run's channel for every viewer elsewhere that asked; none asked, none published. It is
read again after a takeover, so the new owner's feed serves them with no word from their side.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.cluster.bus import pack
from app.cluster.ledger import each
from app.cluster.notes import Announcing, Resumed
from app.sessions.hub import CONTROL_QUEUE, Viewer
from app.sessions.seams import Broadcast
from app.sessions.wire import FrameSet, Variant

log = logging.getLogger("stepwise")
WATCH_SECONDS = 5.0  # how long a worker's word on its viewers holds unless said again


def channel(key: str) -> str:
    return f"stepwise:frames:{key}"


def watch_key(key: str) -> str:
    return f"stepwise:watch:{key}"


def frame_message(frames: FrameSet, fence: int) -> bytes:
    """One frame for every viewer elsewhere: its variants' bytes, as encoded for viewers here."""
    parts: list[bytes] = [frames.plain.whole(), frames.plain.delta or b""]
    if frames.rich is not None:
        parts += [frames.rich.whole(), frames.rich.delta or b""]
    head = {"t": "frame", "fence": fence, "seq": frames.seq, "base": frames.base}
    return pack({**head, "sizes": [len(p) for p in parts]}, b"".join(parts))


def frame_set(head: dict[str, Any], body: bytes) -> FrameSet:
    """The frame set a `frame_message` carries, ready for the viewers of a hub."""
    parts, at = [], 0
    for size in head["sizes"]:
        parts.append(body[at : at + size])
        at += size
    variants = [Variant.encoded(parts[i], parts[i + 1] or None) for i in range(0, len(parts), 2)]
    rich = variants[1] if len(variants) > 1 else None
    return FrameSet(variants[0], rich, head["seq"], head["base"])


def text_message(text: str, kind: str | None, fence: int) -> bytes:
    return pack({"t": "json", "fence": fence, "kind": kind}, text.encode())


def landscape_message(text: str, resolution: int, fence: int) -> bytes:
    return pack({"t": "landscape", "fence": fence, "res": resolution}, text.encode())


class Outbox:
    """What one run's owner has yet to publish, in order, and the task that publishes it."""

    def __init__(self, redis: Redis, key: str) -> None:
        self.redis, self.channel = redis, channel(key)
        self._queue: deque[tuple[FrameSet, int] | bytes] = deque()
        self._frame: tuple[FrameSet, int] | None = None  # the unsent frame in the queue
        self._texts = 0
        self._task: asyncio.Task[None] | None = None

    def frame(self, frames: FrameSet, fence: int) -> None:
        if self._frame is not None:
            self._queue.remove(self._frame)  # encoded only if it is still the latest when sent
        self._frame = (frames, fence)
        self._queue.append(self._frame)
        self._wake()

    def text(self, data: bytes) -> None:
        if self._texts >= CONTROL_QUEUE:
            self._queue.remove(next(e for e in self._queue if isinstance(e, bytes)))
            self._texts -= 1
        self._queue.append(data)
        self._texts += 1
        self._wake()

    def _wake(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._send(), name="outbox")

    async def _send(self) -> None:
        while self._queue:
            entry = self._queue.popleft()
            if isinstance(entry, bytes):
                self._texts -= 1
                data = entry
            else:
                self._frame = None
                data = frame_message(*entry)
            try:
                await self.redis.publish(self.channel, data)
            except (RedisError, OSError) as exc:  # Redis away: these viewers skip a frame
                log.debug("fanout: a run's message was lost (%s)", exc)


class Remote:
    """The owner's view of who watches its runs from other workers."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.counts: dict[str, tuple[int, int]] = {}  # run -> (viewers, wanting neurons)
        self.landscapes: dict[str, frozenset[int]] = {}  # run -> the resolutions asked for
        # set by the HTTP side (answers.py): the run's feed serves what viewers elsewhere ask
        self.follow: Callable[[str], None] = lambda key: None

    def asked(self, key: str) -> frozenset[int]:
        return self.landscapes.get(key, frozenset())

    def viewers(self, key: str) -> int:
        return self.counts.get(key, (0, 0))[0]

    def neurons(self, key: str) -> int:
        return self.counts.get(key, (0, 0))[1]

    async def refresh(self, keys: list[str]) -> list[str]:
        """Read what the workers said of `keys`; the runs whose counts changed."""
        found = await each(self.redis, "hgetall", [watch_key(key) for key in keys])
        now, changed = time.time() * 1000, []
        for key, fields in zip(keys, found, strict=True):
            viewers = neurons = 0
            asked: set[int] = set()
            for value in fields.values():
                count, wanting, until, *rest = value.decode().split()
                if int(until) > now:
                    viewers, neurons = viewers + int(count), neurons + int(wanting)
                    asked.update(int(r) for part in rest for r in part.split(","))
            if self.counts.get(key, (0, 0)) != (viewers, neurons):
                changed.append(key)
            if viewers:
                self.counts[key] = (viewers, neurons)
            else:
                self.counts.pop(key, None)
            self.landscapes[key] = frozenset(asked)
            self.follow(key)
        return changed

    def forget(self, key: str) -> None:
        self.counts.pop(key, None)
        self.landscapes.pop(key, None)


class ClusterHub(Announcing):
    """The owner's hub: its own viewers as in one process, the others through the bus."""

    def __init__(
        self, key: str, resumed: Resumed, remote: Remote, outbox: Outbox, fences: dict[str, int]
    ) -> None:
        super().__init__(key, resumed)
        self.remote, self.outbox, self.fences = remote, outbox, fences

    @property
    def wants_neurons(self) -> bool:
        return super().wants_neurons or self.remote.neurons(self.key) > 0

    def _fence(self) -> int | None:
        """The fence to stamp, while viewers elsewhere watch and this worker owns the run."""
        return self.fences.get(self.key) if self.remote.viewers(self.key) else None

    def publish_frame(self, frames: FrameSet) -> None:
        super().publish_frame(frames)
        if (fence := self._fence()) is not None:
            self.outbox.frame(frames, fence)

    def publish_json(self, message: dict[str, Any]) -> None:
        super().publish_json(message)
        self.tell(message)

    def tell(self, message: dict[str, Any], always: bool = False) -> None:
        """Publish `message` to the viewers elsewhere (`always`: whether or not any is known)."""
        fence = self.fences.get(self.key) if always else self._fence()
        if fence is not None:
            kind = "config" if message.get("type") == "config" else None
            self.outbox.text(text_message(json.dumps(message, allow_nan=False), kind, fence))


class Nobody:
    """The socket of a viewer that stands in for others: nothing is ever sent on it."""

    async def send_bytes(self, data: bytes) -> None:
        return None

    async def send_text(self, data: str) -> None:
        return None

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        return None


class Afar(Viewer):
    """Every viewer elsewhere that asked for a run's landscape at one resolution, as one viewer
    of the run's feed: each landscape it is offered is published once on the run's channel."""

    def __init__(self, hub: ClusterHub, resolution: int) -> None:
        super().__init__(Nobody())
        self.hub, self.resolution = hub, resolution

    def offer_json(self, message: dict[str, Any] | str, kind: str | None = None) -> None:
        fence = self.hub.fences.get(self.hub.key)
        if fence is not None:  # still this worker's run
            text = message if isinstance(message, str) else json.dumps(message, allow_nan=False)
            self.hub.outbox.text(landscape_message(text, self.resolution, fence))


class ClusterCount:
    """A run's viewers: those connected here and those watching through other workers."""

    def __init__(self, key: str, hub: Broadcast, remote: Remote) -> None:
        self.key, self.hub, self.remote = key, hub, remote

    def count(self) -> int:
        return len(self.hub) + self.remote.viewers(self.key)


def gone_message(fence: int) -> bytes:
    """The run was deleted: its viewers everywhere are told and let go."""
    return pack({"t": "gone", "fence": fence})
