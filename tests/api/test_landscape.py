"""The loss landscape over REST: a session's around now, a comparison's around the start."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.sessions.landscape import Landscapes
from tests.api.helpers import assert_error, create

LESSON3 = {"dataset": "circle", "n_samples": 200, "hidden_layers": [6, 6], "seed": 2}


def step(client: TestClient, path: str, headers: dict[str, str], times: int) -> Any:
    for _ in range(times):
        response = client.post(f"{path}/step", json={"epochs": 1}, headers=headers)
        assert response.status_code == 200, response.text
    return response.json()


def flips(points: list[dict[str, Any]]) -> int:
    """How often the path turns back along the first axis."""
    dx = np.diff([p["x"] for p in points])
    dx = dx[dx != 0]
    return int(np.sum(np.sign(dx[1:]) != np.sign(dx[:-1])))


def test_a_sessions_landscape_is_centred_on_its_weights_now(client: TestClient) -> None:
    sid, headers, _ = create(client, n_samples=100, hidden_layers=[5])
    state = step(client, f"/api/sessions/{sid}", headers, 5)
    response = client.get(f"/api/sessions/{sid}/landscape?resolution=21")
    assert response.status_code == 200
    body = response.json()
    assert (body["resolution"], body["centre"], body["directions"]) == (21, "now", "pca")
    assert len(body["values"]) == 21 * 21 and not body["capped"]
    assert body["values"][21 * 21 // 2] == pytest.approx(state["metrics"]["train_loss"], rel=1e-9)
    assert body["points"] == body["training_points"] == 50
    assert [path["session_id"] for path in body["paths"]] == [sid]
    points = body["paths"][0]["points"]
    assert [p["epoch"] for p in points] == list(range(6))  # step 0 and every epoch since
    assert (points[-1]["x"], points[-1]["y"]) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert points[-1]["loss"] == pytest.approx(state["metrics"]["train_loss"])
    explained = [axis["explained"] for axis in body["axes"]]
    assert 0.5 < explained[0] <= 1.0 and 0.0 <= explained[1] <= 1.0 - explained[0] + 1e-9
    for i, key in enumerate(("x", "y")):  # the extent covers the whole path
        low, high = body["axes"][i]["range"]
        assert low == -high and all(abs(p[key]) < high for p in points)


def test_a_fresh_run_looks_along_random_directions(client: TestClient) -> None:
    sid, _, _ = create(client, n_samples=100)
    response = client.get(f"/api/sessions/{sid}/landscape")
    assert response.status_code == 200
    body = response.json()
    assert (body["resolution"], body["directions"]) == (41, "random")
    assert [axis["range"] for axis in body["axes"]] == [[-1.0, 1.0], [-1.0, 1.0]]


@pytest.mark.parametrize("resolution", [9, 40, 103])
def test_resolutions_are_odd_from_11_to_101(client: TestClient, resolution: int) -> None:
    sid, _, _ = create(client, n_samples=100)
    response = client.get(f"/api/sessions/{sid}/landscape?resolution={resolution}")
    assert_error(response, 422, "invalid", "resolution")


def test_unknown_ids_are_404(client: TestClient) -> None:
    assert_error(client.get("/api/sessions/nope/landscape"), 404, "not_found", "session_id")
    assert_error(client.get("/api/comparisons/nope/landscape"), 404, "not_found", "group_id")


def test_the_answer_is_kept_while_the_run_stands_still() -> None:
    with TestClient(create_app(Settings(landscape_reads_per_second=0))) as client:
        sid, headers, _ = create(client, n_samples=100)
        step(client, f"/api/sessions/{sid}", headers, 3)
        first = client.get(f"/api/sessions/{sid}/landscape").content
        assert client.get(f"/api/sessions/{sid}/landscape").content == first
        step(client, f"/api/sessions/{sid}", headers, 1)
        assert client.get(f"/api/sessions/{sid}/landscape").content != first  # it moved


class Moment:
    """A moment a run shows, as its boundary grid is: an object answers may hold weakly."""


def test_a_moving_run_is_drawn_again_at_most_at_the_pace() -> None:
    clock = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    async def reads() -> list[bytes]:
        shelf = Landscapes(4.0, clock=lambda: clock[0], sleep=sleep)
        made: list[bytes] = []

        async def make() -> tuple[bytes, float]:
            made.append(str(len(made)).encode())
            return made[-1], 0.01

        moment = [Moment()]
        answers = [await shelf.get(lambda: (moment[0],), 41, make)]
        answers.append(await shelf.get(lambda: (moment[0],), 41, make))  # kept: not moved
        moment[0] = Moment()  # the run moves at once: the next read waits a quarter second
        answers.append(await shelf.get(lambda: (moment[0],), 41, make))
        clock[0] += 1.0
        moment[0] = Moment()  # and much later: no wait
        answers.append(await shelf.get(lambda: (moment[0],), 41, make))
        return answers

    assert asyncio.run(reads()) == [b"0", b"0", b"1", b"2"]
    assert slept == [pytest.approx(0.25)]


def test_a_comparison_shares_one_plane_and_big_steps_zig_zag(client: TestClient) -> None:
    created = client.post(
        "/api/comparisons",
        json={"config": LESSON3, "vary": "learning_rate", "values": [0.001, 0.03, 3]},
    )
    assert created.status_code == 201, created.text
    group = created.json()
    headers = {"Authorization": f"Bearer {group['token']}"}
    step(client, f"/api/comparisons/{group['id']}", headers, 40)
    response = client.get(f"/api/comparisons/{group['id']}/landscape?resolution=11")
    assert response.status_code == 200
    body = response.json()
    assert (body["centre"], body["directions"]) == ("start", "pca")
    runs = [run["id"] for run in group["runs"]]
    assert [path["session_id"] for path in body["paths"]] == runs
    first = client.get(f"/api/sessions/{runs[0]}/history").json()["points"][0]
    assert body["values"][11 * 11 // 2] == pytest.approx(first["train_loss"], rel=1e-9)
    for path in body["paths"]:  # every path leaves from the shared start, the centre
        assert len(path["points"]) == 41
        assert (path["points"][0]["x"], path["points"][0]["y"]) == pytest.approx((0, 0), abs=1e-9)
    creeping, sliding, jumping = (flips(path["points"]) for path in body["paths"])
    assert jumping >= 5 and jumping >= 4 * max(sliding, 1), (creeping, sliding, jumping)


def test_runs_of_different_shapes_share_no_plane(client: TestClient) -> None:
    created = client.post(
        "/api/comparisons",
        json={"config": {"n_samples": 100}, "vary": "hidden_layers", "values": [[3], [4, 4]]},
    )
    assert created.status_code == 201, created.text
    response = client.get(f"/api/comparisons/{created.json()['id']}/landscape")
    assert_error(response, 409, "conflict", "vary")
