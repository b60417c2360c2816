"""A runner's sleep between two ticks that a pause can cut short.

A playing run sleeps until its next frame is due. A pause only clears a flag; without a wake-up
the runner would notice it after that sleep, so the "idle" message a user waits for would come
up to a frame period late. `wake()` ends the current sleep at once (and the next one, if it comes
before any sleep starts), so the runner sees the pause as soon as its tick in flight is done.
"""

from __future__ import annotations

import asyncio


class Nap:
    def __init__(self) -> None:
        self._woken = False
        self._waiter: asyncio.Future[None] | None = None

    async def sleep(self, seconds: float) -> None:
        if self._woken:
            self._woken = False
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiter = waiter
        timer = loop.call_later(max(0.0, seconds), _settle, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def wake(self) -> None:
        if self._waiter is None:
            self._woken = True
        else:
            _settle(self._waiter)


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
