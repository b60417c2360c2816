"""Importing snapshots: a run that continues exactly, on its own points, wherever the export
went (through a JavaScript page too), and that fits in one request at the largest size.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.sessions.history import COLUMNS, COUNTERS
from tests.api.helpers import assert_error, create
from tests.api.snapshots import (
    CONFIGS,
    MORE,
    as_version_1,
    auth_of,
    check_works,
    exported,
    post_text,
    run,
    send,
    through_javascript,
)
from tests.ws.test_live import next_frame, next_json

# -- what an import gives ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONFIGS | MORE))
def test_an_export_imports_and_works_in_both_formats(client: TestClient, name: str) -> None:
    config = (CONFIGS | MORE)[name]
    if name == "diverged":
        config = {**config, "optimizer": "momentum", "hidden_layers": [8]}
    snapshot = exported(client, config)
    assert name != "diverged" or snapshot["trainer"]["status"] == "diverged"
    assert snapshot["version"] == snapshot["trainer"]["version"] == 2
    for document in (snapshot, as_version_1(snapshot)):
        response = send(client, document)
        assert response.status_code == 201, response.text
        assert response.json()["state"]["step"] == snapshot["trainer"]["counters"][0]
        check_works(client, response.json())


def test_an_imported_run_continues_exactly_from_either_format(client: TestClient) -> None:
    snapshot = exported(client, CONFIGS["multiclass-adam"])
    states = []
    for document in (snapshot, as_version_1(snapshot)):
        created = send(client, document).json()
        base = f"/api/sessions/{created['id']}"
        states.append(client.post(f"{base}/step", json={"epochs": 2}, headers=auth_of(created)))
    assert states[0].status_code == 200 and states[0].json() == states[1].json()


def moved_points(snapshot: dict[str, Any]) -> np.ndarray[Any, Any]:
    """Move every training point a little: points the seeds would never draw."""
    rows = np.frombuffer(base64.b64decode(snapshot["trainer"]["data"]["train"]), "<f8").copy()
    rows = rows.reshape(-1, 3)
    rows[:, :2] = np.clip(rows[:, :2] * 0.9 + 0.125, -6, 6)
    snapshot["trainer"]["data"]["train"] = base64.b64encode(rows.tobytes()).decode()
    return rows


def test_the_points_come_from_the_snapshot_not_the_seeds(client: TestClient) -> None:
    snapshot = exported(client, CONFIGS["binary-sgd"])
    rows = moved_points(snapshot)
    created = send(client, snapshot).json()
    data = client.get(f"/api/sessions/{created['id']}/data").json()
    assert data["train"] == rows.tolist()
    # A new shape rebuilds the network, but the data settings are the same: same points.
    change = {"hidden_layers": [2]}
    response = client.patch(f"/api/sessions/{created['id']}", json=change, headers=auth_of(created))
    assert response.json()["applied"] == "rebuild"
    assert client.get(f"/api/sessions/{created['id']}/data").json() == data
    # New data settings draw new points from the seeds.
    response = client.patch(
        f"/api/sessions/{created['id']}", json={"noise": 0.2}, headers=auth_of(created)
    )
    assert response.json()["applied"] == "data"
    assert client.get(f"/api/sessions/{created['id']}/data").json() != data


def test_custom_points_are_in_a_document_once(client: TestClient) -> None:
    snapshot = exported(client, MORE["custom"])
    trainer = snapshot["trainer"]
    assert trainer["config"]["points"] is None  # the document's config holds them
    assert sorted(trainer["data"]["split"]) == list(range(60))
    created = send(client, snapshot)
    assert created.status_code == 201, created.text
    data = client.get(f"/api/sessions/{created.json()['id']}/data").json()
    points = snapshot["config"]["points"]
    n_train = len(data["train"])
    assert data["train"] == [points[i] for i in trainer["data"]["split"][:n_train]]
    trainer["data"]["split"] = trainer["data"]["split"][1:]
    assert_error(send(client, snapshot), 422, "invalid", "trainer.data.split")


def test_a_branch_of_an_imported_run_keeps_its_points(client: TestClient) -> None:
    snapshot = exported(client, CONFIGS["binary-sgd"])
    rows = moved_points(snapshot)
    created = send(client, snapshot).json()
    base = f"/api/sessions/{created['id']}"
    client.post(f"{base}/step", json={"steps": 5}, headers=auth_of(created))
    at = client.get(f"{base}/timeline").json()["entries"][0]["at"]
    branch = client.post(f"{base}/branch", json={"at": at, "learning_rate": 0.1})
    assert branch.status_code == 201, branch.text
    data = client.get(f"/api/sessions/{branch.json()['id']}/data").json()
    assert data["train"] == rows.tolist()


def test_a_websocket_step_drives_an_imported_session(client: TestClient) -> None:
    created = send(client, exported(client, CONFIGS["multiclass-adam"])).json()
    step = created["state"]["step"]
    with client.websocket_connect(f"/api/sessions/{created['id']}/ws") as ws:
        assert next_frame(ws)["step"] == step
        ws.send_json({"type": "auth", "token": created["token"]})
        assert next_json(ws, "auth")["ok"] is True
        ws.send_json({"type": "step", "steps": 4})
        frame = next_frame(ws)
        assert frame["step"] == step + 4 and frame["status"] == "idle"
        assert frame["history"]["point"]["step"] == step + 4


# -- what real users do with an export ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONFIGS | MORE))
def test_a_snapshot_survives_a_round_trip_through_javascript(client: TestClient, name: str) -> None:
    config = (CONFIGS | MORE)[name]
    if name == "diverged":
        config = {**config, "optimizer": "momentum", "hidden_layers": [8]}
    session_id, auth, snapshot = run(client, config)
    text = through_javascript(json.dumps(snapshot))
    assert text != json.dumps(snapshot, separators=(",", ":"))  # JavaScript rewrote numbers
    created = post_text(client, text)
    assert created.status_code == 201, created.text
    copy_id, copy_auth = created.json()["id"], auth_of(created.json())
    for sid, headers in ((session_id, auth), (copy_id, copy_auth)):
        step = client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}, headers=headers)
        assert step.status_code == 200, step.text
    original, copy_ = (client.get(f"/api/sessions/{sid}/export") for sid in (session_id, copy_id))
    assert original.status_code == copy_.status_code == 200
    moved = original.json()["trainer"]["counters"][0] > snapshot["trainer"]["counters"][0]
    assert moved or snapshot["trainer"]["status"] == "diverged"  # a diverged run stays put
    assert copy_.json() == original.json()  # weights, generators, history: bit for bit
    # The first format wrote the generators' states as numbers: JavaScript rounds them.
    old = post_text(client, through_javascript(json.dumps(as_version_1(snapshot))))
    assert_error(old, 422, "invalid", "trainer.rng.state.state")


FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
LARGEST = {
    **{"dataset": "spiral", "n_samples": 5000, "train_fraction": 0.9, "features": FEATURES},
    **{"hidden_layers": [32] * 8, "optimizer": "adam", "learning_rate": 0.001, "batch_size": 10},
}


def custom_points(n: int) -> list[list[float]]:
    """Points as a script writes them: every coordinate with all 17 digits."""
    xy = np.random.default_rng(7).uniform(-6, 6, (n, 2)).tolist()
    return [[x1, x2, i % 2] for i, (x1, x2) in enumerate(xy)]


@pytest.mark.parametrize("dataset", ["spiral", "custom"])
def test_the_largest_run_with_a_full_history_exports_into_one_request(
    client: TestClient, settings: Settings, dataset: str
) -> None:
    """The worst case: the largest network on the most points (drawn, or custom ones the config
    holds), mid-epoch, and a history at its bound with every column holding values (synthetic
    but valid: within the run, in order)."""
    config = {**LARGEST, "dataset": dataset}
    if dataset == "custom":
        del config["n_samples"]
        config["points"] = custom_points(5000)
    session_id, auth, _ = create(client, **config)
    state = client.post(f"/api/sessions/{session_id}/step", json={"steps": 7}, headers=auth).json()
    history = client.app.state.registry.get(session_id).history  # type: ignore[attr-defined]
    history.clear()
    bound, rng = settings.max_history_points, np.random.default_rng(0)
    total = 4 * bound - 1  # thinned to every 4th point: the bound, plus the latest as the tail
    for i in range(total):
        values = {name: rng.random() for name in COLUMNS[3:-1]}
        history.append(
            {
                **values,
                **{name: state[name] * i // (total - 1) for name in COUNTERS},
                **{"learning_rate": 0.001, "diverged": bool(rng.random() < 0.1)},
            }
        )
    assert len(history.points()) == bound + 1 and history.recorded == total
    export = client.get(f"/api/sessions/{session_id}/export")
    assert export.status_code == 200
    size = len(export.content)
    share = size / settings.max_message_bytes
    print(f"worst-case export ({dataset}): {size} bytes, {share:.0%} of the limit")
    assert size < 0.9 * settings.max_message_bytes
    created = post_text(client, export.content)
    assert created.status_code == 201, created.text
    points = client.get(f"/api/sessions/{created.json()['id']}/history").json()["points"]
    assert points == history.points()
    check_works(client, created.json())
