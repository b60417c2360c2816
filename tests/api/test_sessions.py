"""The REST contract: every route, its answers, and who may do what."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, create


def test_create_with_defaults_gives_a_friendly_first_run(client: TestClient) -> None:
    session_id, _, body = create(client)
    assert set(body) == {"id", "token", "problem", "classes", "config", "state"}
    assert len(session_id) >= 22 and body["token"] != session_id
    assert body["problem"] == "binary" and body["classes"] == 2
    assert body["config"]["dataset"] == "spiral"
    assert body["config"]["hidden_layers"] == [8, 8]
    state = body["state"]
    assert (state["step"], state["epoch"], state["examples_seen"]) == (0, 0, 0)
    assert state["status"] == "idle"
    assert state["metrics"]["train_loss"] > 0.1  # a random start guesses badly
    assert state["metrics"]["grad_norm"] is None


def test_ids_and_tokens_are_unguessable_and_distinct(client: TestClient) -> None:
    answers = [create(client, n_samples=10)[2] for _ in range(5)]
    secrets = {a["id"] for a in answers} | {a["token"] for a in answers}
    assert len(secrets) == 10
    assert all(len(s) >= 32 for s in secrets)  # 192 bits or more, URL-safe base64


def test_read_session_is_open_to_anyone_with_the_id(client: TestClient) -> None:
    session_id, _, created = create(client, dataset="xor", hidden_layers=[4])
    response = client.get(f"/api/sessions/{session_id}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "problem", "classes", "config", "state"}
    assert body["config"] == created["config"]


def test_step_by_epochs_and_by_steps(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100, batch_size=10, train_fraction=0.5)
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 3}, headers=auth)
    assert response.status_code == 200
    state = response.json()
    assert (state["step"], state["epoch"], state["examples_seen"]) == (15, 3, 150)
    response = client.post(f"/api/sessions/{session_id}/step", json={"steps": 2}, headers=auth)
    assert response.json()["step"] == 17
    assert response.json()["metrics"]["grad_norm"] > 0


def test_training_lowers_the_loss(client: TestClient) -> None:
    session_id, auth, created = create(client, dataset="xor", hidden_layers=[4], learning_rate=0.1)
    before = created["state"]["metrics"]["train_loss"]
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 50}, headers=auth)
    after = response.json()["metrics"]
    assert after["train_loss"] < before / 2
    assert after["train_accuracy"] > 0.9


@pytest.mark.parametrize("body", [{}, {"epochs": 1, "steps": 1}, {"epochs": 0}, {"steps": -1}])
def test_step_needs_exactly_one_positive_count(client: TestClient, body: dict[str, int]) -> None:
    session_id, auth, _ = create(client, n_samples=50)
    response = client.post(f"/api/sessions/{session_id}/step", json=body, headers=auth)
    assert_error(response, 422, "invalid", response.json()["error"]["field"])


def test_step_limits_are_enforced(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=5000, batch_size=1, train_fraction=0.9)
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 1000}, headers=auth)
    message = assert_error(response, 422, "invalid", "epochs")
    assert "at most" in message
    response = client.post(f"/api/sessions/{session_id}/step", json={"steps": 10**9}, headers=auth)
    assert_error(response, 422, "invalid", "steps")


def test_patch_live_keeps_the_weights(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    before = client.get(f"/api/sessions/{session_id}/export").json()["trainer"]
    change = {"learning_rate": 0.3, "optimizer": "adam"}
    response = client.patch(f"/api/sessions/{session_id}", json=change, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["applied"] == "live"
    assert body["config"]["learning_rate"] == 0.3 and body["config"]["optimizer"] == "adam"
    assert body["state"]["epoch"] == 5
    after = client.get(f"/api/sessions/{session_id}/export").json()["trainer"]
    assert after["params"] == before["params"]


def test_patch_shape_change_rebuilds_from_the_seed(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    response = client.patch(
        f"/api/sessions/{session_id}", json={"hidden_layers": [3]}, headers=auth
    )
    assert response.status_code == 200
    assert response.json()["applied"] == "rebuild"
    assert response.json()["state"]["step"] == 0
    assert response.json()["config"]["hidden_layers"] == [3]


def test_patch_new_data_seed_starts_a_new_run(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    points = client.get(f"/api/sessions/{session_id}/data").json()
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 5}, headers=auth)
    response = client.patch(f"/api/sessions/{session_id}", json={"data_seed": 7}, headers=auth)
    assert response.json()["applied"] == "data"
    assert response.json()["state"]["step"] == 0
    assert client.get(f"/api/sessions/{session_id}/data").json() != points


def test_reset_returns_to_the_exact_step_zero_weights(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    start = client.get(f"/api/sessions/{session_id}/export").json()["trainer"]["params"]
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 10}, headers=auth)
    response = client.post(f"/api/sessions/{session_id}/reset", headers=auth)
    assert response.status_code == 200
    assert response.json()["step"] == 0
    again = client.get(f"/api/sessions/{session_id}/export").json()["trainer"]["params"]
    assert again == start


def test_data_points_lie_in_the_square(client: TestClient) -> None:
    session_id, _, _ = create(client, dataset="blobs", classes=4, n_samples=200)
    data = client.get(f"/api/sessions/{session_id}/data").json()
    assert len(data["train"]) + len(data["test"]) == 200
    assert all(-6 <= x1 <= 6 and -6 <= x2 <= 6 for x1, x2, _ in data["train"])
    assert {label for _, _, label in data["train"]} == {0, 1, 2, 3}


def test_history_as_json_and_csv(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    for _ in range(3):
        client.post(f"/api/sessions/{session_id}/step", json={"epochs": 2}, headers=auth)
    history = client.get(f"/api/sessions/{session_id}/history").json()
    assert history["recorded"] == 4 and history["thinned"] is False
    assert [p["epoch"] for p in history["points"]] == [0, 2, 4, 6]
    response = client.get(f"/api/sessions/{session_id}/history", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["epoch"]) for r in rows] == [0, 2, 4, 6]
    assert float(rows[-1]["train_loss"]) == history["points"][-1]["train_loss"]


def test_history_is_thinned_past_its_bound_keeping_first_and_last(client: TestClient) -> None:
    from app.config import Settings
    from app.main import create_app

    with TestClient(create_app(Settings(max_history_points=10))) as small:
        session_id, auth, _ = create(small, n_samples=50)
        for _ in range(25):
            small.post(f"/api/sessions/{session_id}/step", json={"steps": 1}, headers=auth)
        history = small.get(f"/api/sessions/{session_id}/history").json()
    steps = [p["step"] for p in history["points"]]
    assert history["recorded"] == 26 and history["thinned"] is True
    assert len(steps) <= 11 and steps[0] == 0 and steps[-1] == 25
    assert steps == sorted(steps)


def test_boundary_binary_and_multiclass(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=50)
    boundary = client.get(f"/api/sessions/{session_id}/boundary?resolution=20").json()
    assert boundary["resolution"] == 20 and boundary["extent"] == [-6, 6, -6, 6]
    assert len(boundary["values"]) == 400 and boundary["confidence"] is None
    assert all(0 <= v <= 1 for v in boundary["values"])
    session_id, _, _ = create(client, dataset="blobs", classes=3, n_samples=60)
    boundary = client.get(f"/api/sessions/{session_id}/boundary?resolution=10").json()
    assert boundary["problem"] == "multiclass"
    assert set(boundary["values"]) <= {0.0, 1.0, 2.0}
    assert all(1 / 3 - 1e-9 <= c <= 1 for c in boundary["confidence"])


@pytest.mark.parametrize("resolution", [1, 201, "many"])
def test_boundary_resolution_is_bounded(client: TestClient, resolution: object) -> None:
    session_id, _, _ = create(client, n_samples=50)
    response = client.get(f"/api/sessions/{session_id}/boundary?resolution={resolution}")
    assert_error(response, 422, "invalid", "resolution")


def test_export_then_import_continues_exactly(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100, optimizer="adam", learning_rate=0.01)
    client.post(f"/api/sessions/{session_id}/step", json={"steps": 37}, headers=auth)
    snapshot = client.get(f"/api/sessions/{session_id}/export").json()
    assert snapshot["format"] == "stepwise-snapshot" and snapshot["version"] == 2
    response = client.post("/api/sessions/import", json=snapshot)
    assert response.status_code == 201
    copy_id = response.json()["id"]
    copy_auth = {"Authorization": f"Bearer {response.json()['token']}"}
    assert copy_id != session_id
    assert response.json()["state"]["step"] == 37
    a = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 3}, headers=auth).json()
    b = client.post(f"/api/sessions/{copy_id}/step", json={"epochs": 3}, headers=copy_auth).json()
    assert a == b
    history = client.get(f"/api/sessions/{copy_id}/history").json()
    assert [p["step"] for p in history["points"]][:2] == [0, 37]


def test_import_refuses_a_tampered_snapshot(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=50)
    snapshot = client.get(f"/api/sessions/{session_id}/export").json()
    broken = {**snapshot, "trainer": {"nonsense": True}}
    assert_error(
        client.post("/api/sessions/import", json=broken), 422, "invalid", "trainer.version"
    )
    mismatched = {**snapshot, "config": {**snapshot["config"], "learning_rate": 0.5}}
    assert_error(client.post("/api/sessions/import", json=mismatched), 422, "invalid", "config")


def test_delete_then_the_session_is_gone(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=50)
    response = client.delete(f"/api/sessions/{session_id}", headers=auth)
    assert response.status_code == 204 and response.content == b""
    assert_error(client.get(f"/api/sessions/{session_id}"), 404, "not_found", "session_id")


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("counters", [-1, 0, 0, 0]),
        ("counters", ["a", 0, 0, 0]),
        ("counters", [0, 0, 0, 10**6]),
        ("params", "weights"),
        ("params", [float("inf")]),
        ("backup", lambda old: [float("nan")] * len(old)),
        ("params", lambda old: [*old[:-1], float("inf")]),
        ("order", [0, 0, 0]),
        ("status", "exploded"),
        ("rng", {"bit_generator": "nope"}),
        ("initial_rng", 5),
        ("optimizer", {"t": 0}),
        ("last", {"train_loss": "low"}),
        ("config", {"dataset": "mnist"}),
    ],
)
def test_import_refuses_every_kind_of_tampering(
    client: TestClient, part: str, value: object
) -> None:
    session_id, auth, _ = create(client, n_samples=50, optimizer="adam")
    client.post(f"/api/sessions/{session_id}/step", json={"steps": 3}, headers=auth)
    snapshot = client.get(f"/api/sessions/{session_id}/export").json()
    old = snapshot["trainer"][part]
    snapshot["trainer"][part] = value(old) if callable(value) else value
    body = json.dumps(snapshot)  # writes Infinity and NaN, which the server's parser reads
    response = client.post(
        "/api/sessions/import", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].startswith(f"trainer.{part}")
