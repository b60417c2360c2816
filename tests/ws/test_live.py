"""The live socket: watching, driving after auth, and frames shared by every viewer."""

from __future__ import annotations

import itertools
import math
import weakref
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from app.sessions.wire import Reader
from tests.api.helpers import create

READERS: weakref.WeakKeyDictionary[Any, Reader] = weakref.WeakKeyDictionary()


def reader(ws: Any) -> Reader:
    """The one frame reader of a socket: deltas apply to the frame this socket got before."""
    return READERS.setdefault(ws, Reader())


def next_frame(ws: WebSocketTestSession) -> dict[str, Any]:
    """Skip JSON messages until a frame arrives; return its whole header with the payload."""
    while True:
        message = ws.receive()
        if message.get("bytes") is not None:
            header, payload = reader(ws).read(message["bytes"])
            header["payload"] = payload
            return header


def next_json(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    import json

    while True:
        message = ws.receive()
        if message.get("bytes") is not None:
            reader(ws).read(message["bytes"])  # a frame skipped here may be a later one's base
        elif message.get("text") is not None:
            body: dict[str, Any] = json.loads(message["text"])
            if body["type"] == kind:
                return body


def test_a_watcher_gets_hello_and_a_frame_and_cannot_drive(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        hello = next_json(ws, "hello")
        assert hello["id"] == session_id and hello["driver"] is False
        assert len(hello["data"]["train"]) == 50 and len(hello["data"]["test"]) == 50
        frame = next_frame(ws)
        assert frame["step"] == 0 and frame["status"] == "idle"
        assert frame["grid"]["resolution"] == 100 and frame["grid"]["encoding"] == "probability"
        for message in [{"type": "play"}, {"type": "step", "epochs": 1}, {"type": "reset"}]:
            ws.send_json(message)
            error = next_json(ws, "error")
            assert error["code"] == "unauthorized"
        ws.send_json({"type": "auth", "token": "not-the-token"})
        assert next_json(ws, "error")["code"] == "forbidden"
    assert client.get(f"/api/sessions/{session_id}").json()["state"]["step"] == 0


def test_frame_layout_matches_the_documented_format(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        frame = next_frame(ws)
        assert frame["v"] == 2 and "base" not in frame  # a newcomer's first frame is whole
        payload = frame["payload"]
        assert len(payload) <= 12 * 1024
        assert frame["grid"]["levels"] == 31
        grid = payload[frame["grid"]["offset"] : frame["grid"]["offset"] + 100 * 100]
        assert len(grid) == 10_000 and len(set(grid)) > 5 and max(grid) <= 31  # varied, levels
        shapes = frame["weights"]["shapes"]
        assert shapes == [[2, 8], [8], [8, 8], [8], [8, 1], [1]]
        count = sum(math.prod(shape) for shape in shapes)
        start = frame["weights"]["offset"]
        weights = np.frombuffer(payload[start : start + 2 * count], dtype="<f2")
        trainer = client.app.state.registry.get(session_id).trainer  # type: ignore[attr-defined]
        expected_weights = np.concatenate([a.ravel() for layer in trainer.layers() for a in layer])
        np.testing.assert_allclose(weights, expected_weights, rtol=1e-3)  # float16
        boundary = client.get(f"/api/sessions/{session_id}/boundary?resolution=100").json()
        shown = np.frombuffer(grid, np.uint8) / 31
        assert np.max(np.abs(shown - np.array(boundary["values"]))) <= 0.5 / 31 + 1e-9


def test_auth_then_step_reset_and_set(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        next_frame(ws)
        ws.send_json({"type": "auth", "token": created["token"]})
        assert next_json(ws, "auth")["ok"] is True
        ws.send_json({"type": "step", "epochs": 2})
        frame = next_frame(ws)
        assert frame["epoch"] == 2 and frame["history"]["index"] == 1
        ws.send_json({"type": "set", "config": {"learning_rate": 0.5}})
        change = next_json(ws, "config")
        assert change["applied"] == "live" and change["config"]["learning_rate"] == 0.5
        assert next_frame(ws)["config"]["learning_rate"] == 0.5
        ws.send_json({"type": "set", "config": {"learning_rate": 50}})
        error = next_json(ws, "error")
        assert error["field"] == "config.learning_rate"
        assert error["message"] == "learning_rate must be between 1e-05 and 10"
        ws.send_json({"type": "reset"})
        assert next_frame(ws)["step"] == 0


def test_bad_messages_get_errors_and_the_socket_stays_open(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=50)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        for raw in ["not json", '{"type": "dance"}', '{"no": "type"}', "[]"]:
            ws.send_text(raw)
            assert next_json(ws, "error")["code"] == "invalid"
        ws.send_bytes(b"\x00\x01")
        assert next_json(ws, "error")["code"] == "bad_request"
        ws.send_json({"type": "subscribe", "neurons": True})
        frame = next_frame(ws)
        assert frame["neurons"]["resolution"] == 24
        assert [layer["width"] for layer in frame["neurons"]["layers"]] == [8, 8]


def test_unknown_session_gets_an_error_and_a_close(client: TestClient) -> None:
    with client.websocket_connect("/api/sessions/nope/ws") as ws:
        assert next_json(ws, "error")["code"] == "not_found"
        assert ws.receive()["type"] == "websocket.close"


def test_play_runs_until_pause(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "play"})
        assert next_json(ws, "state")["state"]["status"] == "running"
        epochs = [next_frame(ws)["epoch"] for _ in range(5)]
        assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
        assert client.get(f"/api/sessions/{session_id}").json()["state"]["status"] == "running"
        ws.send_json({"type": "pause"})
        state = next_json(ws, "state")["state"]
        while state["status"] != "idle":
            state = next_json(ws, "state")["state"]
    after = client.get(f"/api/sessions/{session_id}").json()["state"]
    assert after["status"] == "idle" and after["epoch"] >= epochs[-1]


def test_learning_rate_changes_while_playing_apply_at_once(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "play"})
        next_frame(ws)
        ws.send_json({"type": "set", "config": {"learning_rate": 0.2}})
        change = next_json(ws, "config")
        assert change["applied"] == "live"
        frame = next_frame(ws)
        assert frame["config"]["learning_rate"] == 0.2 and frame["status"] == "running"
        ws.send_json({"type": "pause"})
    assert client.get(f"/api/sessions/{session_id}").json()["config"]["learning_rate"] == 0.2


def test_two_viewers_see_the_same_frames(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    url = f"/api/sessions/{session_id}/ws"
    with client.websocket_connect(url) as driver, client.websocket_connect(url) as watcher:
        next_frame(driver), next_frame(watcher)
        driver.send_json({"type": "auth", "token": created["token"]})
        for epochs in (1, 2, 3):
            driver.send_json({"type": "step", "epochs": epochs})
            a, b = next_frame(driver), next_frame(watcher)
            assert a == b


def test_speed_in_steps_per_second_trains_slowly(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "speed", "steps_per_second": 20})
        assert next_json(ws, "state")["speed"]["steps_per_second"] == 20
        ws.send_json({"type": "play"})
        steps = [next_frame(ws)["step"] for _ in range(4)][1:]
        assert all(0 < b - a <= 3 for a, b in itertools.pairwise(steps))
        ws.send_json({"type": "pause"})


def test_a_time_lapse_starts_at_eye_speed_and_is_reported(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        assert next_json(ws, "hello")["speed"]["timelapse"] is False  # a script's default
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "speed", "timelapse": True})
        speed = next_json(ws, "state")["speed"]
        assert speed == {"epochs_per_second": None, "steps_per_second": None, "timelapse": True}
        ws.send_json({"type": "play"})
        epochs = [next_frame(ws)["epoch"] for _ in range(6)][1:]
        # 25 epochs per second at 30 frames: about one epoch a frame, never a burst
        assert all(0 <= b - a <= 3 for a, b in itertools.pairwise(epochs))
        assert epochs[-1] > epochs[0]
        ws.send_json({"type": "pause"})
        ws.send_json({"type": "speed", "timelapse": True, "epochs_per_second": 5})
        error = next_json(ws, "error")
        assert error["code"] == "invalid"
        assert error["message"].endswith(
            "give at most one of epochs_per_second, steps_per_second or timelapse"
        )


def test_disconnect_mid_play_leaves_the_session_playing(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "play"})
        first = next_frame(ws)["step"]
    session = client.app.state.registry.get(session_id)  # type: ignore[attr-defined]
    assert len(session.hub) == 0
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        hello = next_json(ws, "hello")
        assert hello["state"]["status"] == "running"
        assert next_frame(ws)["step"] > first


def test_a_diverging_run_stops_and_says_why(client: TestClient) -> None:
    session_id, _, created = create(client, dataset="plane", learning_rate=10, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "play"})
        frame = next_frame(ws)
        while frame["status"] != "diverged":
            frame = next_frame(ws)
        assert "too large" in frame["message"]
        state = client.get(f"/api/sessions/{session_id}").json()["state"]
        assert state["status"] == "diverged"
        assert all(v is None or abs(v) < 1e300 for v in state["metrics"].values())
        ws.send_json({"type": "set", "config": {"learning_rate": 0.01}})
        ws.send_json({"type": "reset"})
        frame = next_frame(ws)
        while frame["step"] != 0:
            frame = next_frame(ws)
        assert frame["status"] == "idle"


def test_viewer_and_message_limits_are_enforced() -> None:
    from app.config import Settings
    from app.main import create_app

    with TestClient(create_app(Settings(max_viewers=2, max_message_bytes=2000))) as client:
        session_id, _, _ = create(client, n_samples=50)
        url = f"/api/sessions/{session_id}/ws"
        with client.websocket_connect(url) as first, client.websocket_connect(url) as second:
            next_frame(first), next_frame(second)
            with client.websocket_connect(url) as third:
                assert next_json(third, "error")["code"] == "unavailable"
                assert third.receive()["type"] == "websocket.close"
            first.send_text('{"type": "set", "config": {"points": [' + "[0,0,0]," * 400 + "]}}")
            closing = first.receive()
            while closing["type"] != "websocket.close":
                closing = first.receive()
            assert closing["code"] == 1009
            second.send_json({"type": "subscribe", "neurons": False})
            assert next_frame(second)["step"] == 0  # the other viewer is unaffected


def test_deleting_a_session_closes_its_sockets(client: TestClient) -> None:
    session_id, auth, created = create(client, n_samples=50)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        assert next_json(ws, "auth")["ok"] is True
        assert client.delete(f"/api/sessions/{session_id}", headers=auth).status_code == 204
        assert next_json(ws, "error")["code"] == "not_found"
        closing = ws.receive()
        while closing["type"] != "websocket.close":
            closing = ws.receive()
        assert closing["code"] == 4404
    assert client.get(f"/api/sessions/{session_id}").status_code == 404


def test_viewers_hear_how_many_watch(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=50)
    url = f"/api/sessions/{session_id}/ws"
    with client.websocket_connect(url) as first:
        assert next_json(first, "viewers")["count"] == 1
        with client.websocket_connect(url):
            assert next_json(first, "viewers")["count"] == 2
        assert next_json(first, "viewers")["count"] == 1


def test_a_run_nobody_watches_pauses_itself() -> None:
    import time

    from app.config import Settings
    from app.main import create_app

    with TestClient(create_app(Settings(unwatched_play_seconds=0.2))) as client:
        session_id, _, created = create(client, n_samples=50)
        with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
            ws.send_json({"type": "auth", "token": created["token"]})
            ws.send_json({"type": "play"})
            next_frame(ws)
            next_frame(ws)
        deadline = time.monotonic() + 10
        state = client.get(f"/api/sessions/{session_id}").json()["state"]
        while state["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
            state = client.get(f"/api/sessions/{session_id}").json()["state"]
        assert state["status"] == "idle"
        epoch = state["epoch"]
        time.sleep(0.3)
        assert client.get(f"/api/sessions/{session_id}").json()["state"]["epoch"] == epoch


def test_a_speed_that_is_not_a_number_says_so(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=50)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        next_json(ws, "auth")
        for value in ["NaN", "Infinity", "-Infinity"]:
            ws.send_text(f'{{"type": "speed", "epochs_per_second": {value}}}')
            error = next_json(ws, "error")
            assert error["code"] == "invalid" and error["field"] == "epochs_per_second"
            assert error["message"] == "epochs_per_second must be a finite number"
        ws.send_text('{"type": "speed", "steps_per_second": "fast"}')
        error = next_json(ws, "error")
        assert error["message"] == "steps_per_second must be a number"
        ws.send_json({"type": "speed", "epochs_per_second": 5})
        assert next_json(ws, "state")["speed"]["epochs_per_second"] == 5


def test_rescue_over_the_socket_needs_a_divergence(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=50, learning_rate=0.1)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "auth", "token": created["token"]})
        next_json(ws, "auth")
        ws.send_json({"type": "rescue"})
        error = next_json(ws, "error")
        assert error == {
            "type": "error",
            "code": "conflict",
            "message": "this run has not diverged, so there is nothing to rescue",
            "field": None,
        }
    assert client.get(f"/api/sessions/{session_id}").json()["config"]["learning_rate"] == 0.1
