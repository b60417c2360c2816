"""A session with its history and timeline stays under 1 MB, so the default cap fits."""

from __future__ import annotations

import gc
import tracemalloc

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.api.helpers import create

BUDGET = 1_000_000  # bytes per session


def test_a_trained_session_with_full_history_stays_under_a_megabyte() -> None:
    app = create_app(Settings(max_history_points=2000))
    with TestClient(app) as client:
        create(client)  # warm every code path and cache outside the measurement
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        session_id, auth, _ = create(client)
        client.post(f"/api/sessions/{session_id}/step", json={"epochs": 100}, headers=auth)
        client.get(f"/api/sessions/{session_id}/boundary")
        session = app.state.registry.get(session_id)
        point = client.get(f"/api/sessions/{session_id}/history").json()["points"][-1]
        for _ in range(2100):  # more points than the bound keeps, as a long run records
            session.history.append(point)
        for _ in range(400):  # more checkpoints than the timeline's budget keeps
            session.train_now(steps=1, epochs=None)
        assert session.timeline.nbytes > session.timeline.budget * 0.9
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        history = client.get(f"/api/sessions/{session_id}/history").json()
    assert history["thinned"] is True
    assert 0 < used < BUDGET, f"one session holds {used} bytes"
