"""The OpenAPI document is the contract: complete, described, and honoured by the server.

Schemathesis runs every phase against it — examples, coverage, fuzzing, and stateful runs
that follow the document's links from a create to every call on what it made — with every
check on: no server error, no undocumented status, answers that match their schemas, and no
request the document calls valid turned away.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

from app.config import Settings
from app.main import create_app

# Small limits keep generated calls quick; the document states them, so generated requests
# respect them. The step limit covers the dearest epoch allowed (500 points, 90 % training,
# batch 1: 450 steps), so a step call the document allows is never too long for its session.
# The session memory budget is lifted: a cost estimate no schema can state.
LIMITS = Settings(
    max_samples=500,
    max_hidden_layers=3,
    max_layer_width=8,
    max_epochs_per_call=4,
    max_steps_per_call=1800,
    max_grid_resolution=100,  # the default grid is 100 × 100
    max_sessions=100_000,
    session_memory_mb=100_000,
    memory_mb=100_000,
)
APP = create_app(LIMITS)
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


EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _exempt(case: schemathesis.Case) -> list[Any]:
    """Checks that cannot hold for this operation, each for a reason the document states."""
    if case.path == "/oembed":  # oEmbed answers 501 for formats it lacks, as its spec says
        return [not_a_server_error]
    if case.path == "/api/sessions/import":
        # A snapshot is valid only if its weights fit its config: no schema can say that.
        return [positive_data_acceptance]
    if case.path == "/api/comparisons/{group_id}" and case.method == "PATCH":
        # New `values` must be of the field the comparison varies, known only to the server.
        return [positive_data_acceptance]
    return []


@SCHEMA.parametrize()
@EXAMPLES
@pytest.mark.filterwarnings("ignore")
def test_the_server_honours_its_schema(case: schemathesis.Case) -> None:
    """No server error, no undocumented status, no valid request refused, for every phase."""
    if "session_id" in (case.path_parameters or {}) and case.path_parameters is not None:
        # Half the cases aim at a real session so the deeper code runs, with its token.
        if hash(repr(case.body)) % 2 == 0:
            case.path_parameters["session_id"] = SESSION_ID
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
        if case.method == "DELETE":
            case.path_parameters["session_id"] = "not-a-session"
    response = case.call_and_validate(excluded_checks=_exempt(case))
    assert response.status_code < 500 or response.status_code == 501


class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
    """Create sessions and comparisons, then read, drive and delete them by the links."""

    answered: ClassVar[list[tuple[str, str, int]]] = []

    def after_call(self, response: Any, case: schemathesis.Case) -> None:
        self.answered.append((case.method, case.path, response.status_code))
        super().after_call(response, case)

    def validate_response(  # type: ignore[override]
        self, response: Any, case: schemathesis.Case, **kwargs: Any
    ) -> None:
        case.validate_response(response, excluded_checks=_exempt(case))
        assert response.status_code < 500 or response.status_code == 501


@pytest.mark.filterwarnings("ignore")
def test_stateful_runs_follow_the_links_without_a_failure() -> None:
    document = SCHEMA.raw_schema
    created = document["paths"]["/api/sessions"]["post"]["responses"]["201"]
    assert len(created["links"]) >= 10  # read, drive, step, export… each by id and token
    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The links were followed: calls on a created session or comparison succeeded.
    linked = [
        (method, path)
        for method, path, status in Workflow.answered
        if status < 300 and ("{session_id}" in path or "{group_id}" in path)
    ]
    assert linked, Workflow.answered


def test_the_document_states_the_limits_in_force() -> None:
    document = TestClient(APP).get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    config = schemas["SessionConfig"]["properties"]
    assert config["n_samples"]["maximum"] == 500
    assert config["hidden_layers"]["maxItems"] == 3
    assert config["hidden_layers"]["items"]["maximum"] == 8
    assert config["points"]["anyOf"][0]["maxItems"] == 500
    assert config["points"]["anyOf"][0]["minItems"] == 2
    assert schemas["SessionConfig"]["then"]["required"] == ["points"]
    step = schemas["StepRequest"]
    assert step["properties"]["epochs"]["anyOf"][0] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 4,
    }
    assert step["properties"]["steps"]["anyOf"][0]["maximum"] == 1800
    assert [sorted(branch["required"]) for branch in step["oneOf"]] == [["epochs"], ["steps"]]
    boundary = document["paths"]["/api/sessions/{session_id}/boundary"]["get"]
    resolution = next(p for p in boundary["parameters"] if p["name"] == "resolution")
    assert resolution["schema"]["maximum"] == 100
    vary = {b["properties"]["vary"]["const"]: b for b in schemas["ComparisonCreate"]["anyOf"]}
    assert vary["hidden_layers"]["properties"]["values"]["items"]["maxItems"] == 3
    assert vary["optimizer"]["properties"]["values"]["items"]["enum"] == [
        "sgd",
        "momentum",
        "rmsprop",
        "adam",
    ]
    assert "required" not in vary["learning_rate"]  # the default when `vary` is left out


def test_a_default_server_documents_the_engine_limits(client: TestClient) -> None:
    config = client.get("/openapi.json").json()["components"]["schemas"]["SessionConfig"]
    assert config["properties"]["n_samples"]["maximum"] == 5000
    assert config["properties"]["hidden_layers"]["maxItems"] == 8
