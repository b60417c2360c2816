"""The OpenAPI document is the contract: complete, described, and honoured by the server."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from app.config import Settings
from app.main import create_app

# Small per-call limits keep generated step calls quick; the routes' behaviour is the same.
APP = create_app(Settings(max_steps_per_call=2000, max_epochs_per_call=20))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
with TestClient(APP) as _client:
    _created = _client.post("/api/sessions", json={"n_samples": 40, "hidden_layers": [3]}).json()
SESSION_ID, TOKEN = _created["id"], _created["token"]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_route_is_summarised_and_every_field_described(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, method, operation in _operations(document):
        assert operation.get("summary"), f"{method} {path} has no summary"
        assert {"200", "201", "204"} & set(operation["responses"]), f"{method} {path}"
    undocumented = [
        f"{name}.{field}"
        for name, schema in document["components"]["schemas"].items()
        for field, spec in schema.get("properties", {}).items()
        if not _described(spec)
    ]
    assert undocumented == []


def _described(spec: dict[str, Any]) -> bool:
    """A property is described on itself or, for an optional field, on its non-null form."""
    if spec.get("description"):
        return True
    return any(option.get("description") for option in spec.get("anyOf", []))


def test_every_error_response_uses_the_one_error_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (
                    f"{method} {path} {status}"
                )


@SCHEMA.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.filterwarnings("ignore")
def test_the_server_honours_its_schema(case: schemathesis.Case) -> None:
    """No server error and no undocumented status, for random and for real sessions."""
    if "session_id" in (case.path_parameters or {}) and case.path_parameters is not None:
        # Half the cases aim at a real session so the deeper code runs, with its token.
        if hash(repr(case.body)) % 2 == 0:
            case.path_parameters["session_id"] = SESSION_ID
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
        if case.method == "DELETE":
            case.path_parameters["session_id"] = "not-a-session"
    # Some schema-valid configs break a rule across fields (custom data needs points, say);
    # those are answered with a documented 422, so only positive-data acceptance is waived.
    excluded = [positive_data_acceptance]
    if case.path == "/oembed":  # oEmbed answers 501 for formats it lacks, as its spec says
        excluded.append(not_a_server_error)
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.status_code < 500 or response.status_code in {501, 503}
