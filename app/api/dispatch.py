"""Any worker serves any request: a call about a run another worker owns is passed on to it.

In cluster mode a request may land on any worker, and a run lives on the one that holds its
lease. This middleware looks at the run a path names (`/api/sessions/{id}…`, `/watch/{id}`, or
its watch code, `/w/{code}`) or the comparison (`/api/comparisons/{id}…`, leased as a run is):
if this worker holds it, or no one does and Redis has no record of it, the request goes on here
as in one process (so an unknown id gets the usual 404).
Otherwise it travels whole — method, path, query, headers, body, the client's address — over
the bus (app/cluster/bus.py) to the owner, which runs it through the same routes below this
middleware and sends back the status, headers and body they gave, which this worker answers as
its own. The routes never learn where the run lives. A new run or comparison is made by the
least loaded live worker (app/cluster/placement.py), which may be another. A run between owners
(its owner died, another is taking it over) gets 503 with `Retry-After`, as does an owner that
does not answer in time.

The socket route asks `relay.py` the same question for a socket (it stays here; the run's
frames come over the bus).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from fastapi import FastAPI
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import ApiError, error_response
from app.api.refusals import RETRY as FULL
from app.cluster.bus import Head, Unheard, Unreachable
from app.cluster.ledger import code_key
from app.cluster.registry import ClusterRegistry

RUN_PATH = re.compile(r"^/(?:api/sessions|api/comparisons|watch)/([A-Za-z0-9_-]{8,64})(?:/|$)")
CODE_PATH = re.compile(r"^/w/([A-Za-z0-9]{1,16})$")  # a watch code, held by the run's owner
NEW = ("/api/sessions", "/api/sessions/import", "/api/comparisons")  # placed by load
PASSED_ON = "stepwise.passed_on"  # a scope key: this request came over the bus, serve it here
MOVING = "this session is moving to another server; try again in a moment"
SILENT = "the server running this session did not answer; try again in a moment"


def run_of(path: str) -> str | None:
    found = RUN_PATH.match(path)
    return found.group(1) if found else None  # "import" is too short to be an id


async def unavailable(message: str, scope: Scope, receive: Receive, send: Send) -> None:
    response: Any = error_response(ApiError(503, message, headers={"Retry-After": "1"}))
    await response(scope, receive, send)


async def where(registry: ClusterRegistry, key: str) -> str | None:
    """The worker to pass a request on to: None to serve it here; MOVING when it is between
    owners (or Redis cannot say)."""
    if registry.holds(key):
        return None
    try:
        owner = await registry.owner(key)
        if owner is None:
            return MOVING if await registry.kept(key) else None
    except (RedisError, OSError):
        return MOVING
    return MOVING if owner == registry.name else owner  # ours, and being rebuilt here


class Link:
    """The way to a run's owner, whichever worker that is now, for a request or a socket."""

    def __init__(self, registry: ClusterRegistry, key: str, owner: str) -> None:
        self.registry, self.key, self.owner = registry, key, owner

    async def holds(self, owner: str) -> bool:
        return await self.registry.owner(self.key) == owner

    async def ask(self, head: Head, body: bytes = b"") -> tuple[Head, bytes] | None:
        """The owner's answer; once more from a new owner if this one is gone; None if none
        answers."""
        answer: tuple[Head, bytes] | None = None
        for _ in range(2):
            try:
                bus, asked = self.registry.bus, {**head, "key": self.key}
                answer = await bus.ask(self.owner, asked, body, partial(self.holds, self.owner))
                if not answer[0].get("missing"):
                    return answer
            except Unreachable:
                answer = None
            owner = await where(self.registry, self.key)
            if owner is None and self.registry.holds(self.key):  # it came here: ask ourselves
                owner = self.registry.name
            if owner is None or owner == MOVING or owner == self.owner:
                break
            self.owner = owner
        return answer


class Dispatch:
    """The middleware: requests about runs owned elsewhere go to their owner."""

    def __init__(self, app: ASGIApp, fastapi: FastAPI, registry: ClusterRegistry) -> None:
        self.app, self.fastapi, self.registry = app, fastapi, registry
        registry.bus.handlers["http"] = self.serve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(PASSED_ON):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] in NEW:
            await self.place(scope, receive, send)
            return
        key = await self.run_of(scope["path"])
        if key is None:
            await self.app(scope, receive, send)
            return
        owner = await where(self.registry, key)
        if owner is None:
            await self.app(scope, receive, send)
        elif owner == MOVING:
            await unavailable(MOVING, scope, receive, send)
        else:
            await self.pass_on(Link(self.registry, key, owner), scope, receive, send)

    async def run_of(self, path: str) -> str | None:
        """The run a path names, by its id or by its watch code (kept in Redis by the owner)."""
        if (coded := CODE_PATH.match(path)) is None:
            return run_of(path)
        if self.registry.by_code(coded.group(1)) is not None:
            return None
        try:
            key = await self.registry.redis.get(code_key(coded.group(1)))
        except (RedisError, OSError):
            return None
        return key.decode() if isinstance(key, bytes) else key

    async def pass_on(self, link: Link, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)  # bounded: BodyLimit, outside, counts it as it comes
        found = await link.ask(request_head(scope), body)
        if found is None or found[0].get("missing"):
            await unavailable(SILENT if found is None else MOVING, scope, receive, send)
            return
        await answer_with(send, *found)

    async def place(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A new run or comparison: made by the least loaded live worker (placement.py), maybe
        this one. A worker that is full (a 503 to come back in a minute: its session or memory
        limit) hands it on to the next, so the cluster refuses only when every worker would."""
        try:
            order = await self.registry.placement.order()
        except (RedisError, OSError):
            order = [self.registry.name]
        body = await read_body(receive)
        answer: tuple[Head, bytes] | None = None
        for worker in order:
            if worker == self.registry.name:
                answer = await self.capture(scope, body)
            else:
                try:
                    answer = await self.registry.bus.ask(worker, request_head(scope), body)
                except Unheard:  # it is gone: the next
                    continue
                except Unreachable:  # it may have made it: a second one would be a surprise
                    await unavailable(SILENT, scope, receive, send)
                    return
            if not full(answer[0]):
                break
        await answer_with(send, *(answer or await self.capture(scope, body)))

    async def capture(self, scope: Scope, body: bytes) -> tuple[Head, bytes]:
        """The answer the routes below give to a request, kept rather than sent."""
        answer: Head = {"status": 500, "headers": []}
        chunks: list[bytes] = []

        async def respond(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = [
                    [k.decode("latin-1"), v.decode("latin-1")] for k, v in message["headers"]
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay(body), respond)
        return answer, b"".join(chunks)

    async def serve(self, head: Head, body: bytes) -> tuple[Head, bytes]:
        """Answer a request another worker passed on, through the routes below this one."""
        if "key" in head and not self.registry.holds(head["key"]):  # moved on: ask anew
            return {"missing": True}, b""
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": head["method"],
            "scheme": head["scheme"],
            "path": head["path"],
            "raw_path": head["path"].encode(),
            "query_string": head["query"].encode("latin-1"),
            "root_path": "",
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in head["headers"]],
            "client": tuple(head["client"]) if head["client"] else None,
            "server": tuple(head["server"]) if head["server"] else None,
            "app": self.fastapi,
            PASSED_ON: True,
        }
        return await self.capture(scope, body)


def full(answer: Head) -> bool:
    """Whether a worker refused a new run for want of room: its limits' 503, to retry in a
    minute (not a moment, as a run between owners is)."""
    headers = {k.lower(): v for k, v in answer.get("headers", [])}
    return bool(answer.get("status") == 503 and headers.get("retry-after") == FULL["Retry-After"])


def request_head(scope: Scope) -> Head:
    """The request, but for its body, as it travels over the bus."""
    return {
        "kind": "http",
        "method": scope["method"],
        "path": scope["path"],
        "query": scope["query_string"].decode("latin-1"),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
        "client": list(scope["client"]) if scope.get("client") else None,
        "scheme": scope.get("scheme", "http"),
        "server": list(scope["server"]) if scope.get("server") else None,
    }


async def answer_with(send: Send, answer: Head, body: bytes) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer["headers"]]
    await send({"type": "http.response.start", "status": answer["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


def replay(body: bytes) -> Receive:
    """A request's body, read already, to be read again."""
    sent = {"more": True}

    async def receive() -> Message:
        if sent["more"]:
            sent["more"] = False
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def install(app: FastAPI, registry: ClusterRegistry) -> None:
    """Pass requests on in cluster mode; added first, so that it sits below the middleware that
    every answer goes through (headers, compression, body limit) on the worker that answers."""
    app.add_middleware(Dispatch, fastapi=app, registry=registry)
