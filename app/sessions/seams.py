"""The seams between a run and the process that holds it, as interfaces: store, lock, broadcast,
viewer count and runner ownership.

One process holds every run today, and local.py (with the hub, hub.py) implements each of these
in memory. A second implementation — a cluster sharing Redis — slots in behind the same
interfaces: the registry, sessions and comparisons only ever use them, never a dict, an
`asyncio.Lock` or a task of their own, and the routes and the engine do not see them at all.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

from app.sessions.hub import Tap, Viewer
from app.sessions.wire import FrameSet

T = TypeVar("T")


class Expiring(Protocol):
    """Something a store holds: it says itself whether it has been idle long enough to go."""

    @property
    def id(self) -> str: ...

    def expires(self, now: float) -> bool: ...


E = TypeVar("E", bound=Expiring)


class Store(Protocol[E]):
    """The sessions (or comparisons) a server holds: fresh ids, look-up, watch codes, expiry."""

    def __len__(self) -> int: ...
    def new_id(self) -> str: ...  # a fresh unguessable id, not yet held
    def get(self, key: str) -> E | None: ...
    def put(self, item: E) -> None: ...
    def pop(self, key: str) -> E | None: ...  # and forget its watch code
    def values(self) -> list[E]: ...
    def share(self, key: str) -> str: ...  # its short watch code, made on first use
    def by_code(self, code: str) -> E | None: ...
    def expired(self, now: float) -> list[str]: ...  # the ids of those that expire `now`


class Lock(Protocol):
    """A run's lock: whoever holds it may touch the trainer (asyncio.Lock's shape)."""

    async def __aenter__(self) -> None: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Locks(Protocol):
    def lock(self, key: str) -> Lock: ...  # the one lock of run `key`


class Broadcast(Protocol):
    """A run's frames and messages, fanned out to its viewers (hub.py's `Hub` in memory)."""

    def __len__(self) -> int: ...  # viewers connected to this process

    @property
    def wants_neurons(self) -> bool: ...

    def add(self, viewer: Viewer | Tap) -> None: ...
    def remove(self, viewer: Viewer | Tap) -> None: ...
    def publish_frame(self, frames: FrameSet) -> None: ...
    def publish_json(self, message: dict[str, Any]) -> None: ...
    def close_all(self, code: int, message: dict[str, Any]) -> None: ...


class ViewerCount(Protocol):
    """How many watch a run, wherever they are connected: the viewer limit, idle expiry and
    whether an unwatched run keeps playing all read it."""

    def count(self) -> int: ...


class Runners(Protocol):
    """Which process drives a run's runner task, and that task (in memory: always this one)."""

    def owns(self, key: str) -> bool: ...
    def start(self, key: str, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None: ...
    def running(self, key: str) -> bool: ...
    async def stop(self, key: str) -> None: ...


@dataclass(frozen=True)
class Backend:
    """The seams a session or comparison is built with (the stores are the registry's)."""

    locks: Locks
    broadcast: Callable[[str], Broadcast]  # run id -> its broadcast
    viewers: Callable[[str, Broadcast], ViewerCount]  # run id, its local broadcast -> count
    runners: Runners
