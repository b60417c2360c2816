"""What Redis holds for a cluster: who owns each run (a lease), its fence, and its snapshot.

Keys, for a run `K`:
- `stepwise:lease:K`  the owning worker's id, expiring (`SET NX PX`); renewed by its owner.
- `stepwise:fence:K`  a counter that grows by one on every claim: the owner's fence.
- `stepwise:run:K`    a hash: `fence` (the writer's) and `record` (the run's snapshot as JSON).
- `stepwise:runs`     the set of every run with a record, which a worker scans for orphans.
- `stepwise:code:C`   the run whose watch code is C, for a worker that does not hold it.

Every write goes through a Lua script that compares fences first, in one step on the server, so
a worker that was paused or cut off past its lease (a stale owner, with an older fence) can
never write over the run's new owner, nor take the lease back from it.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

RUNS = "stepwise:runs"
HELD, TAKEN_BACK = 1, 2  # what a renewal found

# KEYS: lease, fence. ARGV: worker, lease ms. The fence of the new owner, or 0 if it is held.
CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
"""

# KEYS: lease, fence. ARGV: worker, its fence, lease ms. 1 if it still owns the run, 0 if not.
# A lease that is gone (Redis restarted, or it expired with no one taking over) is taken back
# while no newer fence exists: 2, as Redis may have lost the run's record too.
RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
if holder then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2])
return 2
"""

# KEYS: fence, run, runs. ARGV: fence, record, run id. 1 if written, 0 if the fence is stale.
SAVE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local mine = tonumber(ARGV[1])
if mine < current then return 0 end
if mine > current then redis.call('SET', KEYS[1], ARGV[1]) end
redis.call('HSET', KEYS[2], 'fence', ARGV[1], 'record', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""

# KEYS: fence, run, runs, lease. ARGV: fence, run id, worker. The fence moves on, so a save
# still on its way cannot bring the run back.
FORGET = """
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[1]) or '0') then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 86400)
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('GET', KEYS[4]) == ARGV[3] then redis.call('DEL', KEYS[4]) end
return 1
"""

# KEYS: lease. ARGV: worker. Let the run go at once (a clean shutdown) if it is still ours.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def each(redis: Redis, command: str, keys: list[str]) -> list[Any]:
    """`command` on each of `keys`, in one round trip."""
    if not keys:
        return []
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            getattr(pipe, command)(key)
        found: list[Any] = await pipe.execute()
    return found


def lease_key(key: str) -> str:
    return f"stepwise:lease:{key}"


def fence_key(key: str) -> str:
    return f"stepwise:fence:{key}"


def code_key(code: str) -> str:
    return f"stepwise:code:{code.upper()}"


def run_key(key: str) -> str:
    return f"stepwise:run:{key}"


class Ledger:
    """One worker's view of the runs in Redis: it claims, renews, saves, loads and lets go."""

    def __init__(self, redis: Redis, worker: str, lease_seconds: float) -> None:
        self.redis = redis
        self.worker = worker
        self.lease_ms = max(1, round(lease_seconds * 1000))
        self._claim = redis.register_script(CLAIM)
        self._renew = redis.register_script(RENEW)
        self._save = redis.register_script(SAVE)
        self._forget = redis.register_script(FORGET)
        self._release = redis.register_script(RELEASE)

    async def claim(self, key: str) -> int | None:
        """Take the run's lease if no one holds it: the new fence, or None."""
        fence = await self._claim(
            keys=[lease_key(key), fence_key(key)], args=[self.worker, self.lease_ms]
        )
        return int(fence) or None

    async def renew(self, key: str, fence: int) -> int:
        """HELD, TAKEN_BACK (the lease was gone: write the record again) or 0 (lost)."""
        keys = [lease_key(key), fence_key(key)]
        return int(await self._renew(keys=keys, args=[self.worker, fence, self.lease_ms]))

    async def save(self, key: str, fence: int, record: dict[str, Any]) -> bool:
        """Write the run's record stamped with `fence`; False if a newer owner exists."""
        text = json.dumps(record, allow_nan=False, separators=(",", ":"))
        keys = [fence_key(key), run_key(key), RUNS]
        return bool(await self._save(keys=keys, args=[fence, text, key]))

    async def load(self, key: str) -> tuple[int, dict[str, Any]] | None:
        """The run's last record and the fence it was written with, if it has one."""
        fence, text = await self.redis.hmget(run_key(key), ["fence", "record"])
        if fence is None or text is None:
            return None
        record: dict[str, Any] = json.loads(text)
        return int(fence), record

    async def forget(self, key: str, fence: int) -> bool:
        keys = [fence_key(key), run_key(key), RUNS, lease_key(key)]
        return bool(await self._forget(keys=keys, args=[fence, key, self.worker]))

    async def release(self, key: str) -> None:
        await self._release(keys=[lease_key(key)], args=[self.worker])

    async def orphans(self) -> list[str]:
        """Runs with a record whose lease no one holds: their owner died or shut down."""
        keys = sorted(
            k.decode() if isinstance(k, bytes) else k for k in await self.redis.smembers(RUNS)
        )
        held = await each(self.redis, "exists", [lease_key(key) for key in keys])
        return [key for key, exists in zip(keys, held, strict=True) if not exists]
