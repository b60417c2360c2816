"""The bus between workers: one Redis pub/sub connection per worker, for requests passed on to a
run's owner and for the frames an owner fans out.

Channels:
- `stepwise:inbox:W`  requests for worker W (a REST call, a socket's message), each with a
  correlation id and the asker's name;
- `stepwise:reply:W`  the answers to W's requests, matched to the waiting caller by that id;
- `stepwise:frames:K` what run K's owner fans out to viewers on other workers (fanout.py).

A message is a JSON head and raw bytes (`pack`): a frame or a body travels as the bytes it is.
Pub/sub says how many listened: a request no one heard fails at once (Unreachable), one not
answered within `STEPWISE_FORWARD_SECONDS` fails then. The one subscriber loop only hands each
message on — to a task for a request, to a listener that never blocks for a frame — so it keeps
up with Redis (which drops a subscriber 32 MB behind), and it outlives every Redis outage: it
waits, reconnects and subscribes to every channel again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.sessions.hub import stop

log = logging.getLogger("stepwise")
Head = dict[str, Any]
Handler = Callable[[Head, bytes], Awaitable[tuple[Head, bytes]]]
Listener = Callable[[bytes], None]
RETRY = 0.5  # seconds between tries while Redis is away
CHECK = 0.5  # seconds between looks, while an answer is awaited, at whether the worker still owns


class Unreachable(Exception):
    """No worker heard the request, or none answered in time."""


class Unheard(Unreachable):
    """No worker heard the request: it was not acted on."""


def pack(head: Head, body: bytes = b"") -> bytes:
    text = json.dumps(head, separators=(",", ":"), allow_nan=False).encode()
    return struct.pack("<I", len(text)) + text + body


def unpack(data: bytes) -> tuple[Head, bytes]:
    (length,) = struct.unpack_from("<I", data)
    head: Head = json.loads(data[4 : 4 + length])
    return head, data[4 + length :]


INBOX, REPLIES = "stepwise:inbox:", "stepwise:reply:"  # + a worker's name


class Bus:
    def __init__(self, redis: Redis, worker: str, timeout: float) -> None:
        self.redis, self.worker, self.timeout = redis, worker, timeout
        self.pubsub = redis.pubsub()
        self.handlers: dict[str, Handler] = {}  # request kind -> what answers it here
        self.listeners: dict[str, Listener] = {}  # channel -> what hears it
        self._waiting: dict[str, asyncio.Future[tuple[Head, bytes]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    def channels(self) -> list[str]:
        return [INBOX + self.worker, REPLIES + self.worker, *self.listeners]

    def start(self) -> asyncio.Task[None]:
        self._loop = asyncio.create_task(self._run(), name="bus")
        return self._loop

    async def listen(self, channel: str, listener: Listener) -> None:
        self.listeners[channel] = listener
        try:
            await self.pubsub.subscribe(channel)
        except RedisError as exc:  # the loop subscribes again once Redis is back
            log.warning("bus: subscribing to a run failed for now (%s)", exc)

    async def unlisten(self, channel: str) -> None:
        if self.listeners.pop(channel, None) is not None:
            try:
                await self.pubsub.unsubscribe(channel)
            except RedisError as exc:
                log.debug("bus: unsubscribing failed (%s)", exc)

    async def _run(self) -> None:
        subscribed = False
        while True:
            try:
                if not subscribed:
                    await self.pubsub.subscribe(*self.channels())
                    subscribed = True
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                if message is not None and message["type"] == "message":
                    self._hand_on(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: wait, reconnect, subscribe again
                log.warning("bus: listening failed, trying again (%s)", exc)
                subscribed = False
                await asyncio.sleep(RETRY)

    def _hand_on(self, channel: bytes | str, data: bytes) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        if name == INBOX + self.worker:
            task = asyncio.create_task(self._answer(data))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif name == REPLIES + self.worker:
            head, body = unpack(data)
            waiting = self._waiting.pop(head.get("id", ""), None)
            if waiting is not None and not waiting.done():
                waiting.set_result((head, body))
        elif (listener := self.listeners.get(name)) is not None:
            try:
                listener(data)
            except Exception:  # one bad message must not end the loop every run shares
                log.exception("bus: a run's message could not be handed on")

    async def _answer(self, data: bytes) -> None:
        head, body = unpack(data)
        handler = self.handlers.get(head.get("kind", ""))
        try:
            if handler is None:
                raise LookupError(f"no handler for {head.get('kind')!r}")
            answer, out = await handler(head, body)
        except Exception:
            log.exception("bus: answering a %s request failed", head.get("kind"))
            answer, out = {"failed": True}, b""
        try:
            reply = pack({**answer, "id": head["id"]}, out)
            await self.redis.publish(REPLIES + head["from"], reply)
        except RedisError as exc:  # the asker hears nothing and gives up in time
            log.warning("bus: an answer was lost (%s)", exc)

    async def ask(
        self,
        worker: str,
        head: Head,
        body: bytes = b"",
        holds: Callable[[], Awaitable[bool]] | None = None,
    ) -> tuple[Head, bytes]:
        """Send `head` and `body` to `worker` and wait for its answer; Unreachable if no one
        heard it, it failed, it did not answer within the timeout, or — asked every CHECK
        seconds meanwhile — `holds()` says it no longer owns what it was asked about (a frozen
        worker's lease runs out: its run's next owner is the one to ask)."""
        ident = secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        waiting: asyncio.Future[tuple[Head, bytes]] = loop.create_future()
        self._waiting[ident] = waiting
        deadline = loop.time() + self.timeout
        try:
            message = pack({**head, "id": ident, "from": self.worker}, body)
            if not await self.redis.publish(INBOX + worker, message):
                raise Unheard("no worker heard the request")
            while not waiting.done():
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError
                await asyncio.wait({waiting}, timeout=min(CHECK, left))
                if not waiting.done() and holds is not None and not await holds():
                    raise Unreachable("the worker asked no longer owns it")
            answer = waiting.result()
        except (RedisError, OSError, TimeoutError) as exc:
            raise Unreachable(str(exc) or type(exc).__name__) from None
        finally:
            self._waiting.pop(ident, None)
        if answer[0].get("failed"):
            raise Unreachable("the owner failed to answer")
        return answer

    async def close(self) -> None:
        await stop(self._loop)
        for task in list(self._tasks):
            await stop(task)
        try:
            await self.pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
        except (RedisError, OSError) as exc:
            log.debug("bus: closing failed (%s)", exc)
