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
            "points.1.0",
            "points.1.0 must lie in the square [-6, 6] x [-6, 6]",
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
    response = client.put("/api/sessions")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


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
        assert registry.expired(session.live.last_active + 30) == []
        assert registry.expired(session.live.last_active + 61) == [session_id]
        asyncio.run(registry.sweep(session.live.last_active + 61))
        assert_error(client.get(f"/api/sessions/{session_id}"), 404, "not_found", "session_id")
        assert len(registry) == 0


# Messages a person can act on: about the input, naming the field, never Python's own words.
RAW = ("not supported between", "instances of", "Input should", "broadcast", "Traceback")
SHAPE = "must be [x1, x2, label]: two numbers and an integer label"


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        (
            "/api/comparisons",
            {"vary": "hidden_layers", "values": [[2], "a"]},
            "values.1",
            "hidden_layers = 'a': hidden_layers must be a list of integers",
        ),
        (
            "/api/comparisons",
            {"vary": "hidden_layers", "values": [[2], [[1]]]},
            "values.1",
            "hidden_layers = [[1]]: hidden_layers must be a list of integers",
        ),
        (
            "/api/comparisons",
            {"vary": "learning_rate", "values": [0.1, 10**400]},
            "values.1",
            f"learning_rate = {10**400}: learning_rate must be a finite number",
        ),
        (
            "/api/sessions",
            {"dataset": "custom", "points": [[1, 2]]},
            "points.0",
            f"points.0 {SHAPE}",
        ),
        (
            "/api/sessions",
            {"dataset": "custom", "points": [[0, 0, 0], [1, 2, 3, 4]]},
            "points.1",
            f"points.1 {SHAPE}",
        ),
        ("/api/sessions", {"dataset": "custom", "points": [5]}, "points.0", f"points.0 {SHAPE}"),
        (
            "/api/sessions",
            {"dataset": "custom", "points": [[1, "a", 0], [0, 0, 1]]},
            "points.0.1",
            "points.0.1 must be a number",
        ),
        (
            "/api/sessions",
            {"dataset": "custom", "points": [[0, 0, 7], [0, 0, 1]]},
            "points.0.2",
            "points.0.2 (a label) must be between 0 and 5",
        ),
        ("/api/sessions", {"dataset": "custom", "points": "x"}, "points", "points must be a list"),
        (
            "/api/sessions",
            {"dataset": "custom", "points": [[0, 0, 0]]},
            "points",
            "points must have at least 2 items",
        ),
        ("/api/sessions", {"n_samples": "10"}, "n_samples", "n_samples must be an integer"),
        ("/api/sessions", {"n_samples": 10.5}, "n_samples", "n_samples must be an integer"),
        ("/api/sessions", {"nesterov": 1}, "nesterov", "nesterov must be true or false"),
        ("/api/sessions", {"features": []}, "features", "features must have at least 1 item"),
        ("/api/sessions", {"hidden_layers": "x"}, "hidden_layers", "hidden_layers must be a list"),
        ("/api/sessions", [1], None, "the body must be a JSON object of named fields"),
    ],
)
def test_wrong_kinds_get_a_sentence_about_the_input(
    client: TestClient, path: str, body: object, field: str | None, message: str
) -> None:
    text = assert_error(client.post(path, json=body), 422, "invalid", field)
    assert text == message
    assert not any(raw in text for raw in RAW)


def test_whole_numbers_written_as_decimals_are_integers(client: TestClient) -> None:
    session_id, auth, created = create(client, n_samples=20.0, hidden_layers=[3.0])
    assert created["config"]["n_samples"] == 20 and created["config"]["hidden_layers"] == [3]
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 2.0}, headers=auth)
    assert response.status_code == 200 and response.json()["epoch"] == 2
    response = client.post(f"/api/sessions/{session_id}/step", json={"epochs": 2.5}, headers=auth)
    assert assert_error(response, 422, "invalid", "epochs") == "epochs must be an integer"


def test_rescuing_a_run_that_never_diverged_is_a_409(client: TestClient) -> None:
    session_id, auth, _ = create(client, n_samples=40, learning_rate=0.1)
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 3}, headers=auth)
    response = client.post(f"/api/sessions/{session_id}/rescue", headers=auth)
    message = assert_error(response, 409, "conflict")
    assert message == "this run has not diverged, so there is nothing to rescue"
    after = client.get(f"/api/sessions/{session_id}").json()
    assert after["config"]["learning_rate"] == 0.1  # not halved
    assert after["state"]["epoch"] == 3  # not rewound
    document = client.get("/openapi.json").json()
    rescue = document["paths"]["/api/sessions/{session_id}/rescue"]["post"]
    assert rescue["responses"]["409"]["description"] == "The run has not diverged."
