"""Comparisons: runs from one start, differing in one field, kept in step by the server."""

from __future__ import annotations

import itertools
import json
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error
from tests.ws.test_live import reader


def compare(client: TestClient, **body: Any) -> tuple[dict[str, Any], dict[str, str]]:
    response = client.post("/api/comparisons", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created, {"Authorization": f"Bearer {created['token']}"}


SMALL = {"n_samples": 100}


def test_runs_share_data_and_initial_weights_and_differ_in_one_field(client: TestClient) -> None:
    group, _ = compare(client, config=SMALL)
    assert group["vary"] == "learning_rate" and group["values"] == [0.0001, 0.03, 3.0]
    runs = group["runs"]
    assert [r["config"]["learning_rate"] for r in runs] == [0.0001, 0.03, 3.0]
    exports = [client.get(f"/api/sessions/{r['id']}/export").json() for r in runs]
    assert all(e["trainer"]["params"] == exports[0]["trainer"]["params"] for e in exports)
    data = [client.get(f"/api/sessions/{r['id']}/data").json() for r in runs]
    assert data[0] == data[1] == data[2]
    for run in runs:
        other = dict(run["config"], learning_rate=None)
        assert other == dict(runs[0]["config"], learning_rate=None)


def test_stepping_moves_every_run_the_same_epochs(client: TestClient) -> None:
    group, auth = compare(client, config=SMALL)
    response = client.post(
        f"/api/comparisons/{group['id']}/step", json={"epochs": 20}, headers=auth
    )
    assert response.status_code == 200
    runs = response.json()["runs"]
    assert [r["state"]["epoch"] for r in runs] == [20, 20, 20]
    losses = [r["state"]["metrics"]["train_loss"] for r in runs]
    assert len(set(losses)) == 3  # same start, different steps, different places


def test_only_the_comparison_token_drives_it(client: TestClient) -> None:
    group, auth = compare(client, config=SMALL)
    url = f"/api/comparisons/{group['id']}/step"
    assert_error(client.post(url, json={"epochs": 1}), 401, "unauthorized")
    assert_error(
        client.post(url, json={"epochs": 1}, headers={"Authorization": "Bearer x"}),
        403,
        "forbidden",
    )
    run_id = group["runs"][0]["id"]
    response = client.post(f"/api/sessions/{run_id}/step", json={"epochs": 1}, headers=auth)
    assert_error(response, 403, "forbidden")  # a run is driven through its comparison only


def test_bad_values_name_the_run(client: TestClient) -> None:
    response = client.post("/api/comparisons", json={"values": [0.1, 50]})
    assert_error(response, 422, "invalid", "values.1")
    response = client.post("/api/comparisons", json={"vary": "optimizer", "values": ["sgd", "x"]})
    assert_error(response, 422, "invalid", "values.1")
    response = client.post("/api/comparisons", json={"values": [0.1]})
    assert_error(response, 422, "invalid", "values")
    response = client.post("/api/comparisons", json={"values": [0.1] * 5})
    assert_error(response, 422, "invalid", "values")


def test_patch_changes_shared_fields_and_each_value(client: TestClient) -> None:
    group, auth = compare(client, config=SMALL, vary="batch_size", values=[1, 10])
    url = f"/api/comparisons/{group['id']}"
    body = {"config": {"learning_rate": 0.1}, "values": [5, 50]}
    response = client.patch(url, json=body, headers=auth)
    assert response.status_code == 200
    runs = response.json()["runs"]
    assert [r["config"]["batch_size"] for r in runs] == [5, 50]
    assert {r["config"]["learning_rate"] for r in runs} == {0.1}
    response = client.patch(url, json={"values": [1, 2, 3]}, headers=auth)
    assert_error(response, 422, "invalid", "values")


def test_delete_removes_the_runs(client: TestClient) -> None:
    group, auth = compare(client, config=SMALL)
    assert client.delete(f"/api/comparisons/{group['id']}", headers=auth).status_code == 204
    assert_error(client.get(f"/api/comparisons/{group['id']}"), 404, "not_found", "group_id")
    for run in group["runs"]:
        assert client.get(f"/api/sessions/{run['id']}").status_code == 404


def frames_and_messages(ws: Any, frames: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    headers, messages = [], []
    while len(headers) < frames:
        message = ws.receive()
        if message.get("bytes") is not None:
            headers.append(reader(ws).read(message["bytes"])[0])
        elif message.get("text") is not None:
            messages.append(json.loads(message["text"]))
    return headers, messages


def until_idle(ws: Any) -> None:
    """Read until the comparison says it stopped: the tick in flight at a pause ends first."""
    while True:
        message = ws.receive()
        if message.get("bytes") is not None:
            reader(ws).read(message["bytes"])  # the base of a later frame's delta
        text = message.get("text")
        body = json.loads(text) if text is not None else {}
        if body.get("type") == "group" and body.get("status") == "idle":
            return


def test_playing_keeps_the_runs_in_lock_step(client: TestClient) -> None:
    group, _ = compare(client, config=SMALL, values=[0.01, 0.1, 1.0])
    ids = [r["id"] for r in group["runs"]]
    with client.websocket_connect(f"/api/comparisons/{group['id']}/ws") as ws:
        first, messages = frames_and_messages(ws, 3)
        assert messages[0]["type"] == "hello" and len(messages[0]["runs"]) == 3
        assert {h["id"] for h in first} == set(ids)
        ws.send_json({"type": "play"})
        assert ws.receive_json()["code"] == "unauthorized"
        ws.send_json({"type": "auth", "token": group["token"]})
        ws.send_json({"type": "play"})
        headers, _ = frames_and_messages(ws, 30)
        ws.send_json({"type": "pause"})
        until_idle(ws)
    ticks: dict[int, set[int]] = {}  # epoch -> runs that sent a frame at that epoch
    for h in headers:
        ticks.setdefault(h["epoch"], set()).add(ids.index(h["id"]))
    complete = [epoch for epoch, runs in ticks.items() if len(runs) == 3]
    # Each tick brings all three runs to the same epoch; a busy reader may skip some frames,
    # so only some ticks arrive whole, but every run must have reported one of them.
    assert complete and max(complete) > 0
    state = [client.get(f"/api/sessions/{i}").json()["state"] for i in ids]
    assert len({s["epoch"] for s in state}) == 1


def test_a_time_lapse_plays_the_runs_in_step_and_is_reported(client: TestClient) -> None:
    group, _ = compare(client, config=SMALL, values=[0.01, 0.1])
    assert group["timelapse"] is False and group["epochs_per_second"] is None
    ids = [r["id"] for r in group["runs"]]
    with client.websocket_connect(f"/api/comparisons/{group['id']}/ws") as ws:
        ws.send_json({"type": "auth", "token": group["token"]})
        ws.send_json({"type": "speed", "timelapse": True})
        ws.send_json({"type": "play"})
        headers, messages = frames_and_messages(ws, 24)
        ws.send_json({"type": "pause"})
        until_idle(ws)
    said = [m for m in messages if m["type"] == "group"]
    assert said[-1]["timelapse"] is True and said[-1]["epochs_per_second"] is None
    epochs = [h["epoch"] for h in headers if h["id"] == ids[0]]
    # 25 epochs per second at 30 frames: about one whole epoch a tick, never a burst
    assert all(0 <= b - a <= 3 for a, b in itertools.pairwise(epochs))
    state = [client.get(f"/api/sessions/{i}").json()["state"] for i in ids]
    assert len({s["epoch"] for s in state}) == 1
