"""Real exports and what the snapshot tests do with them: the first format, history columns,
the JSON text a JavaScript page would send back, and the checks that an import works end to end.
"""

from __future__ import annotations

import base64
import copy
import json
import math
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from app.sessions.history import COLUMNS, COUNTERS
from tests.api.helpers import create

Path = tuple[str | int, ...]
CONFIGS: dict[str, dict[str, Any]] = {
    "binary-sgd": {"dataset": "circle", "n_samples": 60, "hidden_layers": [4]},
    "multiclass-adam": {
        **{"dataset": "blobs", "classes": 3, "n_samples": 60, "optimizer": "adam"},
        **{"learning_rate": 0.01, "hidden_layers": [5, 3]},
    },
    "regression-momentum": {
        **{"dataset": "plane", "n_samples": 60, "optimizer": "momentum", "nesterov": True},
        **{"hidden_layers": [3], "features": ["x1", "x2", "x1x2"]},
    },
}


def exported(client: TestClient, config: dict[str, Any]) -> dict[str, Any]:
    """A real export after a few step calls (so the history has points), mid-epoch: 30
    training points in batches of 10, 17 steps."""
    return run(client, config)[2]


def run(client: TestClient, config: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """`exported`, with the id and the driving headers of the session it comes from."""
    session_id, auth, _ = create(client, **config)
    for steps in (4, 5, 8):
        response = client.post(
            f"/api/sessions/{session_id}/step", json={"steps": steps}, headers=auth
        )
        assert response.status_code == 200
    snapshot: dict[str, Any] = client.get(f"/api/sessions/{session_id}/export").json()
    return session_id, auth, snapshot


def as_version_1(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The same run as the first format wrote it: arrays as lists, no data points."""
    old = copy.deepcopy(snapshot)
    trainer = old["trainer"]

    def floats(text: str) -> list[float]:
        values: list[float] = np.frombuffer(base64.b64decode(text), "<f8").tolist()
        return values

    for key in ("params", "backup", "initial"):
        trainer[key] = floats(trainer[key])
    for key, value in trainer["optimizer"].items():
        if key != "t":
            trainer["optimizer"][key] = floats(value)
    for key in ("rng", "initial_rng"):
        trainer[key]["state"] = {k: int(v) for k, v in trainer[key]["state"].items()}
    del trainer["data"]
    trainer["config"]["points"] = old["config"]["points"]  # written twice, in full
    old["history"] = {"recorded": old["history"]["recorded"], "points": points_of(old["history"])}
    old["version"] = trainer["version"] = 1
    return old


def column(history: dict[str, Any], name: str) -> np.ndarray[Any, Any]:
    """One column of a format 2 history, decoded (booleans unpacked, null as NaN)."""
    text = history[name]
    if name == "diverged":
        bits = np.unpackbits(np.frombuffer(base64.b64decode(text), "u1"), bitorder="little")
        return bits[: len(column(history, "step"))].astype(bool)
    if text is None:
        return np.full(len(column(history, "step")), np.nan)
    dtype = "<i8" if name in COUNTERS else "<f8"
    return np.frombuffer(base64.b64decode(text), dtype).copy()


def put_column(history: dict[str, Any], name: str, values: np.ndarray[Any, Any]) -> None:
    if name == "diverged":
        values = np.packbits(values.astype(bool), bitorder="little")
    dtype = "u1" if name == "diverged" else "<i8" if name in COUNTERS else "<f8"
    history[name] = base64.b64encode(values.astype(dtype).tobytes()).decode()


def points_of(history: dict[str, Any]) -> list[dict[str, Any]]:
    """The history as format 1 wrote it: a list of objects, null where there is no value."""
    columns = {name: column(history, name).tolist() for name in COLUMNS}
    rows = zip(*columns.values(), strict=True)
    nan = math.isnan
    return [
        {
            k: None if isinstance(v, float) and nan(v) else v
            for k, v in zip(COLUMNS, row, strict=True)
        }
        for row in rows
    ]


def send(client: TestClient, snapshot: Any) -> Any:
    """POST the snapshot as Python writes JSON: huge integers in full, NaN and Infinity bare."""
    body = json.dumps(snapshot)
    headers = {"content-type": "application/json"}
    return client.post("/api/sessions/import", content=body, headers=headers)


def put(doc: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def check_works(client: TestClient, created: dict[str, Any]) -> None:
    """The imported session steps, and every read of it answers: nothing breaks later."""
    session_id, auth = created["id"], {"Authorization": f"Bearer {created['token']}"}
    base = f"/api/sessions/{session_id}"
    step = client.post(f"{base}/step", json={"steps": 3}, headers=auth)
    assert step.status_code == 200, step.text
    done = step.json()["step"] - created["state"]["step"]
    assert done == 3 or (0 <= done < 3 and step.json()["status"] == "diverged")
    history = client.get(f"{base}/history")
    assert history.status_code == 200, history.text
    assert history.json()["points"][-1]["step"] == step.json()["step"]
    table = client.get(f"{base}/history", headers={"accept": "text/csv"})
    assert table.status_code == 200 and table.text.startswith("step,epoch,")
    assert len(table.text.strip().splitlines()) == len(history.json()["points"]) + 1
    assert client.get(f"{base}/timeline").status_code == 200
    boundary = client.get(f"{base}/boundary?resolution=12")
    assert boundary.status_code == 200 and len(boundary.json()["values"]) == 144
    export = client.get(f"{base}/export")
    assert export.status_code == 200, export.text
    again = send(client, export.json())  # whatever was accepted exports into a valid snapshot
    assert again.status_code == 201, again.text
    # The same state, but for the rescue plan: it rewinds to a moment of the timeline, and a
    # snapshot carries no timeline, so an imported diverged run can only start over.
    imported = dict(again.json()["state"])
    assert imported.pop("rescue") is None
    assert imported == {k: v for k, v in step.json().items() if k != "rescue"}
    for copy_ in (created, again.json()):
        gone = client.delete(f"/api/sessions/{copy_['id']}", headers=auth_of(copy_))
        assert gone.status_code == 204


def auth_of(created: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['token']}"}


MORE: dict[str, dict[str, Any]] = {
    "custom": {"dataset": "custom", "points": [[i / 6 - 4.5, i % 5 - 2, i % 3] for i in range(60)]},
    "diverged": {"n_samples": 60, "learning_rate": 10, "activation": "relu", "momentum": 0.99},
}


def through_javascript(text: str) -> str:
    """JSON.stringify(JSON.parse(text)) as a page or a JS client does it: every number becomes a
    float64 (integers past 2**53 are rounded) and an integral one is written without a fraction
    (2.0 as 2, -0.0 as 0, up to 1e21, where JavaScript turns to exponents)."""

    def js(value: Any) -> Any:
        if isinstance(value, float):
            return int(value) if value.is_integer() and abs(value) < 1e21 else value
        if isinstance(value, list):
            return [js(v) for v in value]
        if isinstance(value, dict):
            return {k: js(v) for k, v in value.items()}
        return value

    return json.dumps(js(json.loads(text, parse_int=float)), separators=(",", ":"))


def post_text(client: TestClient, text: str | bytes) -> Any:
    headers = {"content-type": "application/json"}
    return client.post("/api/sessions/import", content=text, headers=headers)
