"""One thread that does all the training, for every session, taking turns between callers.

Tiny networks are run by many small numpy calls that hold Python's global lock. Several
threads training at once only fight over that lock (measured: half the CPU lost on two cores),
so every session queues its work on this one thread and the event loop stays free to send.
For the same reason numpy's BLAS runs single-threaded (set in app/__init__.py): its own threads
made the largest network's steps ten times slower on a busy machine, starving everyone else.

The thread serves its callers round-robin, not first come first served: each caller (a session,
through its `Lane`; all boundary reads together, through the `READS` lane; anything else, in one
shared lane) has its own queue, and the thread takes one job from each queue that has work, in
turn. A caller that queues many jobs — a heavy session, a stream of reads — delays another
caller's job by at most one of its own jobs, never by all of them. Jobs are kept short by their
callers: a step call trains in chunks of a few milliseconds, a full-speed tick is bounded by its
share of the frame's time (pacing.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

READS: Hashable = ("reads",)  # every boundary read of every session shares this one lane


class Job:
    __slots__ = ("args", "fn", "future", "loop")

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Any],
    ) -> None:
        self.fn, self.args, self.loop, self.future = fn, args, loop, future

    def run(self) -> None:
        if self.future.cancelled():  # nobody waits any more: skip the work
            return
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.fn(*self.args)
        except BaseException as exc:  # handed to the awaiting coroutine, which raises it
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is left to tell
            self.loop.call_soon_threadsafe(_settle, self.future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.cancelled():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


class Worker:
    def __init__(self) -> None:
        self._queues: OrderedDict[Hashable, deque[Job]] = OrderedDict()  # rotation order
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None  # started on first use, again after close
        self._generation = 0  # bumped by close: an old thread still in a job then stops

    def lane(self, key: Hashable) -> Lane:
        return Lane(self, key)

    async def run(self, fn: Callable[..., T], *args: Any, key: Hashable = None) -> T:
        """Run `fn(*args)` on the training thread when `key`'s turn comes."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._ready:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, args=(self._generation,), name="stepwise-train", daemon=True
                )
                self._thread.start()
            self._queues.setdefault(key, deque()).append(Job(fn, args, loop, future))
            self._ready.notify()
        return await future

    def waiting(self) -> int:
        with self._ready:
            return sum(len(q) for q in self._queues.values())

    def _next(self, generation: int) -> Job | None:
        """The next caller's oldest job; that caller goes to the back of the rotation."""
        with self._ready:
            while not self._queues and generation == self._generation:
                self._ready.wait()
            if generation != self._generation:
                return None
            key, queue = next(iter(self._queues.items()))
            job = queue.popleft()
            if queue:
                self._queues.move_to_end(key)
            else:
                del self._queues[key]
            return job

    def _serve(self, generation: int) -> None:
        while (job := self._next(generation)) is not None:
            job.run()

    def close(self) -> None:
        """Stop the thread after its current job; jobs still queued are cancelled."""
        with self._ready:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._generation += 1
            dropped = [job for queue in self._queues.values() for job in queue]
            self._queues.clear()
            self._ready.notify_all()
        for job in dropped:
            with contextlib.suppress(RuntimeError):  # a closed loop has no one waiting
                job.loop.call_soon_threadsafe(job.future.cancel)


class Lane:
    """One caller's queue on the shared worker: the same `run`, bound to a key."""

    def __init__(self, worker: Worker, key: Hashable) -> None:
        self.worker, self.key = worker, key

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.worker.run(fn, *args, key=self.key)
