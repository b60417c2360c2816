"""A pause takes effect at once: the runner's sleep between ticks is cut short."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.sessions.nap import Nap
from tests.api.helpers import create
from tests.ws.test_live import next_frame, next_json

# The frame period is 100 s here, so the runner sleeps ~100 s between ticks: a pause seen only
# after that sleep would time the test out long before.
SLOW_CLOCK = Settings(frame_rate=0.01)


def test_a_wake_ends_a_sleep_in_progress() -> None:
    async def scenario() -> None:
        nap = Nap()
        sleeping = asyncio.create_task(nap.sleep(1000))
        await asyncio.sleep(0)
        assert not sleeping.done()
        nap.wake()
        await asyncio.wait_for(sleeping, 5)

    asyncio.run(scenario())


def test_a_wake_before_the_sleep_skips_it_once() -> None:
    async def scenario() -> None:
        nap = Nap()
        nap.wake()
        await asyncio.wait_for(nap.sleep(1000), 5)  # skipped
        second = asyncio.create_task(nap.sleep(1000))
        await asyncio.sleep(0.05)
        assert not second.done()  # the wake was spent on the first sleep
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second

    asyncio.run(scenario())


def within(seconds: float, read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """What `read` returns, or a failure if it takes longer than `seconds` (far below the
    100 s a runner that sleeps through a pause would take)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(read)
        try:
            return future.result(timeout=seconds)
        except FuturesTimeout:
            pytest.fail(f"no answer within {seconds} s: the pause waited for the next tick")


def test_pause_is_answered_without_waiting_for_the_next_tick() -> None:
    with TestClient(create_app(SLOW_CLOCK)) as client:
        session_id, _, created = create(client, n_samples=100)
        with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
            ws.send_json({"type": "auth", "token": created["token"]})
            next_frame(ws)
            # A set speed: the first tick (at once) trains a moment's worth, the next is 100 s off.
            ws.send_json({"type": "speed", "epochs_per_second": 1})
            ws.send_json({"type": "play"})
            while next_json(ws, "state")["state"]["status"] != "running":
                pass
            ws.send_json({"type": "pause"})
            state = within(20, lambda: next_json(ws, "state")["state"])
            assert state["status"] == "idle"
        session = client.app.state.registry.get(session_id)  # type: ignore[attr-defined]
        assert not session.live.player.running()
        assert client.get(f"/api/sessions/{session_id}").json()["state"]["status"] == "idle"


def test_a_comparison_pause_is_answered_without_waiting_for_the_next_tick() -> None:
    with TestClient(create_app(SLOW_CLOCK)) as client:
        body = {"config": {"n_samples": 100}, "vary": "learning_rate", "values": [0.01, 0.1]}
        response = client.post("/api/comparisons", json=body)
        assert response.status_code == 201
        group = response.json()
        with client.websocket_connect(f"/api/comparisons/{group['id']}/ws") as ws:
            ws.send_json({"type": "auth", "token": group["token"]})
            ws.send_json({"type": "play"})
            assert next_json(ws, "group")["status"] == "running"
            next_frame(ws)  # the first tick: one epoch each; the next is 100 s off
            ws.send_json({"type": "pause"})
            assert within(20, lambda: next_json(ws, "group"))["status"] == "idle"
