"""The service's refusals as HTTP answers, in the one error shape, installed once for all routes.

A route calls the service and lets a refusal fly: a `ConfigError` is a 422 naming the field, a
`Missing` moment a 404, `MemoryFull` and `Full` a 503 to retry in a minute, a `Conflict` a 409.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.api.errors import ApiError, error_response
from app.sessions.memory import MemoryFull
from app.sessions.refusals import ConfigError, Conflict, Full, Missing

RETRY = {"Retry-After": "60"}


def as_api_error(exc: Exception) -> ApiError:
    """The HTTP answer to one refusal of the service."""
    if isinstance(exc, MemoryFull):
        return ApiError(503, exc.message, field=exc.field, headers=RETRY)
    if isinstance(exc, Missing):
        return ApiError(404, exc.message, field=exc.field)
    if isinstance(exc, ConfigError):
        return ApiError(422, exc.message, field=exc.field)
    if isinstance(exc, Full):
        return ApiError(503, exc.message, headers=RETRY)
    if isinstance(exc, Conflict):
        return ApiError(409, exc.message)
    raise TypeError(f"not a refusal: {exc!r}")


def install(app: FastAPI) -> None:
    async def on_refusal(request: Request, exc: Exception) -> JSONResponse:
        return error_response(as_api_error(exc))

    for kind in (ConfigError, Full, Conflict):  # subclasses find their parent's handler
        app.add_exception_handler(kind, on_refusal)
