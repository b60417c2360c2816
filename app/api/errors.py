"""One error shape for every failure: {"error": {"code", "message", "field"}}.

Validation errors are rewritten into sentences a person understands, naming the field, e.g.
"learning_rate must be between 1e-05 and 10".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from app.schemas import EXTENT, LIMITS, ErrorResponse

log = logging.getLogger("stepwise")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    501: "not_implemented",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code or CODES.get(status, "error")
        self.headers = headers


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def _field_name(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds_text(lo: Any, hi: Any) -> str:
    return f"between {_number(lo)} and {_number(hi)}"


# What a value of the wrong kind should have been, by pydantic error type.
KINDS = {
    **dict.fromkeys(
        ("int_type", "int_parsing", "int_from_float", "int_parsing_size"), "an integer"
    ),
    **dict.fromkeys(("float_type", "float_parsing"), "a number"),
    "finite_number": "a finite number",
    **dict.fromkeys(("bool_type", "bool_parsing"), "true or false"),
    **dict.fromkeys(("string_type", "string_unicode"), "a string"),
    **dict.fromkeys(("list_type", "tuple_type", "set_type"), "a list"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), "an object"),
}
POINT_SHAPE = {"missing", "too_long", "too_short", "tuple_type", "list_type"}
SQUARE = "[{0:g}, {1:g}] x [{0:g}, {1:g}]".format(*EXTENT)
BOUND_KINDS = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def _length_text(kind: str, ctx: dict[str, Any]) -> str:
    count = ctx.get("min_length" if kind == "too_short" else "max_length")
    unit = "character" if ctx.get("field_type") in {"String", "Value"} else "item"
    units = unit if count == 1 else unit + "s"
    return f"must have {'at least' if kind == 'too_short' else 'at most'} {count} {units}"


def describe_error(error: dict[str, Any], bounds: dict[str, tuple[Any, Any]]) -> tuple[str, str]:
    """(field, sentence) for the first pydantic error of a request.

    Every sentence is about the input and names the field; pydantic's own wording, written
    for programmers, only shows through for checks this table does not know.
    """
    loc = tuple(error.get("loc", ()))
    field = _field_name(loc) or "body"
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    names = [part for part in field.split(".") if not part.isdigit()] or ["body"]
    if names[0] == "config" and len(names) > 1:  # a socket's set: the sentence names the field
        names = names[1:]
    base, top = names[-1], names[0]
    if kind == "json_invalid":
        return "body", f"the request body is not valid JSON ({ctx.get('error', 'malformed')})"
    parts = field.split(".")
    at = parts.index("points") + 2 if "points" in parts else 0
    if at and len(parts) >= at and kind in POINT_SHAPE:
        point = ".".join(parts[:at])  # the point as a whole: its shape is wrong
        return point, f"{point} must be [x1, x2, label]: two numbers and an integer label"
    if at and len(parts) == at + 1 and kind in BOUND_KINDS:
        if parts[-1] == "2":
            return field, f"{field} (a label) must be {_bounds_text(*LIMITS['label'])}"
        return field, f"{field} must lie in the square {SQUARE}"
    if kind in KINDS and field == "body":  # every body and message is an object
        return field, "the body must be a JSON object of named fields"
    if kind in KINDS:
        return field, f"{field} must be {KINDS[kind]}"
    if kind in BOUND_KINDS:
        lo, hi = bounds.get(base, bounds.get(top, (None, None)))
        if lo is not None and hi is not None:
            subject = "hidden layer widths" if top == "hidden_layers" else top
            return field, f"{subject} must be {_bounds_text(lo, hi)}"
        limit = _number(next(iter(ctx.values()), ""))
        word = {"greater_than_equal": "at least", "less_than_equal": "at most"}.get(kind, "")
        relation = word or ("more than" if kind == "greater_than" else "less than")
        return field, f"{field} must be {relation} {limit}"
    if kind == "literal_error":
        return field, f"{field} must be one of {ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        tags = ctx.get("expected_tags", "")
        return "type", f"type must be one of {tags}, not {ctx.get('tag', '')!r}"
    if kind == "union_tag_not_found":
        return "type", "type is required: it says what the message is"
    if kind == "extra_forbidden":
        return field, f"{field} is not a known field"
    if kind == "missing":
        return field, f"{field} is required"
    if kind in {"too_long", "too_short"}:
        return field, f"{field} {_length_text(kind, ctx)}"
    if kind in {"value_error", "assertion_error"}:  # our own validators' sentences
        message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        return field, f"{field}: {message}" if field != "body" else message
    return field, f"{field} is not valid ({error.get('msg', kind)})"


def _bounds_of(app: FastAPI) -> dict[str, tuple[Any, Any]]:
    cached: dict[str, tuple[Any, Any]] | None = getattr(app.state, "field_bounds", None)
    if cached is None:
        cached = field_bounds()
        app.state.field_bounds = cached
    return cached


def field_bounds() -> dict[str, tuple[Any, Any]]:
    """Numeric bounds of every config field, read from the schema itself."""
    from app.schemas import SessionConfig, StepRequest

    bounds: dict[str, tuple[Any, Any]] = {}
    for model in (SessionConfig, StepRequest):
        for name, info in model.model_fields.items():
            lo = hi = None
            for meta in info.metadata:
                lo = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else lo
                hi = getattr(meta, "le", None) if getattr(meta, "le", None) is not None else hi
            if lo is not None and hi is not None:
                bounds[name] = (lo, hi)
    bounds["hidden_layers"] = LIMITS["neurons"]  # the schema bounds each width, not the list
    return bounds


def validation_message(exc: ValidationError | RequestValidationError, app: FastAPI) -> ApiError:
    errors = list(exc.errors())
    if not errors:
        return ApiError(422, "the request is invalid")
    field, message = describe_error(dict(errors[0]), _bounds_of(app))
    return ApiError(422, message, field=None if field == "body" else field)


def error_response(error: ApiError) -> JSONResponse:
    body = ErrorResponse.model_validate(error_body(error.code, error.message, error.field))
    headers = dict(error.headers) if error.headers else None
    return JSONResponse(body.model_dump(), status_code=error.status, headers=headers)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path, HEAD wherever GET is (see head.py).

    Routers nest, so every route is visited, included ones too. A fixed path beats a
    template: `/api/sessions/import` is not the session called "import", so only the routes
    whose templates hold the fewest parameters count.
    """
    params: dict[str, int] = {}  # method -> fewest path parameters of a route serving it
    for route in iter_route_contexts(request.app.router.routes):
        methods = getattr(route, "methods", None)
        if not route.path or not methods:
            continue  # a mount or a socket: it answers for itself
        found = compile_path(route.path)[0].match(request.scope["path"])
        if found:
            count = len(found.groupdict())
            for method in methods:
                params[method] = min(params.get(method, count), count)
    fewest = min(params.values(), default=0)
    allowed = [method for method in METHODS if params.get(method) == fewest]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.insert(1, "HEAD")
    return allowed


def install(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(validation_message(exc, request.app))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        code = CODES.get(exc.status_code, "error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # a mount (static files) names its own methods
            allow = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
            headers["Allow"] = allow
            detail = f"{request.method} is not allowed here; this address answers {allow}"
        return error_response(ApiError(exc.status_code, detail, code=code, headers=headers))

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(ApiError(500, "internal error", code="internal"))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
