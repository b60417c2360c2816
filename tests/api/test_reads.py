"""Boundary reads are cheap for whoever asks: capped without the token, cached, shared."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from app.api import pacer as pacer_module
from app.api.pacer import Busy, Pacer
from app.config import Settings
from app.engine import Trainer
from app.main import create_app
from app.sessions.reads import Reads
from tests.api.helpers import assert_error, create


def fresh(trainer: Trainer, resolution: int) -> list[float]:
    """The boundary computed now, straight from the trainer, as the REST answer lists it."""
    values: list[float] = trainer.grid(resolution).ravel().astype(float).tolist()
    return values


def count_grids(monkeypatch: pytest.MonkeyPatch, trainer: Trainer, pause: float = 0.0) -> list[int]:
    """Spy on the trainer's grid: the resolutions it computes, each taking `pause` longer."""
    calls: list[int] = []
    real = trainer.grid

    def spy(resolution: int) -> Any:
        calls.append(resolution)
        time.sleep(pause)  # on the worker thread: other reads arrive meanwhile
        return real(resolution)

    monkeypatch.setattr(trainer, "grid", spy)
    return calls


def test_without_the_token_a_read_may_ask_at_most_the_frames_grid(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=50)
    url = f"/api/sessions/{session_id}/boundary"
    assert client.get(url, params={"resolution": 100}).status_code == 200
    message = assert_error(
        client.get(url, params={"resolution": 101}), 422, "invalid", "resolution"
    )
    assert "at most 100 without the session's token" in message and "200" in message
    driven = client.get(url, params={"resolution": 150}, headers=auth)
    assert driven.status_code == 200
    assert driven.json()["resolution"] == 150 and len(driven.json()["values"]) == 150 * 150
    wrong = {"Authorization": "Bearer not-the-token"}
    assert_error(client.get(url, params={"resolution": 150}, headers=wrong), 403, "forbidden")
    past = f"/api/sessions/{session_id}/timeline/0/boundary"
    assert_error(client.get(past, params={"resolution": 101}), 422, "invalid", "resolution")
    assert client.get(past, params={"resolution": 101}, headers=auth).status_code == 200


def test_the_viewers_cap_is_a_setting() -> None:
    with TestClient(create_app(Settings(max_viewer_grid_resolution=20))) as client:
        session_id, auth, _ = create(client, n_samples=50)
        url = f"/api/sessions/{session_id}/boundary"
        assert client.get(url, params={"resolution": 20}).status_code == 200
        message = assert_error(
            client.get(url, params={"resolution": 21}), 422, "invalid", "resolution"
        )
        assert "at most 20" in message
        assert client.get(url, params={"resolution": 21}, headers=auth).status_code == 200


def test_the_frames_resolution_is_served_from_the_grid_already_made(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, _, _ = create(client, n_samples=50)
    trainer = client.app.state.registry.get(session_id).trainer  # type: ignore[attr-defined]
    expected = fresh(trainer, 100)
    calls = count_grids(monkeypatch, trainer)
    for _ in range(3):
        answer = client.get(f"/api/sessions/{session_id}/boundary")
        assert answer.status_code == 200
        assert answer.json()["resolution"] == 100 and answer.json()["values"] == expected
    assert calls == []


def test_a_cached_boundary_is_never_stale(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, auth, _ = create(client, n_samples=50, learning_rate=0.3)
    trainer = client.app.state.registry.get(session_id).trainer  # type: ignore[attr-defined]
    url = f"/api/sessions/{session_id}/boundary"

    def read(resolution: int) -> list[float]:
        answer = client.get(url, params={"resolution": resolution})
        assert answer.status_code == 200
        values: list[float] = answer.json()["values"]
        return values

    before = {r: fresh(trainer, r) for r in (100, 30)}
    calls = count_grids(monkeypatch, trainer)
    assert read(100) == before[100] and read(30) == before[30]
    assert read(30) == before[30] and calls == [30]  # asked twice, computed once
    monkeypatch.undo()
    step = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    assert step.status_code == 200
    after = {r: fresh(trainer, r) for r in (100, 30)}
    assert after[100] != before[100] and after[30] != before[30]
    assert read(100) == after[100] and read(30) == after[30]


def test_identical_reads_arriving_together_share_one_computation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(Settings())

    async def scenario() -> tuple[list[int], list[httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
            made = (await api.post("/api/sessions", json={"n_samples": 50})).json()
            trainer = app.state.registry.get(made["id"]).trainer
            calls = count_grids(monkeypatch, trainer, pause=0.5)
            url = f"/api/sessions/{made['id']}/boundary"
            asks = [api.get(url, params={"resolution": 40}) for _ in range(8)]
            replies = await asyncio.gather(*asks)
        await app.state.registry.close()
        return calls, list(replies)

    calls, replies = asyncio.run(scenario())
    assert [r.status_code for r in replies] == [200] * 8
    assert calls == [40]
    assert all(r.json() == replies[0].json() for r in replies)
    assert len(replies[0].json()["values"]) == 40 * 40


def test_a_past_boundary_is_computed_once_and_shows_its_moment(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, auth, _ = create(client, n_samples=50, learning_rate=0.3)
    trainer = client.app.state.registry.get(session_id).trainer  # type: ignore[attr-defined]
    at_start = fresh(trainer, 25)
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    calls = count_grids(monkeypatch, trainer)
    url = f"/api/sessions/{session_id}/timeline/0/boundary"
    for _ in range(2):
        answer = client.get(url, params={"resolution": 25})
        assert answer.status_code == 200 and answer.json()["values"] == at_start
    assert calls == [25]


def test_the_cache_keeps_few_small_answers_and_only_for_their_moment() -> None:
    made: list[bytes] = []

    async def scenario() -> None:
        reads = Reads(keep=2, max_bytes=10)

        def answer(data: bytes) -> Any:
            async def make() -> bytes:
                made.append(data)
                return data

            return make

        first, later = object(), object()
        assert await reads.get(first, 1, answer(b"a")) == b"a"
        assert await reads.get(first, 1, answer(b"x")) == b"a"  # kept
        assert await reads.get(later, 1, answer(b"b")) == b"b"  # the run moved: made again
        assert await reads.get(first, 2, answer(b"c")) == b"c"  # the oldest goes
        assert await reads.get(first, 1, answer(b"d")) == b"d"
        assert await reads.get(first, 3, answer(b"x" * 11)) == b"x" * 11  # too large to keep
        assert await reads.get(first, 3, answer(b"y" * 11)) == b"y" * 11
        assert reads.nbytes <= 10

    asyncio.run(scenario())
    assert made == [b"a", b"b", b"c", b"d", b"x" * 11, b"y" * 11]


def test_strangers_reads_are_paced_per_address() -> None:
    now = [0.0]
    pacer = Pacer(per_second=10, clock=lambda: now[0])
    waits = [pacer.delay("10.0.0.1") for _ in range(15)]
    assert waits[:10] == [0.0] * 10  # a second's worth at once
    assert waits[10:] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])  # then one each 0.1 s
    assert pacer.delay("10.0.0.2") == 0.0  # another address has its own pace
    with pytest.raises(Busy) as busy:
        for _ in range(30):
            pacer.delay("10.0.0.1")  # the waits grow until one would pass MAX_WAIT
    assert busy.value.retry_after >= 1
    now[0] = 10.0
    assert pacer.delay("10.0.0.1") == 0.0  # idle long enough: a fresh burst
    assert Pacer(per_second=0).delay("10.0.0.1") == 0.0  # 0: no pacing


def test_a_stranger_reading_too_fast_gets_429_and_the_driver_is_not_paced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacer_module, "MAX_WAIT", 0.0)  # refuse at once instead of holding
    with TestClient(create_app(Settings(viewer_reads_per_second=1))) as client:
        session_id, auth, _ = create(client, n_samples=50)
        url = f"/api/sessions/{session_id}/boundary"
        assert client.get(url).status_code == 200
        refused = client.get(url)
        message = assert_error(refused, 429, "too_many_requests", "resolution")
        assert "too many boundary reads" in message and int(refused.headers["retry-after"]) >= 1
        past = client.get(f"/api/sessions/{session_id}/timeline/0/boundary")
        assert_error(past, 429, "too_many_requests", "resolution")
        assert [client.get(url, headers=auth).status_code for _ in range(5)] == [200] * 5


def test_a_comparisons_token_reads_its_runs_without_pacing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """/compare looks back at every run with the comparison's token: a class behind one
    address, each student scrubbing their own comparison, is never paced or refused."""
    monkeypatch.setattr(pacer_module, "MAX_WAIT", 0.0)
    with TestClient(create_app(Settings(viewer_reads_per_second=1))) as client:
        body = {"config": {"n_samples": 50}, "vary": "learning_rate", "values": [0.01, 0.1]}
        response = client.post("/api/comparisons", json=body)
        assert response.status_code == 201
        group = response.json()
        auth = {"Authorization": f"Bearer {group['token']}"}
        runs = [run["id"] for run in group["runs"]]
        urls = [f"/api/sessions/{run}/timeline/0/boundary" for run in runs] * 3
        assert [client.get(url, headers=auth).status_code for url in urls] == [200] * 6
        other, _, _ = create(client, n_samples=50)  # not one of its runs: paced as a stranger's
        statuses = [
            client.get(f"/api/sessions/{other}/boundary", headers=auth).status_code
            for _ in range(3)
        ]
        assert statuses[0] == 200 and 429 in statuses
