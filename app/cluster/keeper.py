"""The loops of a worker in cluster mode: renew its leases, write its runs' records, take over
the runs whose owner is gone, hear the bus, count the viewers its runs have on other workers,
say how many of its own viewers watch runs owned elsewhere, and say its load.

Each pass that fails because Redis is away (restarting, unreachable) is logged and tried again
on the next one: the client reconnects by itself, and the loops outlive any outage. A lease
renewed every third of its length survives two missed renewals.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

from app.cluster import groups
from app.cluster.ledger import TAKEN_BACK
from app.cluster.registry import ClusterRegistry

log = logging.getLogger("stepwise")
SAVE_TICK = 0.5  # seconds between looks at which records are due
ADOPT_TICK = 0.5  # seconds between looks for runs no one owns: a takeover within lease + 1 s
COUNT_TICK = 0.5  # seconds between reads of who watches this worker's runs from elsewhere
SAY_TICK = 1.0  # seconds between words on this worker's viewers of runs owned elsewhere
BEAT_TICK = 1.0  # seconds between words on this worker's load (placement.py)


async def every(seconds: float, work: Callable[[], Awaitable[None]], what: str) -> None:
    """`work()` every `seconds`, whatever Redis does meanwhile."""
    while True:
        try:
            await work()
        except (RedisError, OSError) as exc:
            log.warning("cluster: %s failed, trying again (%s)", what, exc)
        except Exception:  # a loop that ended would end the runs' durability with it
            log.exception("cluster: %s failed, trying again", what)
        await asyncio.sleep(seconds)


async def renew(registry: ClusterRegistry) -> None:
    for key, fence in list(registry.fences.items()):
        found = await registry.ledger.renew(key, fence)
        if found == TAKEN_BACK:
            registry.marks.pop(key, None)  # its record may be gone too: write it again
        elif not found and registry.fences.get(key) == fence:
            await registry.drop(key)


async def save(registry: ClusterRegistry) -> None:
    now = time.monotonic()
    for session in registry.sessions.values():
        if session.id not in registry.fences or session.group is not None:  # in its group's
            continue
        if registry.due(session.id, registry.mark(session), session.live.playing, now):
            await registry.persist(session)
    for group in registry.groups.values():
        after = groups.mark(registry, group)
        if group.id in registry.fences and registry.due(group.id, after, group.playing, now):
            await groups.persist(registry, group)


async def adopt(registry: ClusterRegistry) -> None:
    for key in await registry.ledger.orphans():
        if not registry.holds(key):
            await registry.resume(key)


async def count(registry: ClusterRegistry) -> None:
    for key in await registry.remote.refresh(list(registry.fences)):
        session = registry.get(key)
        if session is not None:
            session.live.note_viewers()


def start(registry: ClusterRegistry) -> list[asyncio.Task[None]]:
    """The loops, started: the first adoption pass resumes every run a restart left behind."""
    lease = registry.settings.lease_seconds
    return [
        asyncio.create_task(every(lease / 3, lambda: renew(registry), "renew"), name="renew"),
        asyncio.create_task(every(SAVE_TICK, lambda: save(registry), "save"), name="save"),
        asyncio.create_task(every(ADOPT_TICK, lambda: adopt(registry), "adopt"), name="adopt"),
        asyncio.create_task(every(COUNT_TICK, lambda: count(registry), "count"), name="count"),
        asyncio.create_task(every(SAY_TICK, registry.mirrors.keep, "say"), name="say"),
        asyncio.create_task(every(BEAT_TICK, registry.placement.beat, "beat"), name="beat"),
        registry.bus.start(),
    ]
