"""Runs outlive their worker: a restart, clean or a kill, resumes each from its snapshot.

Real redis-server, real worker processes started as `make cluster` starts them.
"""

from __future__ import annotations

import asyncio
import json
import signal
from typing import Any

import httpx2
import pytest
import redis
import websockets

from app.cluster.ledger import run_key
from tests.cluster.procs import REDIS, Worker, free_port, redis_server, wait_until

FAST = {"lease_seconds": "1", "snapshot_seconds": "0.5"}


def session(worker: Worker, key: str) -> httpx2.Response:
    return httpx2.get(f"{worker.url}/api/sessions/{key}", timeout=5)


def saved_record(url: str, key: str) -> dict[str, Any] | None:
    """The record of run (or comparison) `key` in Redis, if it has one."""
    client = redis.Redis.from_url(url)
    try:
        record = client.hget(run_key(key), "record")
    finally:
        client.close()
    found: dict[str, Any] | None = json.loads(record) if isinstance(record, bytes) else None
    return found


def saved_epoch(url: str, key: str) -> int | None:
    """The epoch of the run's record in Redis, if it has one."""
    record = saved_record(url, key)
    if record is None:
        return None
    epoch: int = record["snapshot"]["trainer"]["counters"][1]
    return epoch


def resumed_on_join(worker: Worker, key: str) -> dict[str, Any]:
    """The first message after hello that a page reconnecting to `key` gets."""

    async def scenario() -> dict[str, Any]:
        async with websockets.connect(f"{worker.ws_url}/api/sessions/{key}/ws") as ws:
            while True:
                message = await asyncio.wait_for(ws.recv(), timeout=10)
                if isinstance(message, str) and json.loads(message)["type"] == "resumed":
                    found: dict[str, Any] = json.loads(message)
                    return found

    return asyncio.run(scenario())


def test_a_clean_restart_resumes_the_run_with_its_id_token_code_and_epoch(redis_url: str) -> None:
    first = Worker(redis_url, **FAST)
    try:
        created = httpx2.post(first.url + "/api/sessions", json={"n_samples": 100}).json()
        key, auth = created["id"], {"Authorization": f"Bearer {created['token']}"}
        stepped = httpx2.post(
            f"{first.url}/api/sessions/{key}/step", json={"epochs": 7}, headers=auth
        )
        assert stepped.status_code == 200
        code = httpx2.get(f"{first.url}/api/sessions/{key}/share").json()["code"]
        before = session(first, key).json()
    finally:
        first.stop(signal.SIGTERM)
    second = Worker(redis_url, **FAST)
    try:
        after = session(second, key)
        assert after.status_code == 200
        assert after.json()["state"] == before["state"]
        assert after.json()["config"] == before["config"]
        assert resumed_on_join(second, key) == {
            "type": "resumed",
            "epoch": before["state"]["epoch"],
            "step": before["state"]["step"],
        }
        again = httpx2.post(
            f"{second.url}/api/sessions/{key}/step", json={"epochs": 1}, headers=auth
        )
        assert again.status_code == 200
        watch = httpx2.get(f"{second.url}/w/{code}", follow_redirects=False)
        assert watch.status_code == 307
        assert watch.headers["location"] == f"/watch/{key}"
    finally:
        second.stop()


def press(worker: Worker, key: str, token: str, button: str, status: str | None = None) -> None:
    """Press a button as a page does, and wait until the run says what it does (its status,
    if given); then leave: a playing run plays on unwatched for a while."""

    async def scenario() -> None:
        async with websockets.connect(f"{worker.ws_url}/api/sessions/{key}/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            await ws.send(json.dumps({"type": button}))
            while True:
                message = await asyncio.wait_for(ws.recv(), timeout=10)
                said = json.loads(message) if isinstance(message, str) else {}
                if said.get("type") == "state" and status in (None, said["state"]["status"]):
                    return

    asyncio.run(scenario())


def play(worker: Worker, key: str, token: str) -> None:
    press(worker, key, token, "play")


def test_after_a_kill_another_worker_takes_a_playing_run_over_and_plays_on(
    redis_url: str,
) -> None:
    first, second = Worker(redis_url, **FAST), Worker(redis_url, **FAST)
    try:
        created = httpx2.post(first.url + "/api/sessions", json={"n_samples": 100}).json()
        key = created["id"]
        play(first, key, created["token"])
        wait_until(lambda: (saved_epoch(redis_url, key) or 0) >= 2, "a snapshot while playing")
        first.stop(signal.SIGKILL)
        saved = saved_epoch(redis_url, key)
        assert saved is not None
        wait_until(lambda: session(second, key).status_code == 200, "the takeover", 10)
        resumed = resumed_on_join(second, key)
        assert resumed["epoch"] == saved  # from the last snapshot, and it says so
        assert session(second, key).json()["state"]["status"] == "running"
        wait_until(lambda: session(second, key).json()["state"]["epoch"] > saved, "playing on")
    finally:
        first.stop(signal.SIGKILL)
        second.stop()


@pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (make test installs it)")
def test_after_redis_restarts_empty_the_worker_carries_on_and_writes_its_runs_again() -> None:
    port = free_port()
    with redis_server(port) as url:
        worker = Worker(url, **FAST)
        created = httpx2.post(worker.url + "/api/sessions", json={"n_samples": 100}).json()
        key, auth = created["id"], {"Authorization": f"Bearer {created['token']}"}
        httpx2.post(f"{worker.url}/api/sessions/{key}/step", json={"epochs": 3}, headers=auth)
        wait_until(lambda: saved_epoch(url, key) == 3, "the snapshot")
    try:
        refused = httpx2.post(worker.url + "/api/sessions", json={"n_samples": 100})
        assert refused.status_code == 503  # a run that could not be kept is not made
        assert refused.json()["error"]["code"] == "unavailable"
        assert len(httpx2.get(f"{worker.url}/api/sessions/{key}").json()["state"]) > 0
        with redis_server(port) as again:  # the same address, nothing kept
            assert saved_epoch(again, key) is None
            wait_until(lambda: saved_epoch(again, key) == 3, "the run written again", 15)
            stepped = httpx2.post(
                f"{worker.url}/api/sessions/{key}/step", json={"epochs": 1}, headers=auth
            )
            assert stepped.status_code == 200
            wait_until(lambda: saved_epoch(again, key) == 4, "the next snapshot")
    finally:
        worker.stop()
