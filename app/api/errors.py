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
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from app.schemas import ErrorResponse

log = logging.getLogger("stepwise")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
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


def describe_error(error: dict[str, Any], bounds: dict[str, tuple[Any, Any]]) -> tuple[str, str]:
    """(field, sentence) for the first pydantic error of a request."""
    loc = tuple(error.get("loc", ()))
    field = _field_name(loc) or "body"
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    names = [part for part in field.split(".") if not part.isdigit()] or ["body"]
    base, top = names[-1], names[0]
    if kind == "json_invalid":
        return "body", f"the request body is not valid JSON ({ctx.get('error', 'malformed')})"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        lo, hi = bounds.get(base, bounds.get(top, (None, None)))
        if lo is not None and hi is not None:
            subject = "hidden layer widths" if top == "hidden_layers" else top
            return field, f"{subject} must be {_bounds_text(lo, hi)}"
        limit = next(iter(ctx.values()), "")
        word = {"greater_than_equal": "at least", "less_than_equal": "at most"}.get(kind, "")
        relation = word or ("more than" if kind == "greater_than" else "less than")
        return field, f"{field} must be {relation} {limit}"
    if kind == "literal_error":
        return field, f"{field} must be one of {ctx.get('expected', '')}"
    if kind == "extra_forbidden":
        return field, f"{field} is not a known field"
    if kind == "missing":
        return field, f"{field} is required"
    if kind in {"too_long", "too_short"}:
        return field, f"{field}: {error.get('msg', 'wrong length')}"
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return field, f"{field}: {message}" if field != "body" else message


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
    bounds["hidden_layers"] = (1, 32)
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


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path: the router alone names only one route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


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
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return error_response(ApiError(exc.status_code, detail, code=code, headers=headers))

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(ApiError(500, "internal error", code="internal"))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
