"""The OpenAPI document as this server enforces it, beyond what each model says alone.

The pydantic models carry the engine's own limits; an operator may set tighter ones
(STEPWISE_MAX_SAMPLES, STEPWISE_MAX_EPOCHS_PER_CALL…). A client reading the document — or a
tool generating requests from it — must learn the limits in force, so the document is built
once per app: every request field a setting limits gets the setting's bound, a comparison's
`values` are typed by the field `vary` names, and links lead from whatever creates a session
or comparison to every call on it.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError

from app.config import Settings
from app.schemas import ComparisonCreate, SessionConfig

Schema = dict[str, Any]
# The request models whose fields settings limit (a snapshot's own fields are not these).
LIMITED = (
    *("SessionConfig", "ConfigUpdate", "StepRequest"),
    *("ComparisonCreate", "ComparisonUpdate", "ComparisonStep"),
)
DESCRIPTIVE = {"title", "default", "description"}


def bounds(settings: Settings) -> dict[str, Schema]:
    """Request field name -> the JSON Schema bounds a setting puts on it."""
    return {
        "n_samples": {"maximum": settings.max_samples},
        "points": {"maxItems": settings.max_samples},
        "hidden_layers": {
            "maxItems": settings.max_hidden_layers,
            "items": {"maximum": settings.max_layer_width},
        },
        "epochs": {"maximum": settings.max_epochs_per_call},
        "steps": {"maximum": settings.max_steps_per_call},
        "resolution": {"maximum": settings.max_grid_resolution},
        "values": {"maxItems": settings.max_comparison_runs},
    }


def _tighten(schema: Schema, limits: Schema) -> None:
    """Apply `limits` to a field's schema and to each of its non-null alternatives."""
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            _tighten(option, limits)
    if "anyOf" in schema:
        return
    for key, bound in limits.items():
        if isinstance(bound, dict):
            if isinstance(schema.get(key), dict):
                _tighten(schema[key], bound)
        else:  # every bound a setting gives is an upper one
            schema[key] = min(schema.get(key, bound), bound)


def _whole_bounds(schema: Any) -> None:
    """Integers get integer bounds (pydantic writes `minimum: 1.0` for `ge=1` on an int)."""
    if isinstance(schema, dict):
        if schema.get("type") == "integer":
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = schema.get(key)
                if isinstance(value, float) and value.is_integer():
                    schema[key] = int(value)
        for value in schema.values():
            _whole_bounds(value)
    elif isinstance(schema, list):
        for value in schema:
            _whole_bounds(value)


def _values_follow_vary(document: Schema, schemas: list[Schema]) -> None:
    """`values` holds values of the field `vary` names: say so, one alternative per field."""
    config = document["components"]["schemas"].get("SessionConfig", {}).get("properties", {})
    for schema in schemas:
        properties = schema.get("properties", {})
        if "vary" not in properties or "values" not in properties:
            continue
        default = properties["vary"].get("default")
        branches = []
        for name in properties["vary"].get("enum", []):
            field = config.get(name, {})
            item = {k: copy.deepcopy(v) for k, v in field.items() if k not in DESCRIPTIVE}
            branch: Schema = {"properties": {"vary": {"const": name}, "values": {"items": item}}}
            if name != default:
                # Left out, `values` takes defaults meant for the default field: say it is
                # required wherever those would not do.
                branch["required"] = ["vary"] if _defaults_fit(name) else ["vary", "values"]
            branches.append(branch)
        schema["anyOf"] = branches


def _defaults_fit(field: str) -> bool:
    """Whether ComparisonCreate's default values are all valid values of `field`."""
    try:
        for value in ComparisonCreate().values:
            SessionConfig.model_validate({field: value})
    except ValidationError:
        return False
    return True


# A created thing's answer -> the path parameter that names it elsewhere.
CREATED = {"SessionCreated": "session_id", "ComparisonCreated": "group_id"}


def _link_what_is_created(document: Schema) -> None:
    """OpenAPI links: whoever creates a session or comparison may read and drive it next.

    The id fills the path parameter and the token the Authorization header, so a client (or a
    testing tool) can follow a create to every call on what it made.
    """
    operations = [op for item in document["paths"].values() for op in item.values()]
    for producer in operations:
        for status, response in producer.get("responses", {}).items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            param = CREATED.get(schema.get("$ref", "").rsplit("/", 1)[-1])
            if param is None or not status.startswith("2"):
                continue
            links: Schema = {}
            for target in operations:
                names = {p["name"]: p["in"] for p in target.get("parameters", [])}
                if names.get(param) != "path" or "operationId" not in target:
                    continue
                parameters = {f"path.{param}": "$response.body#/id"}
                if names.get("authorization") == "header":
                    parameters["header.authorization"] = "Bearer {$response.body#/token}"
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": parameters,
                }
            response["links"] = links


def apply_settings(document: Schema, settings: Settings) -> Schema:
    """`document` tightened to `settings`, with what holds across fields added."""
    limits = bounds(settings)
    components: dict[str, Schema] = document["components"]["schemas"]
    schemas = [components[name] for name in LIMITED if name in components]
    for schema in schemas:
        for name, field in schema.get("properties", {}).items():
            if name in limits:
                _tighten(field, limits[name])
    _values_follow_vary(document, schemas)
    _link_what_is_created(document)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("name") in limits:
                    _tighten(parameter.get("schema", {}), limits[parameter["name"]])
    _whole_bounds(document)
    return document


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the document FastAPI builds, tightened once, on its first request."""
    build = app.openapi

    def openapi() -> Schema:
        fresh = app.openapi_schema is None
        document = build()  # built once, then cached on the app
        return apply_settings(document, settings) if fresh else document

    app.openapi = openapi  # type: ignore[method-assign]
