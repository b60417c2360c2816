"""Changing what a run is starts a new one; a diverged run says how its rescue will recover it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, create

BASE = {"dataset": "circle", "n_samples": 100, "hidden_layers": [4], "learning_rate": 0.1}


def trained(client: TestClient, **config: Any) -> tuple[str, dict[str, str]]:
    session_id, auth, _ = create(client, **{**BASE, **config})
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 6}, headers=auth)
    assert response.status_code == 200 and response.json()["epoch"] == 6
    return session_id, auth


def params(client: TestClient, session_id: str) -> Any:
    return client.get(f"/api/sessions/{session_id}/export").json()["trainer"]["params"]


@pytest.mark.parametrize(
    ("change", "applied"),
    [
        ({"dataset": "xor"}, "data"),
        ({"noise": 0.3}, "data"),
        ({"n_samples": 160}, "data"),
        ({"train_fraction": 0.7}, "data"),  # another split: other points to learn from
        ({"data_seed": 9}, "data"),  # "New data"
        ({"dataset": "blobs", "classes": 3}, "rebuild"),
        ({"features": ["x1", "x2", "x1x2"]}, "rebuild"),
        ({"hidden_layers": [5, 3]}, "rebuild"),
        ({"activation": "relu"}, "rebuild"),
        ({"seed": 11}, "rebuild"),  # "New start"
    ],
)
def test_changing_what_the_run_is_starts_a_new_run(
    client: TestClient, change: dict[str, Any], applied: str
) -> None:
    session_id, auth = trained(client)
    response = client.patch(f"/api/sessions/{session_id}", json=change, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] == applied
    state = body["state"]
    assert (state["step"], state["epoch"], state["examples_seen"]) == (0, 0, 0)
    assert state["status"] == "idle" and state["rescue"] is None
    history = client.get(f"/api/sessions/{session_id}/history").json()
    assert history["recorded"] == 1 and [p["step"] for p in history["points"]] == [0]
    entries = client.get(f"/api/sessions/{session_id}/timeline").json()["entries"]
    assert [e["step"] for e in entries] == [0]
    # Exactly the run a new session of the new config would be: weights, data and metrics.
    fresh_id, _, fresh = create(client, **{**BASE, **change})
    assert params(client, session_id) == params(client, fresh_id)
    assert body["state"]["metrics"] == fresh["state"]["metrics"]
    data = client.get(f"/api/sessions/{session_id}/data").json()
    assert data == client.get(f"/api/sessions/{fresh_id}/data").json()


@pytest.mark.parametrize(
    "change",
    [
        {"learning_rate": 0.3},
        {"batch_size": 7},
        {"optimizer": "adam", "momentum": 0.8},
        {"regularization": "l2", "regularization_rate": 0.01},
    ],
)
def test_values_that_change_mid_run_keep_it(client: TestClient, change: dict[str, Any]) -> None:
    session_id, auth = trained(client)
    before = params(client, session_id)
    response = client.patch(f"/api/sessions/{session_id}", json=change, headers=auth)
    assert response.status_code == 200
    assert response.json()["applied"] == "live" and response.json()["state"]["epoch"] == 6
    assert params(client, session_id) == before
    assert client.get(f"/api/sessions/{session_id}/history").json()["recorded"] == 2


def diverged(client: TestClient) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Five stable epochs at 0.03, then a step size of 10 that blows the run up."""
    session_id, auth, _ = create(client, dataset="plane", n_samples=100, learning_rate=0.03)
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    client.patch(f"/api/sessions/{session_id}", json={"learning_rate": 10}, headers=auth)
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 20}, headers=auth)
    assert response.status_code == 200
    state: dict[str, Any] = response.json()
    assert state["status"] == "diverged"
    return session_id, auth, state


def test_a_diverged_run_states_its_rescue_plan(client: TestClient) -> None:
    session_id, _, state = diverged(client)
    entries = client.get(f"/api/sessions/{session_id}/timeline").json()["entries"]
    stable = entries[1]  # step 0 and epoch 5 at 0.03 were fine; the last one blew up
    assert (stable["epoch"], stable["learning_rate"], stable["diverged"]) == (5, 0.03, False)
    assert entries[-1]["diverged"] is True and entries[-1]["learning_rate"] == 10
    plan = {"at": stable["at"], "epoch": 5, "learning_rate": 0.015, "from_learning_rate": 0.03}
    assert state["rescue"] == plan
    assert client.get(f"/api/sessions/{session_id}").json()["state"]["rescue"] == plan


def test_the_rescue_does_exactly_what_it_said(client: TestClient) -> None:
    session_id, auth, state = diverged(client)
    plan = state["rescue"]
    response = client.post(f"/api/sessions/{session_id}/rescue", headers=auth)
    assert response.status_code == 200
    rescued = response.json()
    assert (rescued["epoch"], rescued["status"], rescued["rescue"]) == (plan["epoch"], "idle", None)
    assert client.get(f"/api/sessions/{session_id}").json()["config"]["learning_rate"] == 0.015
    entries = client.get(f"/api/sessions/{session_id}/timeline").json()["entries"]
    assert entries[-1]["at"] == plan["at"]  # what came after that moment is forgotten
    assert rescued["metrics"]["train_loss"] == entries[-1]["train_loss"]
    again = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    assert again.json()["status"] == "idle" and again.json()["epoch"] == 10
    assert_error(client.post(f"/api/sessions/{session_id}/rescue", headers=auth), 409, "conflict")


def test_new_data_for_a_comparison_starts_every_run_over_from_one_start(
    client: TestClient,
) -> None:
    response = client.post("/api/comparisons", json={"config": BASE})
    assert response.status_code == 201
    group = response.json()
    auth = {"Authorization": f"Bearer {group['token']}"}
    url = f"/api/comparisons/{group['id']}"
    client.post(f"{url}/step", json={"epochs": 4}, headers=auth)
    response = client.patch(url, json={"config": {"dataset": "xor"}}, headers=auth)
    assert response.status_code == 200
    runs = response.json()["runs"]
    assert [r["state"]["epoch"] for r in runs] == [0, 0, 0]
    assert [r["config"]["learning_rate"] for r in runs] == group["values"]
    fresh_id, _, _ = create(client, **{**BASE, "dataset": "xor"})
    assert all(params(client, r["id"]) == params(client, fresh_id) for r in runs)
    for run in runs:
        assert client.get(f"/api/sessions/{run['id']}/history").json()["recorded"] == 1
