"""The lease, the fence and the fenced writes, against a real redis-server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

from app.cluster.ledger import HELD, RUNS, TAKEN_BACK, Ledger, lease_key

LEASE = 0.3  # seconds: short, so a test can wait one out


def on_redis(url: str, scenario: Callable[[Redis], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        redis = Redis.from_url(url)
        try:
            return await scenario(redis)
        finally:
            await redis.aclose()

    return asyncio.run(run())


def test_a_lease_is_one_owner_and_every_takeover_raises_the_fence(redis_url: str) -> None:
    async def scenario(redis: Redis) -> list[Any]:
        a, b = Ledger(redis, "a", LEASE), Ledger(redis, "b", LEASE)
        first = await a.claim("run")
        while_held = await b.claim("run")
        await asyncio.sleep(LEASE + 0.2)  # a never renews: its lease runs out
        taken = await b.claim("run")
        a_renews = await a.renew("run", 1)
        b_renews = await b.renew("run", 2)
        return [first, while_held, taken, a_renews, b_renews]

    assert on_redis(redis_url, scenario) == [1, None, 2, 0, HELD]


def test_a_stale_owner_cannot_write_over_the_new_one(redis_url: str) -> None:
    async def scenario(redis: Redis) -> list[Any]:
        a, b = Ledger(redis, "a", LEASE), Ledger(redis, "b", LEASE)
        await a.claim("run")
        wrote_first = await a.save("run", 1, {"epoch": 1})
        await asyncio.sleep(LEASE + 0.2)
        await b.claim("run")
        wrote_new = await b.save("run", 2, {"epoch": 5})
        wrote_stale = await a.save("run", 1, {"epoch": 3})
        return [wrote_first, wrote_new, wrote_stale, await a.load("run")]

    assert on_redis(redis_url, scenario) == [True, True, False, (2, {"epoch": 5})]


def test_a_run_with_no_lease_is_an_orphan_and_a_released_one_at_once(redis_url: str) -> None:
    async def scenario(redis: Redis) -> list[Any]:
        a, b = Ledger(redis, "a", 30), Ledger(redis, "b", 30)
        for key in ("x", "y"):
            await a.claim(key)
            await a.save(key, 1, {"key": key})
        held = await b.orphans()
        await b.release("x")  # not b's: nothing happens
        still = await b.orphans()
        await a.release("x")
        return [held, still, await b.orphans(), await b.claim("x")]

    assert on_redis(redis_url, scenario) == [[], [], ["x"], 2]


def test_a_forgotten_run_stays_gone_even_for_a_save_on_its_way(redis_url: str) -> None:
    async def scenario(redis: Redis) -> list[Any]:
        a = Ledger(redis, "a", 30)
        await a.claim("run")
        await a.save("run", 1, {"epoch": 1})
        forgot = await a.forget("run", 1)
        late = await a.save("run", 1, {"epoch": 2})
        members = await redis.smembers(RUNS)
        return [forgot, late, await a.load("run"), members, await redis.exists(lease_key("run"))]

    assert on_redis(redis_url, scenario) == [True, False, None, set(), 0]


def test_an_owner_takes_back_a_lease_redis_lost_unless_someone_newer_exists(
    redis_url: str,
) -> None:
    async def scenario(redis: Redis) -> list[Any]:
        a, b = Ledger(redis, "a", 30), Ledger(redis, "b", 30)
        await a.claim("run")
        await redis.flushall()  # a Redis restarted without its data
        back = await a.renew("run", 1)
        holder = await redis.get(lease_key("run"))
        await a.release("run")
        await b.claim("run")  # fence 2
        await b.release("run")
        stale = await a.renew("run", 1)
        return [back, holder, stale]

    assert on_redis(redis_url, scenario) == [TAKEN_BACK, b"a", 0]
