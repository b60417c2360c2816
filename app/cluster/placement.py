"""Where a new run goes: to the live worker holding the fewest runs, not to whichever took the
request (first-come placement piles every run of a class on one worker).

Each worker says in Redis how many runs it holds (`stepwise:workers`, a hash of worker ->
"runs until-ms"): every second, and at once whenever it makes or drops one, so that runs made
one after another through one worker see each placement before the next. A worker whose word
ran out (it died) is not chosen. Ties go to the worker that took the request: no hop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio import Redis

WORKERS = "stepwise:workers"
LIVE_SECONDS = 3.0  # a worker that has not said its load for this long is not given new runs


class Placement:
    def __init__(self, redis: Redis, name: str, runs: Callable[[], int]) -> None:
        self.redis, self.name, self.runs = redis, name, runs

    async def beat(self) -> None:
        """Say how many runs this worker holds, for a while."""
        until = int((time.time() + LIVE_SECONDS) * 1000)
        await self.redis.hset(WORKERS, self.name, f"{self.runs()} {until}")

    async def leave(self) -> None:
        await self.redis.hdel(WORKERS, self.name)

    async def loads(self) -> dict[str, int]:
        """Every live worker's runs; this worker's as it counts them now."""
        now, loads = time.time() * 1000, {}
        for worker, value in (await self.redis.hgetall(WORKERS)).items():
            runs, until = (int(v) for v in value.split())
            if until > now:
                loads[worker.decode() if isinstance(worker, bytes) else worker] = runs
        loads[self.name] = self.runs()
        return loads

    async def order(self) -> list[str]:
        """The live workers a new run should go to, the least loaded first."""
        loads = await self.loads()
        return sorted(loads, key=lambda worker: (loads[worker], worker != self.name, worker))
