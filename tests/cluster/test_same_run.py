"""A run taken over after its worker was killed trains on exactly as one process would have.

Real redis-server and worker processes; the one-process run is the in-memory app in this process.
"""

from __future__ import annotations

import signal
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.cluster.procs import Worker, wait_until
from tests.cluster.test_restart import FAST, play, press, saved_epoch, session

CONFIG = {"dataset": "spiral", "n_samples": 120, "hidden_layers": [6, 4], "seed": 11}
CONFIG |= {"optimizer": "sgd", "momentum": 0.9, "learning_rate": 0.05, "batch_size": 8}
BEFORE, AFTER = 7, 5  # epochs before the kill, and after the takeover


def one_process(*calls: dict[str, int]) -> dict[str, Any]:
    """The run's export after these step calls, with no cluster in sight."""
    with TestClient(create_app(Settings(redis_url=""))) as client:
        made = client.post("/api/sessions", json=CONFIG).json()
        auth = {"Authorization": f"Bearer {made['token']}"}
        for call in calls:
            path = f"/api/sessions/{made['id']}/step"
            assert client.post(path, json=call, headers=auth).status_code == 200
        export: dict[str, Any] = client.get(f"/api/sessions/{made['id']}/export").json()
        return export


def test_a_run_resumed_from_its_snapshot_matches_one_process_bit_for_bit(redis_url: str) -> None:
    first, second = Worker(redis_url, **FAST), Worker(redis_url, **FAST)
    try:
        made = httpx2.post(first.url + "/api/sessions", json=CONFIG).json()
        key, auth = made["id"], {"Authorization": f"Bearer {made['token']}"}
        path = f"/api/sessions/{key}/step"
        stepped = httpx2.post(first.url + path, json={"epochs": BEFORE}, headers=auth)
        assert stepped.status_code == 200
        wait_until(lambda: saved_epoch(redis_url, key) == BEFORE, "the snapshot after the step")
        first.stop(signal.SIGKILL)
        wait_until(lambda: session(second, key).status_code == 200, "the takeover", 10)
        again = httpx2.post(second.url + path, json={"epochs": AFTER}, headers=auth, timeout=10)
        assert again.status_code == 200
        assert again.json()["epoch"] == BEFORE + AFTER
        resumed = httpx2.get(f"{second.url}/api/sessions/{key}/export", timeout=10).json()
    finally:
        first.stop(signal.SIGKILL)
        second.stop()
    alone = one_process({"epochs": BEFORE}, {"epochs": AFTER})
    assert resumed["config"] == alone["config"]
    assert resumed["trainer"] == alone["trainer"]  # weights, optimizer state, RNG: every bit
    assert resumed["history"] == alone["history"]


def test_a_playing_run_taken_over_plays_on_as_one_process_would(redis_url: str) -> None:
    first, second = Worker(redis_url, **FAST), Worker(redis_url, **FAST)
    try:
        made = httpx2.post(first.url + "/api/sessions", json=CONFIG).json()
        key = made["id"]
        play(first, key, made["token"])
        wait_until(lambda: (saved_epoch(redis_url, key) or 0) >= 2, "a snapshot while playing")
        first.stop(signal.SIGKILL)
        saved = saved_epoch(redis_url, key)
        wait_until(lambda: session(second, key).status_code == 200, "the takeover", 10)
        wait_until(lambda: session(second, key).json()["state"]["epoch"] > (saved or 0), "playing")
        press(second, key, made["token"], "pause", "idle")
        resumed = httpx2.get(f"{second.url}/api/sessions/{key}/export", timeout=10).json()
    finally:
        first.stop(signal.SIGKILL)
        second.stop()
    steps = resumed["trainer"]["counters"][0]
    assert steps > 0
    alone = one_process({"steps": steps})
    assert resumed["trainer"] == alone["trainer"]  # the same weights after the same steps
