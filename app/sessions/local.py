"""The seams of seams.py as one process keeps them: in dicts, asyncio locks and tasks.

Ids are secrets from the system's CSPRNG (192 bits): the id lets anyone who has it watch.
Watch codes are short (8 of 31 characters without look-alikes, ≈ 8.5e11) and only let people
watch, like the id. The viewer count is the hub's own, since every viewer is connected here,
and this process owns every runner.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, Generic

from app.sessions.hub import Hub, stop
from app.sessions.seams import Backend, Broadcast, E, Lock

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class LocalStore(Generic[E]):
    def __init__(self) -> None:
        self._items: dict[str, E] = {}
        self._codes: dict[str, str] = {}  # short watch code -> id
        self._code_of: dict[str, str] = {}  # id -> its code

    def __len__(self) -> int:
        return len(self._items)

    def new_id(self) -> str:
        key = secrets.token_urlsafe(24)
        while key in self._items:
            key = secrets.token_urlsafe(24)
        return key

    def get(self, key: str) -> E | None:
        return self._items.get(key)

    def put(self, item: E) -> None:
        self._items[item.id] = item

    def pop(self, key: str) -> E | None:
        code = self._code_of.pop(key, None)
        if code is not None:
            self._codes.pop(code, None)
        return self._items.pop(key, None)

    def values(self) -> list[E]:
        return list(self._items.values())

    def share(self, key: str) -> str:
        code = self._code_of.get(key)
        if code is None:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            while code in self._codes:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            self._codes[code] = key
            self._code_of[key] = code
        return code

    def code(self, key: str) -> str | None:
        """Its watch code if it has one yet (share makes one)."""
        return self._code_of.get(key)

    def keep_code(self, key: str, code: str) -> None:
        """Give it back the watch code it had before (a run resumed from elsewhere)."""
        self._codes[code] = key
        self._code_of[key] = code

    def by_code(self, code: str) -> E | None:
        key = self._codes.get(code.upper())
        return None if key is None else self._items.get(key)

    def expired(self, now: float) -> list[str]:
        return [key for key, item in self._items.items() if item.expires(now)]


class LocalLocks:
    """One asyncio lock per run, for as long as anyone holds on to it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, key: str) -> Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


class LocalCount:
    """Every viewer of a run is connected to this process: its hub counts them."""

    def __init__(self, hub: Broadcast) -> None:
        self.hub = hub

    def count(self) -> int:
        return len(self.hub)


class LocalRunners:
    """This process owns every run; a run has at most one runner task at a time."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def owns(self, key: str) -> bool:
        return True

    def start(self, key: str, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if not self.running(key):
            self._tasks[key] = asyncio.create_task(run(), name=name)

    def running(self, key: str) -> bool:
        task = self._tasks.get(key)
        return task is not None and not task.done()

    async def stop(self, key: str) -> None:
        await stop(self._tasks.pop(key, None))


def backend() -> Backend:
    """The seams of one process that holds every run itself."""
    return Backend(
        locks=LocalLocks(),
        broadcast=lambda key: Hub(),
        viewers=lambda key, hub: LocalCount(hub),
        runners=LocalRunners(),
    )
