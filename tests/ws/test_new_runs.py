"""Over the socket: new data is a new run every viewer sees start over, and a diverged run's
frames carry the rescue plan that the rescue message then carries out."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.api.helpers import create
from tests.ws.test_live import next_frame, next_json


def drive(ws: WebSocketTestSession, token: str) -> None:
    """Take the first frame, then drive the session with its token."""
    next_frame(ws)
    ws.send_json({"type": "auth", "token": token})
    assert next_json(ws, "auth")["ok"] is True


def test_new_data_restarts_the_run_for_every_viewer(client: TestClient) -> None:
    session_id, _, created = create(client, dataset="circle", n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        drive(ws, created["token"])
        ws.send_json({"type": "step", "epochs": 4})
        assert next_frame(ws)["epoch"] == 4
        ws.send_json({"type": "set", "config": {"dataset": "xor"}})
        change = next_json(ws, "config")
        assert change["applied"] == "data" and change["state"]["epoch"] == 0
        frame = next_frame(ws)
        assert (frame["step"], frame["epoch"], frame["examples_seen"]) == (0, 0, 0)
        assert frame["history"]["index"] == 0  # the loss chart starts over from this point
        assert frame["history"]["point"]["step"] == 0


def test_frames_carry_the_rescue_plan_and_the_rescue_follows_it(client: TestClient) -> None:
    session_id, _, created = create(client, dataset="plane", n_samples=100, learning_rate=0.03)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        drive(ws, created["token"])
        ws.send_json({"type": "step", "epochs": 5})
        frame = next_frame(ws)
        assert frame["epoch"] == 5 and frame["rescue"] is None
        stable_at = frame["history"]["at"]
        ws.send_json({"type": "set", "config": {"learning_rate": 10}})
        assert next_json(ws, "config")["applied"] == "live"
        next_frame(ws)
        ws.send_json({"type": "step", "epochs": 20})
        frame = next_frame(ws)
        assert frame["status"] == "diverged"
        plan = {"at": stable_at, "epoch": 5, "learning_rate": 0.015, "from_learning_rate": 0.03}
        assert frame["rescue"] == plan
        ws.send_json({"type": "rescue"})
        change = next_json(ws, "config")
        assert change["applied"] == "live" and change["config"]["learning_rate"] == 0.015
        assert change["state"]["epoch"] == 5 and change["state"]["rescue"] is None
        frame = next_frame(ws)
        assert (frame["epoch"], frame["status"], frame["rescue"]) == (5, "idle", None)
        assert frame["history"]["at"] == stable_at
        assert frame["config"]["learning_rate"] == 0.015
