"""One thread that does all the training, for every session.

Tiny networks are run by many small numpy calls that hold Python's global lock. Several
threads training at once only fight over that lock (measured: half the CPU lost on two cores),
so every session queues its work on this one thread and the event loop stays free to send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Worker:
    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None  # started on first use, again after close

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stepwise-train")
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
