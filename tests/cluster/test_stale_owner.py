"""A worker frozen past its lease (SIGSTOP) finds, when it wakes, that another owns its run:
its writes are refused, it lets the run go, and the new owner's snapshot stands."""

from __future__ import annotations

import json
import signal
from typing import Any

import httpx2
import redis

from app.cluster.ledger import run_key
from tests.cluster.procs import Worker, wait_until

FAST = {"lease_seconds": "1", "snapshot_seconds": "0.5"}


def record(url: str, key: str) -> tuple[int, dict[str, Any]] | None:
    client = redis.Redis.from_url(url)
    try:
        fence, text = client.hmget(run_key(key), ["fence", "record"])
    finally:
        client.close()
    if not isinstance(fence, bytes) or not isinstance(text, bytes):
        return None
    return int(fence), json.loads(text)


def epoch_of(found: tuple[int, dict[str, Any]] | None) -> int | None:
    return None if found is None else int(found[1]["snapshot"]["trainer"]["counters"][1])


def read_epoch(worker: Worker, key: str) -> int | None:
    answer = httpx2.get(f"{worker.url}/api/sessions/{key}")
    return int(answer.json()["state"]["epoch"]) if answer.status_code == 200 else None


def test_a_stale_owner_cannot_write_over_the_new_one(redis_url: str) -> None:
    old, new = Worker(redis_url, **FAST), Worker(redis_url, **FAST)
    try:
        created = httpx2.post(old.url + "/api/sessions", json={"n_samples": 100}).json()
        key, auth = created["id"], {"Authorization": f"Bearer {created['token']}"}
        wait_until(lambda: record(redis_url, key) is not None, "the first snapshot")
        old.process.send_signal(signal.SIGSTOP)
        wait_until(
            lambda: httpx2.get(f"{new.url}/api/sessions/{key}").status_code == 200, "the takeover"
        )
        stepped = httpx2.post(
            f"{new.url}/api/sessions/{key}/step", json={"epochs": 4}, headers=auth
        )
        assert stepped.status_code == 200
        wait_until(lambda: epoch_of(record(redis_url, key)) == 4, "the new owner's snapshot")
        taken = record(redis_url, key)
        assert taken is not None and taken[0] == 2

        old.process.send_signal(signal.SIGCONT)  # it wakes believing it owns the run at epoch 0
        wait_until(  # its own copy at epoch 0 is gone: it passes the read on to the new owner
            lambda: read_epoch(old, key) == 4, "the stale owner letting go"
        )
        assert record(redis_url, key) == taken
        again = httpx2.post(f"{new.url}/api/sessions/{key}/step", json={"epochs": 1}, headers=auth)
        assert again.status_code == 200
    finally:
        old.process.send_signal(signal.SIGCONT)
        old.stop()
        new.stop()
