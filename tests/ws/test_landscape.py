"""The loss landscape over the socket: sent only to viewers that ask, paced by the frames played,
once more when the run stops, for a session and for a comparison's shared plane."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.api.helpers import create
from tests.ws.test_live import next_json, reader

EVERY = 15  # frames per landscape at most: frame_rate 30 / STEPWISE_LANDSCAPE_PUSHES_PER_SECOND 2
PROBE = {"type": "landscape", "on": True, "resolution": 20}  # refused: an even resolution


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next message: a JSON one as it is, a frame as its header."""
    message = ws.receive()
    if message.get("bytes") is not None:
        header, _ = reader(ws).read(message["bytes"])
        return header
    body: dict[str, Any] = json.loads(message["text"])
    return body


def until_probed(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    """Every message up to the answer to PROBE (which is the last), frames included."""
    ws.send_json(PROBE)
    seen = []
    while True:
        seen.append(receive(ws))
        if seen[-1]["type"] == "error" and seen[-1]["field"] == "resolution":
            return seen


def centre(landscape: dict[str, Any]) -> float:
    r = landscape["resolution"]
    value: float = landscape["values"][r * r // 2]
    return value


def test_a_viewer_that_asks_gets_the_landscape_at_the_frames_pace_and_once_on_stop(
    client: TestClient,
) -> None:
    sid, headers, _ = create(client, n_samples=100, hidden_layers=[4])
    url = f"/api/sessions/{sid}/ws"
    with client.websocket_connect(url) as ws, client.websocket_connect(url) as other:
        ws.send_json({"type": "auth", "token": headers["Authorization"].split()[1]})
        next_json(ws, "auth")
        ws.send_json({"type": "landscape", "on": True, "resolution": 21})
        first = next_json(ws, "landscape")
        rest = client.get(f"/api/sessions/{sid}/landscape?resolution=21").json()
        assert {k: v for k, v in first.items() if k != "type"} == rest  # the REST answer
        ws.send_json({"type": "play"})
        seqs: list[int] = []
        landscapes = 0
        while len(seqs) < 2 or seqs[-1] - seqs[0] < 6 * EVERY:  # six landscapes' worth of frames
            message = receive(ws)
            if message["type"] == "frame" and message["status"] == "running":
                seqs.append(message["seq"])
            elif message["type"] == "landscape" and seqs:
                landscapes += 1
        played = seqs[-1] - seqs[0]
        # one per EVERY frames, and one more taken just before the first frame counted
        assert 2 <= landscapes <= played // EVERY + 2, (landscapes, played)
        ws.send_json({"type": "pause"})
        latest = None
        while (message := receive(ws))["type"] != "state":
            latest = message if message["type"] == "landscape" else latest
        time.sleep(1.0)  # time enough for any landscape still to come (at most one)
        after = [m for m in until_probed(ws) if m["type"] == "landscape"]
        assert len(after) <= 1
        latest = (after or [latest])[-1]
        assert latest is not None
        stopped = client.get(f"/api/sessions/{sid}").json()["state"]
        assert centre(latest) == pytest.approx(stopped["metrics"]["train_loss"], rel=1e-9)
        assert latest["paths"][0]["points"][-1]["step"] == stopped["step"]
        assert not [m for m in until_probed(other) if m["type"] == "landscape"]  # never asked


def test_a_viewer_that_stops_asking_gets_no_more(client: TestClient) -> None:
    sid, headers, _ = create(client, n_samples=100, hidden_layers=[4])
    with client.websocket_connect(f"/api/sessions/{sid}/ws") as ws:
        ws.send_json({"type": "landscape", "on": True})
        assert next_json(ws, "landscape")["resolution"] == 41  # the default
        ws.send_json({"type": "landscape", "on": False})
        for _ in range(3):  # the run moves; nobody asks
            moved = client.post(f"/api/sessions/{sid}/step", json={"epochs": 1}, headers=headers)
            assert moved.status_code == 200
        time.sleep(0.6)
        assert not [m for m in until_probed(ws) if m["type"] == "landscape"]


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "landscape"}, "on"),
        ({"type": "landscape", "on": "yes"}, "on"),
        ({"type": "landscape", "on": True, "resolution": 40}, "resolution"),
        ({"type": "landscape", "on": True, "resolution": 103}, "resolution"),
        ({"type": "landscape", "on": True, "every": 2}, "every"),
    ],
)
def test_a_bad_ask_is_invalid_naming_the_field(
    client: TestClient, message: dict[str, Any], field: str
) -> None:
    sid, _, _ = create(client, n_samples=100)
    gid = client.post(
        "/api/comparisons",
        json={"config": {"n_samples": 100}, "vary": "learning_rate", "values": [0.01, 1]},
    ).json()["id"]
    for url in (f"/api/sessions/{sid}/ws", f"/api/comparisons/{gid}/ws"):
        with client.websocket_connect(url) as ws:
            ws.send_json(message)
            error = next_json(ws, "error")
            assert (error["code"], error["field"]) == ("invalid", field), error
            assert error["message"]


def test_a_comparison_sends_its_shared_plane_as_the_runs_move(client: TestClient) -> None:
    body = {"config": {"n_samples": 100}, "vary": "learning_rate", "values": [0.01, 1]}
    group = client.post("/api/comparisons", json=body).json()
    headers = {"Authorization": f"Bearer {group['token']}"}
    runs = [run["id"] for run in group["runs"]]
    with client.websocket_connect(f"/api/comparisons/{group['id']}/ws") as ws:
        ws.send_json({"type": "landscape", "on": True, "resolution": 11})
        first = next_json(ws, "landscape")
        assert (first["centre"], first["resolution"]) == ("start", 11)
        assert [path["session_id"] for path in first["paths"]] == runs
        assert [len(path["points"]) for path in first["paths"]] == [1, 1]
        step = client.post(
            f"/api/comparisons/{group['id']}/step", json={"epochs": 3}, headers=headers
        )
        assert step.status_code == 200
        moved = next_json(ws, "landscape")
        assert [len(path["points"]) for path in moved["paths"]] == [
            2,
            2,
        ]  # one checkpoint a step call
        rest = client.get(f"/api/comparisons/{group['id']}/landscape?resolution=11").json()
        assert {k: v for k, v in moved.items() if k != "type"} == rest


def test_runs_of_different_shapes_are_told_why_there_is_no_plane(client: TestClient) -> None:
    body = {"config": {"n_samples": 100}, "vary": "hidden_layers", "values": [[3], [4, 4]]}
    group = client.post("/api/comparisons", json=body).json()
    with client.websocket_connect(f"/api/comparisons/{group['id']}/ws") as ws:
        ws.send_json({"type": "landscape", "on": True})
        error = next_json(ws, "error")
        assert (error["code"], error["field"]) == ("conflict", "vary")


def test_watchers_hear_which_comparison_the_driver_shows(client: TestClient) -> None:
    sid, headers, _ = create(client, n_samples=100)
    body = {"config": {"n_samples": 100}, "vary": "learning_rate", "values": [0.01, 1]}
    gid = client.post("/api/comparisons", json=body).json()["id"]
    url = f"/api/sessions/{sid}/ws"
    with client.websocket_connect(url) as driver, client.websocket_connect(url) as watcher:
        assert next_json(watcher, "hello")["showing"] is None
        watcher.send_json({"type": "show", "comparison": gid})
        assert next_json(watcher, "error")["code"] == "unauthorized"  # only the driver shows
        driver.send_json({"type": "auth", "token": headers["Authorization"].split()[1]})
        for bad, field in (("no/such", "comparison"), (7, "comparison")):
            driver.send_json({"type": "show", "comparison": bad})
            error = next_json(driver, "error")
            assert (error["code"], error["field"]) == ("invalid", field)
        driver.send_json({"type": "show", "comparison": gid})
        assert next_json(watcher, "showing") == {"type": "showing", "comparison": gid}
        with client.websocket_connect(url) as late:  # a watcher who comes later is told at once
            assert next_json(late, "hello")["showing"] == gid
        driver.send_json({"type": "show", "comparison": None})
        assert next_json(watcher, "showing") == {"type": "showing", "comparison": None}
