"""Every failure answers with one shape, a fitting status, and a sentence naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.api.helpers import assert_error, create


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        ({"learning_rate": 100}, "learning_rate", "learning_rate must be between 1e-05 and 10"),
        ({"learning_rate": 0}, "learning_rate", "learning_rate must be between 1e-05 and 10"),
        ({"noise": 0.9}, "noise", "noise must be between 0 and 0.5"),
        ({"n_samples": 3}, "n_samples", "n_samples must be between 10 and 5000"),
        ({"hidden_layers": [8, 99]}, "hidden_layers.1", "hidden layer widths must be between"),
        ({"hidden_layers": [2] * 9}, "hidden_layers", "hidden_layers"),
        ({"activation": "swish"}, "activation", "activation must be one of"),
        ({"dataset": "mnist"}, "dataset", "dataset must be one of"),
        ({"features": []}, "features", "features"),
        ({"colour": "red"}, "colour", "colour is not a known field"),
        ({"learning_rate": "fast"}, "learning_rate", "learning_rate"),
        ({"dataset": "custom"}, "points", "points are required"),
        (
            {"dataset": "custom", "points": [[0, 0, 0], [9, 0, 1]]},
            "points",
            "points must lie in the square",
        ),
    ],
)
def test_invalid_config_names_the_field(
    client: TestClient, config: dict[str, object], field: str, message: str
) -> None:
    text = assert_error(client.post("/api/sessions", json=config), 422, "invalid", field)
    assert text.startswith(message)


def test_server_limits_can_be_tighter_than_the_engine() -> None:
    settings = Settings(max_hidden_layers=2, max_layer_width=4, max_samples=100)
    with TestClient(create_app(settings)) as client:
        for config, field in [
            ({"hidden_layers": [2, 2, 2]}, "hidden_layers"),
            ({"hidden_layers": [5]}, "hidden_layers"),
            ({"n_samples": 101, "hidden_layers": [2]}, "n_samples"),
        ]:
            assert_error(client.post("/api/sessions", json=config), 422, "invalid", field)


def test_unknown_session_is_404(client: TestClient) -> None:
    for path in ["", "/history", "/boundary", "/export", "/data"]:
        response = client.get(f"/api/sessions/no-such-session{path}")
        assert_error(response, 404, "not_found", "session_id")


def test_unknown_route_and_wrong_method_keep_the_shape(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.put("/api/sessions"), 405, "method_not_allowed")


def test_malformed_json_is_422_not_500(client: TestClient) -> None:
    response = client.post(
        "/api/sessions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message", "field"}


def test_driving_needs_the_token(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=50)
    other_id, other_auth, _ = create(client, n_samples=50)
    calls = [
        ("post", f"/api/sessions/{session_id}/step", {"epochs": 1}),
        ("patch", f"/api/sessions/{session_id}", {"learning_rate": 0.1}),
        ("post", f"/api/sessions/{session_id}/reset", None),
        ("delete", f"/api/sessions/{session_id}", None),
    ]
    for method, url, body in calls:
        kwargs = {} if body is None else {"json": body}
        response = client.request(method, url, **kwargs)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        response = client.request(method, url, headers=other_auth, **kwargs)
        assert_error(response, 403, "forbidden")
        response = client.request(method, url, headers={"Authorization": "Basic abc"}, **kwargs)
        assert_error(response, 403, "forbidden")
    assert client.get(f"/api/sessions/{session_id}").json()["state"]["step"] == 0
    assert other_id != session_id and auth != other_auth


def test_a_full_server_answers_503_with_retry_after() -> None:
    with TestClient(create_app(Settings(max_sessions=2))) as client:
        create(client, n_samples=10)
        create(client, n_samples=10)
        response = client.post("/api/sessions", json={"n_samples": 10})
        assert_error(response, 503, "unavailable")
        assert int(response.headers["retry-after"]) > 0


def test_a_body_over_the_limit_is_413() -> None:
    with TestClient(create_app(Settings(max_message_bytes=1000))) as client:
        points = [[0.5, 0.5, i % 2] for i in range(200)]
        response = client.post("/api/sessions", json={"dataset": "custom", "points": points})
        assert_error(response, 413, "too_large")


def test_expired_sessions_are_swept_and_their_memory_freed() -> None:
    import asyncio

    app = create_app(Settings(idle_expiry_seconds=60))
    with TestClient(app) as client:
        session_id, _, _ = create(client, n_samples=10)
        registry = app.state.registry
        session = registry.get(session_id)
        assert registry.expired(session.last_active + 30) == []
        assert registry.expired(session.last_active + 61) == [session_id]
        asyncio.run(registry.sweep(session.last_active + 61))
        assert_error(client.get(f"/api/sessions/{session_id}"), 404, "not_found", "session_id")
        assert len(registry) == 0
