"""Answers to reads that compute (the boundary now, or at a checkpoint), cached and shared.

Anyone with a session's id may read its boundary, so a read must cost little however often it
is asked. Each answer is kept, as the bytes sent, under the moment it shows — the session's
current grid object, which is replaced whenever the run moves, or a timeline checkpoint, which
never changes — and a resolution. A read of a moment already answered costs a dictionary look-up;
identical reads that arrive while the answer is being made wait for that one computation
instead of starting their own. A few answers are kept per session (the most recent, at most
MAX_BYTES together: one frame-sized boundary), so a run that moves on drops what it showed
before and an idle session holds little. A larger answer (the driver's 200 × 200) is shared
by the reads that arrive together but not kept.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

KEEP = 2  # answers kept per session: a page reads one resolution, a script maybe another
MAX_BYTES = 262_144  # kept per session at most: a 100 x 100 boundary is ~190 KB of JSON


class Reads:
    def __init__(self, keep: int = KEEP, max_bytes: int = MAX_BYTES) -> None:
        self.keep, self.max_bytes = keep, max_bytes
        # (id of the moment, what was asked) -> (the moment itself, its answer); the moment is
        # held so its id cannot be reused by a newer object while the entry lives.
        self._done: OrderedDict[tuple[int, Hashable], tuple[object, bytes]] = OrderedDict()
        self._making: dict[tuple[int, Hashable], tuple[object, asyncio.Task[bytes]]] = {}

    async def get(
        self, moment: object, asked: Hashable, make: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        """The answer for `asked` at `moment`: kept, being made, or made now by `make`."""
        key = (id(moment), asked)
        done = self._done.get(key)
        if done is not None and done[0] is moment:
            self._done.move_to_end(key)
            return done[1]
        making = self._making.get(key)
        if making is None or making[0] is not moment:
            task = asyncio.ensure_future(make())
            making = self._making[key] = (moment, task)
            task.add_done_callback(lambda t: self._finish(key, moment, t))
        # shield: one caller giving up (a closed connection) must not cancel the others' answer
        return await asyncio.shield(making[1])

    def _finish(self, key: tuple[int, Hashable], moment: object, task: asyncio.Task[bytes]) -> None:
        if self._making.get(key, (None, None))[1] is task:
            del self._making[key]
        if task.cancelled():
            return
        if task.exception() is not None:  # retrieved here: the waiters raise it themselves
            return
        data = task.result()
        if len(data) > self.max_bytes:
            return
        self._done[key] = (moment, data)
        self._done.move_to_end(key)
        while len(self._done) > self.keep or self.nbytes > self.max_bytes:
            self._done.popitem(last=False)

    @property
    def nbytes(self) -> int:
        return sum(len(data) for _, data in self._done.values())
