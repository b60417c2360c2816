"""Frames on the wire: whole for a newcomer, deltas for viewers in step, and the boundary a
reader decodes within one level of the server's grid through resets, rewinds, branches and
looks at the past."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app.config import Settings
from app.engine import Trainer, config_from_dict
from app.sessions.recording import Recording
from app.sessions.wire import Reader, unpack
from tests.api.helpers import create
from tests.ws.test_live import next_frame, next_json, reader


def raw_frame(ws: Any) -> bytes:
    """The next frame as sent (JSON messages skipped), also fed to the socket's reader."""
    while True:
        message = ws.receive()
        if message.get("bytes") is not None:
            data: bytes = message["bytes"]
            reader(ws).read(data)
            return data


def shown(frame: dict[str, Any]) -> np.ndarray[Any, Any]:
    """The probabilities a reader of `frame` paints: its grid's levels over 31."""
    start = frame["grid"]["offset"]
    cells = np.frombuffer(frame["payload"][start : start + 100 * 100], np.uint8)
    return cells / frame["grid"]["levels"]


def assert_within_one_level(frame: dict[str, Any], values: list[float]) -> None:
    assert frame["grid"]["encoding"] == "probability"
    assert np.max(np.abs(shown(frame) - np.array(values))) <= 1 / 31


def boundary(client: TestClient, session_id: str) -> list[float]:
    response = client.get(f"/api/sessions/{session_id}/boundary?resolution=100")
    assert response.status_code == 200
    values: list[float] = response.json()["values"]
    return values


def test_a_late_joiner_gets_a_whole_frame_while_the_others_get_deltas(
    client: TestClient,
) -> None:
    session_id, _, created = create(client, n_samples=100)
    url = f"/api/sessions/{session_id}/ws"
    with client.websocket_connect(url) as driver:
        assert "base" not in unpack(raw_frame(driver))[0]  # the first frame is whole
        driver.send_json({"type": "auth", "token": created["token"]})
        driver.send_json({"type": "step", "epochs": 1})
        first = unpack(raw_frame(driver))[0]
        assert "base" not in first  # the frame before was this viewer's alone
        driver.send_json({"type": "step", "epochs": 1})
        second, _ = unpack(raw_frame(driver))
        assert second["base"] == first["seq"] and second["seq"] > first["seq"]
        assert "config" not in second and second["epoch"] == 2  # only what changed
        with client.websocket_connect(url) as late:
            joined = unpack(raw_frame(late))[0]
            assert "base" not in joined and joined["epoch"] == 2 and "config" in joined
            driver.send_json({"type": "step", "epochs": 1})
            to_driver, to_late = unpack(raw_frame(driver))[0], unpack(raw_frame(late))[0]
            assert to_driver["base"] == second["seq"]  # still in step
            assert "base" not in to_late  # its frame was not the others' base
            driver.send_json({"type": "step", "epochs": 1})
            a, b = raw_frame(driver), raw_frame(late)
            assert a == b and unpack(a)[0]["base"] == to_driver["seq"]  # one delta for both


def test_deltas_follow_resets_rewinds_and_looks_at_the_past(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    kinds = []
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        assert next_frame(ws)["step"] == 0  # the newcomer's frame
        ws.send_json({"type": "auth", "token": created["token"]})
        assert next_json(ws, "auth")["ok"] is True
        for action in (
            {"type": "step", "epochs": 20},
            {"type": "step", "epochs": 20},
            {"type": "reset"},
            {"type": "step", "epochs": 30},
            {"type": "seek"},
            {"type": "step", "epochs": 5},
            {"type": "rewind"},
            {"type": "step", "epochs": 5},
        ):
            if action["type"] in ("seek", "rewind"):  # the first moment since the reset
                timeline = client.get(f"/api/sessions/{session_id}/timeline").json()
                action = {**action, "at": timeline["entries"][0]["at"]}
            ws.send_json(action)
            data = raw_frame(ws)
            kinds.append("delta" if "base" in unpack(data)[0] else "whole")
            frame, payload = reader(ws).last[session_id]
            frame = {**frame, "payload": payload}
            if action["type"] == "seek":
                at = action["at"]
                past = client.get(f"/api/sessions/{session_id}/timeline/{at}/boundary").json()
                assert frame["past"] is True and frame["at"] == at
                assert_within_one_level(frame, past["values"])
            else:
                state = client.get(f"/api/sessions/{session_id}").json()["state"]
                assert frame["step"] == state["step"] and frame["epoch"] == state["epoch"]
                assert_within_one_level(frame, boundary(client, session_id))
    # The first shared frame is whole, then deltas; a look at the past is whole, and so is the
    # frame after it.
    assert kinds == ["whole", "delta", "delta", "delta", "whole", "whole", "delta", "delta"]


def test_a_branch_starts_with_a_whole_frame_of_its_checkpoint(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=100)
    assert client.post(f"/api/sessions/{session_id}/step", json={"epochs": 10}, headers=auth)
    timeline = client.get(f"/api/sessions/{session_id}/timeline").json()
    at = timeline["entries"][-1]["at"]
    response = client.post(f"/api/sessions/{session_id}/branch", json={"at": at}, headers=auth)
    assert response.status_code == 201
    branch = response.json()
    with client.websocket_connect(f"/api/sessions/{branch['id']}/ws") as ws:
        data = raw_frame(ws)
        header = unpack(data)[0]
        assert "base" not in header and header["id"] == branch["id"] and header["epoch"] == 10
        frame, payload = Reader().read(data)
        assert_within_one_level({**frame, "payload": payload}, boundary(client, branch["id"]))


def test_neuron_grids_come_in_levels_and_as_deltas(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        ws.send_json({"type": "subscribe", "neurons": True})
        frame = next_frame(ws)
        while "neurons" not in frame:
            frame = next_frame(ws)
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "step", "epochs": 3})
        ws.send_json({"type": "step", "epochs": 3})
        next_frame(ws)
        data = raw_frame(ws)
        assert "base" in unpack(data)[0]
        header, payload = reader(ws).last[session_id]
        neurons = header["neurons"]
        assert neurons["levels"] == 31 and [layer["width"] for layer in neurons["layers"]] == [8, 8]
        cells = np.frombuffer(payload[neurons["offset"] :], np.uint8)
        assert cells.size == 16 * 24 * 24 and cells.max() <= 31 and len(set(cells)) > 5


def test_an_unmoved_run_costs_a_few_hundred_bytes_a_frame(client: TestClient) -> None:
    session_id, _, created = create(client, n_samples=100)
    with client.websocket_connect(f"/api/sessions/{session_id}/ws") as ws:
        next_frame(ws)
        ws.send_json({"type": "auth", "token": created["token"]})
        ws.send_json({"type": "set", "config": {"learning_rate": 0.00001}})
        next_json(ws, "config")
        sizes = []
        for _ in range(3):
            ws.send_json({"type": "step", "steps": 1})
            sizes.append(len(raw_frame(ws)))
        assert max(sizes[1:]) < 600  # a boundary that did not move is a few bytes of delta


def test_every_frame_of_a_run_shows_its_grid_within_one_level() -> None:
    """Frame after frame, as steady cells and weights drift from the values they were sent at,
    the decoded grid stays within one level of the server's and the weights within 0.5 %."""
    config = config_from_dict({"dataset": "spiral", "n_samples": 200, "hidden_layers": [8, 8]})
    run = Recording(Trainer(config), Settings(), None)
    frames, kept, sizes = Reader(), 0, []
    for n in range(60):
        run.train(steps=3 if n < 30 else 1, epochs=None)
        message = run.frame("r", 1, run.state(True), neurons=True, shared=True).rich
        assert message is not None
        data = message.delta if n else message.whole()
        assert data is not None
        sizes.append(len(data))
        header, payload = frames.read(data)
        assert run.grid is not None
        cells = np.frombuffer(payload[:10_000], np.uint8).reshape(100, 100)
        assert np.max(np.abs(cells - run.grid.levels)) <= 1.0
        kept += int(np.sum(cells != np.floor(run.grid.levels + 0.5)))  # held, not rounded
        start = header["weights"]["offset"]
        sent = np.frombuffer(payload[start : start + 2 * 105], "<f2").astype(np.float64)
        exact = np.concatenate([a.ravel() for layer in run.trainer.layers() for a in layer])
        assert np.all(np.abs(sent - exact) <= 0.006 * np.abs(exact) + 1.1e-3)
    assert kept > 0  # cells did keep their level while it drifted
    assert max(sizes[40:]) < min(sizes[:1])  # deltas of small steps beat the whole frame
