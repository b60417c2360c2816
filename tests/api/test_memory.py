"""Memory: a session's estimate matches what it really holds, and both budgets are enforced.

Growth is measured with tracemalloc (numpy's buffers are traced too), which counts allocations
rather than pages, so the figures repeat from run to run. A session is taken to its largest: one
step (the training buffers), a viewer who wants neurons and reads nothing (the grid buffers, a
frame, a config message and a loss landscape waiting to be sent), the history past its bound,
the timeline at its budget, two boundary reads and the loss landscapes kept.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.engine import config_from_dict
from app.main import create_app
from app.sessions import memory
from app.sessions.hub import CONTROL_QUEUE, Hub, Tap, Viewer
from app.sessions.landscape_feed import KIND, message
from tests.api.helpers import assert_error, create

NINE = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
CONFIGS: dict[str, dict[str, Any]] = {
    "small": {"dataset": "xor", "n_samples": 100, "hidden_layers": [2], "batch_size": 1},
    "typical": {},  # the default config
    "largest": {"n_samples": 5000, "hidden_layers": [32] * 8, "features": NINE, "batch_size": 5000},
}
BIG = {"n_samples": 5000, "hidden_layers": [32] * 4, "batch_size": 10}  # about 8 MB


class Idle:
    """A socket nobody reads: the frame offered to it stays waiting, as for a slow viewer."""

    async def send_bytes(self, data: bytes) -> None: ...
    async def send_text(self, data: str) -> None: ...
    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def take_to_the_top(app: FastAPI, client: TestClient, config: dict[str, Any]) -> str:
    """Create a session and make it hold all it can; return its id."""
    session_id, auth, _ = create(client, **config)
    step = client.post(f"/api/sessions/{session_id}/step", json={"steps": 1}, headers=auth)
    assert step.status_code == 200, step.text
    session = app.state.registry.get(session_id)
    viewer = Viewer(Idle())
    viewer.neurons = True
    session.hub.add(viewer)
    session.deliver(session.train_now(1, None))  # a frame with neuron grids, waiting
    rate = {"learning_rate": 0.02}  # and a config message, with all the points, waiting too
    assert client.patch(f"/api/sessions/{session_id}", json=rate, headers=auth).status_code == 200
    assert viewer.waiting == 2
    point = client.get(f"/api/sessions/{session_id}/history").json()["points"][-1]
    for _ in range(session.history.bound + 10):
        session.history.append(point)
    timeline = session.timeline
    while timeline.nbytes + timeline.entries[-1].checkpoint.nbytes <= timeline.budget:
        session.deliver(session.train_now(1, None))
    first = timeline.entries[0].at
    for path in ("boundary", f"timeline/{first}/boundary"):
        read = client.get(f"/api/sessions/{session_id}/{path}?resolution=100")
        assert read.status_code == 200, read.text
    for resolution in (99, 101):  # the largest kept, and one as a viewer who asked waits for it
        read = client.get(f"/api/sessions/{session_id}/landscape?resolution={resolution}")
        assert read.status_code == 200, read.text
    viewer.offer_json(message(read.content), KIND)
    assert viewer.waiting == 3
    return session_id


def measure(config: dict[str, Any]) -> tuple[int, int]:
    """(estimate, measured growth) in bytes for one session with `config` at its largest."""
    app = create_app(Settings())
    with TestClient(app) as client:
        warm = take_to_the_top(app, client, config)  # first-use costs, outside the measure
        token = app.state.registry.get(warm).token
        client.delete(f"/api/sessions/{warm}", headers={"Authorization": f"Bearer {token}"})
        tracemalloc.start()
        try:
            before = traced()
            session_id = take_to_the_top(app, client, config)
            used = traced() - before
        finally:
            tracemalloc.stop()
        return app.state.registry.get(session_id).memory, used


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_estimate_is_within_a_quarter_of_what_a_session_holds(name: str) -> None:
    estimate, used = measure(CONFIGS[name])
    assert abs(estimate - used) <= 0.25 * used, f"{name}: estimated {estimate}, held {used}"


def new_batch_sizes(client: TestClient, session_id: str, auth: dict[str, str]) -> None:
    for size in (2000, 1500, 1250, 1000):  # each once had its own buffers, kept for good
        client.patch(f"/api/sessions/{session_id}", json={"batch_size": size}, headers=auth)
        client.post(f"/api/sessions/{session_id}/step", json={"steps": 2}, headers=auth)


def new_rates(client: TestClient, session_id: str, auth: dict[str, str]) -> None:
    for i in range(10):  # each once copied the points, kept by the checkpoints that followed
        rate = {"learning_rate": 0.01 + i / 1000}
        client.patch(f"/api/sessions/{session_id}", json=rate, headers=auth)
        client.post(f"/api/sessions/{session_id}/step", json={"steps": 1}, headers=auth)


def a_big_read(client: TestClient, session_id: str, auth: dict[str, str]) -> None:
    # while watched, a 200 x 200 grid's buffers (42 MB here) once stayed with the session
    read = client.get(f"/api/sessions/{session_id}/boundary?resolution=200", headers=auth)
    assert read.status_code == 200, read.text


POINTS = [[i % 11 - 5, (i * 7) % 11 - 5, i % 3] for i in range(5000)]
PILES = {
    "batch sizes": ({**BIG, "batch_size": 2500}, new_batch_sizes),
    "custom points": ({"dataset": "custom", "points": POINTS, "hidden_layers": [4]}, new_rates),
    "grid reads": (CONFIGS["largest"], a_big_read),
}


@pytest.mark.parametrize("case", list(PILES))
def test_what_a_session_is_asked_does_not_pile_up_past_its_estimate(case: str) -> None:
    config, ask = PILES[case]
    app = create_app(Settings())
    with TestClient(app) as client:
        create(client, **config)  # first-use costs, outside the measure
        tracemalloc.start()
        try:
            before = traced()
            session_id, auth, _ = create(client, **config)
            session = app.state.registry.get(session_id)
            viewer = Viewer(Idle())
            viewer.neurons = True
            session.hub.add(viewer)
            session.deliver(session.train_now(1, None))
            ask(client, session_id, auth)
            used = traced() - before
        finally:
            tracemalloc.stop()
    assert used <= session.memory, f"{case}: estimated {session.memory}, held {used}"


def test_a_slow_viewer_keeps_only_the_latest_config_message_of_each_run() -> None:
    viewer = Viewer(Idle())
    hubs = [Hub(), Hub()]
    for i, hub in enumerate(hubs):
        hub.add(Tap(viewer, f"run{i}"))
    for n in range(40):  # each carries the whole config and data: only the latest is needed
        for hub in hubs:
            hub.publish_json({"type": "config", "n": n})
        hubs[0].publish_json({"type": "state", "n": n})
    texts = [json.loads(e.data) for e in viewer._queue if isinstance(e.data, str)]
    assert [t for t in texts if t["type"] == "config"] == [{"type": "config", "n": 39}] * 2
    assert len(texts) == CONTROL_QUEUE  # other messages still keep their place and order
    assert [t["n"] for t in texts if t["type"] == "state"] == list(range(10, 40))


def test_the_defaults_hold_500_default_sessions_and_any_accepted_mix_inside_2_gb() -> None:
    settings = Settings()
    typical = memory.estimate(config_from_dict({}), settings)
    budget = settings.memory_mb * memory.MB
    assert settings.max_sessions * typical <= budget
    # whatever mix is accepted, its estimates sum to at most the budget; even were each a
    # quarter short of what it holds, with the process itself (~80 MB) it stays inside 2 GB
    assert 1.25 * budget + 80 * memory.MB <= 2 * 2**30
    largest = memory.estimate(config_from_dict(CONFIGS["largest"]), settings)
    assert largest <= settings.session_memory_mb * memory.MB  # the largest config is allowed


# --- the budgets, on every way a session is made or grows -----------------------------------


@pytest.fixture
def tight() -> Iterator[tuple[FastAPI, TestClient]]:
    """A server allowing 10 MB per session and 11 MB in all: one BIG session (~8 MB) fits."""
    app = create_app(Settings(session_memory_mb=10, memory_mb=11))
    with TestClient(app) as client:
        yield app, client


def drive(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['token']}"}


def assert_full(response: Any, field: str | None = None) -> None:
    message = assert_error(response, 503, "unavailable", field)
    assert response.headers["retry-after"] == "60"
    assert "memory" in message


def test_a_config_over_the_session_limit_is_refused_naming_the_field_to_reduce() -> None:
    too_big = {**CONFIGS["largest"], "train_fraction": 0.9}  # 4,500 points in one batch
    with TestClient(create_app(Settings())) as client:
        message = assert_error(
            client.post("/api/sessions", json=too_big), 422, "invalid", "hidden_layers"
        )
    assert message == (
        "this network needs about 42 MB; at most 32 MB per session is allowed: "
        "use fewer or narrower hidden_layers"
    )


def test_a_change_past_the_limit_names_the_changed_field_and_what_would_fit() -> None:
    with TestClient(create_app(Settings())) as client:
        session_id, auth, _ = create(client, **CONFIGS["largest"])
        url = f"/api/sessions/{session_id}"
        response = client.patch(url, json={"train_fraction": 0.9}, headers=auth)
        message = assert_error(response, 422, "invalid", "train_fraction")
        assert client.get(url).json()["config"]["train_fraction"] == 0.5
    assert message == (
        "this network needs about 42 MB; at most 32 MB per session is allowed: "
        "train_fraction = 0.5 would fit"
    )


def test_a_change_that_grows_a_session_past_its_limit_names_the_changed_field(
    tight: tuple[FastAPI, TestClient],
) -> None:
    app, client = tight
    session_id, auth, _ = create(client, **BIG)
    used = app.state.registry.budget.used
    url = f"/api/sessions/{session_id}"
    response = client.patch(url, json={"batch_size": 2500}, headers=auth)
    message = assert_error(response, 422, "invalid", "batch_size")
    assert message.startswith("this network needs about 16 MB; at most 10 MB per session")
    assert message.endswith("is allowed: use a smaller batch_size")
    response = client.patch(url, json={"train_fraction": 0.9, "batch_size": 5000}, headers=auth)
    message = assert_error(response, 422, "invalid", "batch_size")
    assert client.get(url).json()["config"]["batch_size"] == 10
    assert app.state.registry.budget.used == used


def test_import_branch_and_compare_refuse_what_one_session_may_not_hold(
    tight: tuple[FastAPI, TestClient],
) -> None:
    _, client = tight
    with TestClient(create_app(Settings())) as roomy:
        made = roomy.post("/api/sessions", json={**BIG, "hidden_layers": [32] * 8}).json()
        snapshot = roomy.get(f"/api/sessions/{made['id']}/export").json()
    response = client.post("/api/sessions/import", json=snapshot)
    assert_error(response, 422, "invalid", "hidden_layers")

    session_id, _, _ = create(client, **BIG)
    response = client.post(f"/api/sessions/{session_id}/branch", json={"at": 0, "batch_size": 2500})
    assert_error(response, 422, "invalid", "batch_size")

    body = {"config": BIG, "vary": "batch_size", "values": [10, 2500]}
    message = assert_error(client.post("/api/comparisons", json=body), 422, "invalid", "values.1")
    assert message.startswith("batch_size = 2500: this network needs about 16 MB")


def test_a_comparison_change_past_the_session_limit_is_refused(
    tight: tuple[FastAPI, TestClient],
) -> None:
    _, client = tight
    body = {"config": {"hidden_layers": [8]}, "vary": "learning_rate", "values": [0.01, 0.1]}
    group = client.post("/api/comparisons", json=body).json()
    url = f"/api/comparisons/{group['id']}"
    change = {"config": {"n_samples": 5000, "batch_size": 5000, "hidden_layers": [32] * 4}}
    response = client.patch(url, json=change, headers=drive(group))
    assert_error(response, 422, "invalid", "hidden_layers")
    assert [run["config"]["hidden_layers"] for run in client.get(url).json()["runs"]] == [[8], [8]]


def test_when_the_server_budget_is_spent_every_way_in_answers_503(
    tight: tuple[FastAPI, TestClient],
) -> None:
    app, client = tight
    first, first_auth, _ = create(client, **BIG)
    snapshot = client.get(f"/api/sessions/{first}/export").json()
    assert_full(client.post("/api/sessions", json=BIG))
    assert_full(client.post("/api/sessions/import", json=snapshot))
    assert_full(client.post(f"/api/sessions/{first}/branch", json={"at": 0}))
    body = {"config": BIG, "vary": "learning_rate", "values": [0.01, 0.1]}
    assert_full(client.post("/api/comparisons", json=body))
    assert len(app.state.registry) == 1

    small, small_auth, _ = create(client, hidden_layers=[2])  # ~2 MB still fits beside it
    grow = {"n_samples": 2000, "hidden_layers": [16, 16]}
    assert_full(
        client.patch(f"/api/sessions/{small}", json=grow, headers=small_auth), "hidden_layers"
    )
    assert client.get(f"/api/sessions/{small}").json()["config"]["hidden_layers"] == [2]

    # deleting frees the room it held: the same requests now succeed
    assert client.delete(f"/api/sessions/{first}", headers=first_auth).status_code == 204
    response = client.patch(f"/api/sessions/{small}", json=grow, headers=small_auth)
    assert response.status_code == 200, response.text
    assert client.post("/api/sessions/import", json=snapshot).status_code == 503  # 8 + ~4 MB
    assert client.delete(f"/api/sessions/{small}", headers=small_auth).status_code == 204
    assert app.state.registry.budget.used == 0
    assert client.post("/api/sessions/import", json=snapshot).status_code == 201


def test_a_comparison_change_that_does_not_fit_the_server_answers_503(
    tight: tuple[FastAPI, TestClient],
) -> None:
    app, client = tight
    body = {"config": {"hidden_layers": [2]}, "vary": "learning_rate", "values": [0.01, 0.1]}
    group = client.post("/api/comparisons", json=body).json()
    used = app.state.registry.budget.used
    url = f"/api/comparisons/{group['id']}"
    change = {"config": {"n_samples": 5000, "hidden_layers": [32] * 4}}  # ~8 MB each: 17 in all
    assert_full(client.patch(url, json=change, headers=drive(group)), "hidden_layers")
    assert app.state.registry.budget.used == used
    shrink = {"config": {"n_samples": 100}}
    assert client.patch(url, json=shrink, headers=drive(group)).status_code == 200
    assert app.state.registry.budget.used < used
