"""The timeline: bounded checkpoints, looking back, rewinding, branching, rescuing, markers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.engine import Trainer, config_from_dict
from app.main import create_app
from app.sessions.session import Session
from tests.api.helpers import assert_error, create


def step(client: TestClient, session_id: str, auth: dict[str, str], **count: int) -> Any:
    response = client.post(f"/api/sessions/{session_id}/step", json=count, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def timeline(client: TestClient, session_id: str) -> dict[str, Any]:
    response = client.get(f"/api/sessions/{session_id}/timeline")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def params(client: TestClient, session_id: str) -> list[float]:
    result: list[float] = client.get(f"/api/sessions/{session_id}/export").json()["trainer"][
        "params"
    ]
    return result


def test_checkpoints_stay_within_budget_and_dense_early() -> None:
    with TestClient(create_app(Settings(timeline_bytes=60_000))) as client:
        session_id, auth, _ = create(client, n_samples=100)
        for _ in range(200):
            step(client, session_id, auth, steps=5)
        body = timeline(client, session_id)
    steps = [e["step"] for e in body["entries"]]
    assert body["bytes"] <= body["budget"] == 60_000
    assert steps[0] == 0 and steps[-1] == 1000 and steps == sorted(steps)
    assert 10 < len(steps) < 40
    early = sum(1 for s in steps if s <= 100)
    late = sum(1 for s in steps if s > 900)
    assert early > late  # log-spaced: the early, chaotic part keeps more moments


def test_a_past_boundary_is_the_boundary_seen_then(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    step(client, session_id, auth, epochs=3)
    then = client.get(f"/api/sessions/{session_id}/boundary?resolution=12").json()
    at = timeline(client, session_id)["entries"][-1]["at"]
    step(client, session_id, auth, epochs=30)
    now = client.get(f"/api/sessions/{session_id}/boundary?resolution=12").json()
    past = client.get(f"/api/sessions/{session_id}/timeline/{at}/boundary?resolution=12").json()
    assert past == then and past != now
    assert client.get(f"/api/sessions/{session_id}/boundary?resolution=12").json() == now


def test_rewind_continues_exactly_as_the_first_time(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100, optimizer="adam", learning_rate=0.01)
    step(client, session_id, auth, steps=13)
    at = timeline(client, session_id)["entries"][-1]["at"]
    first = step(client, session_id, auth, steps=40)
    expected = params(client, session_id)
    response = client.post(f"/api/sessions/{session_id}/rewind", json={"at": at}, headers=auth)
    assert response.status_code == 200 and response.json()["step"] == 13
    assert [e["step"] for e in timeline(client, session_id)["entries"]][-1] == 13
    history = client.get(f"/api/sessions/{session_id}/history").json()["points"]
    assert history[-1]["step"] == 13
    again = step(client, session_id, auth, steps=40)
    assert again == first and params(client, session_id) == expected


def test_branch_continues_exactly_with_its_own_step_size(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    step(client, session_id, auth, steps=20)
    at = timeline(client, session_id)["entries"][-1]["at"]
    reference = step(client, session_id, auth, steps=30)
    twin = client.post(f"/api/sessions/{session_id}/branch", json={"at": at})
    assert twin.status_code == 201
    twin_id = twin.json()["id"]
    twin_auth = {"Authorization": f"Bearer {twin.json()['token']}"}
    assert twin.json()["state"]["step"] == 20
    assert step(client, twin_id, twin_auth, steps=30) == reference
    faster = client.post(f"/api/sessions/{session_id}/branch", json={"at": at, "learning_rate": 1})
    assert faster.status_code == 201 and faster.json()["config"]["learning_rate"] == 1
    points = client.get(f"/api/sessions/{faster.json()['id']}/history").json()["points"]
    assert points[-1]["step"] == 20  # the branch keeps the history that led to it


def test_moments_that_are_not_there_are_404(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=50)
    assert_error(
        client.get(f"/api/sessions/{session_id}/timeline/999/boundary"), 404, "not_found", "at"
    )
    response = client.post(f"/api/sessions/{session_id}/rewind", json={"at": 999}, headers=auth)
    assert_error(response, 404, "not_found", "at")
    response = client.post(f"/api/sessions/{session_id}/branch", json={"at": 999})
    assert_error(response, 404, "not_found", "at")
    response = client.post(f"/api/sessions/{session_id}/rewind", json={"at": 0})
    assert_error(response, 401, "unauthorized")


def test_rescue_rewinds_before_the_blowup_and_halves_the_step(client: TestClient) -> None:
    session_id, auth, _ = create(client, dataset="plane", learning_rate=10, n_samples=100)
    for _ in range(8):
        state = step(client, session_id, auth, steps=1)
    assert state["status"] == "diverged"
    response = client.post(f"/api/sessions/{session_id}/rescue", headers=auth)
    assert response.status_code == 200
    rescued = response.json()
    assert rescued["status"] == "idle" and rescued["step"] < state["step"]
    assert client.get(f"/api/sessions/{session_id}").json()["config"]["learning_rate"] == 5
    assert rescued["metrics"]["train_loss"] < 1e3


def run(config: dict[str, Any], calls: int, **count: int) -> list[str]:
    session = Session("id", "token", Trainer(config_from_dict(config)), Settings())
    for _ in range(calls):
        session.train_now(count.get("steps"), count.get("epochs"))
    return [m["kind"] for m in session.timeline_public()["markers"]]


@pytest.mark.parametrize(
    ("config", "calls", "count", "present", "absent"),
    [
        ({"learning_rate": 3}, 40, {"epochs": 1}, {"oscillating"}, {"settled", "overfitting"}),
        (
            {"dataset": "circle", "learning_rate": 0.001},
            40,
            {"epochs": 1},
            {"best_test"},
            {"settled", "oscillating", "overfitting"},
        ),
        (  # the boundary barely moves, but the loss still falls at an even pace
            {"dataset": "circle", "learning_rate": 0.001},
            50,
            {"epochs": 10},
            {"best_test"},
            {"settled", "oscillating", "overfitting"},
        ),
        (
            {"dataset": "gauss", "hidden_layers": [2]},
            60,
            {"epochs": 5},
            {"settled", "best_test"},
            {"oscillating", "overfitting", "diverged"},
        ),
        (
            {
                "n_samples": 40,
                "noise": 0.5,
                "hidden_layers": [32, 32, 32],
                "optimizer": "adam",
                "learning_rate": 0.01,
            },
            40,
            {"epochs": 25},
            {"overfitting"},
            {"diverged"},
        ),
        ({"dataset": "plane", "learning_rate": 10}, 10, {"epochs": 1}, {"diverged"}, set()),
    ],
    ids=["oscillates", "crawls", "crawls-long", "settles", "overfits", "diverges"],
)
def test_markers_are_found_on_runs_built_to_show_them(
    config: dict[str, Any],
    calls: int,
    count: dict[str, int],
    present: set[str],
    absent: set[str],
) -> None:
    kinds = set(run({"n_samples": 200, **config}, calls, **count))
    assert present <= kinds and not (absent & kinds), kinds
