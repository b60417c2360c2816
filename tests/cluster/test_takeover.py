"""Twenty playing runs, 120 viewers over 3 workers, and the busiest owner killed: every run it
owned goes on elsewhere, and every viewer connected through a surviving worker keeps its socket
and hears "resumed". Real redis-server and real workers.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter

import httpx2
import redis

from app.cluster.ledger import lease_key, run_key
from tests.cluster.procs import Worker
from tests.cluster.test_bus import Watcher, ws

FAST = {"lease_seconds": "1", "snapshot_seconds": "0.5", "frame_rate": "10"}
RUNS = 20
EACH = 2  # viewers of every run on every worker: 120 sockets in all


def owners(url: str, keys: list[str]) -> dict[str, str | None]:
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return {key: client.get(lease_key(key)) for key in keys}
    finally:
        client.close()


def playing(url: str, key: str) -> bool:
    client = redis.Redis.from_url(url)
    try:
        record = client.hget(run_key(key), "record")
    finally:
        client.close()
    return isinstance(record, bytes) and bool(json.loads(record)["playing"])


def test_killing_the_busiest_owner_loses_no_run_and_no_viewer_elsewhere(redis_url: str) -> None:
    workers = [Worker(redis_url, **FAST) for _ in range(3)]
    try:
        made = [
            httpx2.post(workers[0].url + "/api/sessions", json={"n_samples": 50}).json()
            for _ in range(RUNS)
        ]
        keys = [m["id"] for m in made]
        held = owners(redis_url, keys)
        busiest = Counter(held.values()).most_common(1)[0][0]
        assert busiest is not None
        # A worker's name is host:pid:nonce: the process to kill is the one with that pid.
        victim = next(w for w in workers if w.process.pid == int(busiest.split(":")[1]))
        orphaned = [key for key in keys if held[key] == busiest]
        alive = [i for i, w in enumerate(workers) if w is not victim]

        async def scenario() -> None:
            watchers = {
                (key, i, j): Watcher(ws(w, key))
                for key in keys
                for i, w in enumerate(workers)
                for j in range(EACH)
            }
            for watcher in watchers.values():
                await watcher.__aenter__()
            try:
                for m in made:  # played through the last worker, whoever owns it
                    driver = watchers[(m["id"], 2, 0)]
                    await driver.send({"type": "auth", "token": m["token"]})
                    await driver.send({"type": "play"})
                for key in keys:
                    await watchers[(key, 2, 0)].until(lambda k=key: playing(redis_url, k), "played")
                victim.stop(signal.SIGKILL)
                for (key, i, _), watcher in watchers.items():
                    if i in alive:
                        seen = len(watcher.frames())
                        if key in orphaned:
                            await watcher.until(lambda w=watcher: w.of("resumed"), "resumed", 30)
                            at = watcher.seen.index(watcher.of("resumed")[0])
                            await watcher.until(
                                lambda w=watcher, a=at: any(
                                    m["type"] == "frame" for m in w.seen[a:]
                                ),
                                "frames after the word",
                                30,
                            )
                        else:
                            await watcher.until(
                                lambda w=watcher, s=seen: len(w.frames()) > s, "frames", 30
                            )
                for (key, i, _), watcher in watchers.items():
                    if i not in alive:
                        continue
                    word = watcher.of("resumed")
                    assert bool(word) == (key in orphaned)  # said where it happened, only
                    at = watcher.seen.index(word[0]) if word else 0
                    epochs = [m["epoch"] for m in watcher.seen[at:] if m["type"] == "frame"]
                    assert epochs == sorted(epochs)  # never backwards but to the word's epoch
                    assert not word or epochs[0] >= word[0]["epoch"]
            finally:
                for watcher in watchers.values():
                    await watcher.__aexit__()

        asyncio.run(scenario())
        after = owners(redis_url, keys)
        assert all(after.values()) and busiest not in after.values()
    finally:
        for worker in workers:
            worker.stop()
