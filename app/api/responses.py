"""What the routers answer alike: the documented errors of each kind of route, and the
answers built from a run — its state, a comparison as read, a new run with its token.

A route names its kind (`reads`, `drives`, `creates`, `deletes`) and its summary; the kind
decides the status code and the errors the OpenAPI document lists, and the answer model is
the route's return type (FastAPI reads it from there).
"""

from __future__ import annotations

from typing import Any, overload

from fastapi import Response

from app.schemas import (
    ComparisonCreated,
    ComparisonPublic,
    ErrorResponse,
    SessionCreated,
    SessionState,
)
from app.sessions.group import Comparison
from app.sessions.session import Session

Errors = dict[int | str, dict[str, Any]]


def errors(*texts: tuple[int, str]) -> Errors:
    """Documented error answers, each in the one error shape."""
    return {status: {"model": ErrorResponse, "description": text} for status, text in texts}


ERRORS = errors(
    (400, "The request body could not be read."),
    (404, "No session has this id."),
    (413, "The request body is too large."),
    (422, "A value is invalid; the message names the field."),
)
DRIVE_ERRORS: Errors = {
    **ERRORS,
    **errors((401, "No token was given."), (403, "The token does not drive this session.")),
}
FULL = errors((503, "The server holds its maximum of sessions, or of their memory."))
CREATE_ERRORS: Errors = {**{status: ERRORS[status] for status in (400, 413, 422)}, **FULL}
TOO_MANY = errors((429, "Too many reads from this address."))


def joined(*some: Errors) -> Errors:
    return {status: answer for errors in some for status, answer in errors.items()}


def reads(summary: str, *more: Errors, **extra: Any) -> dict[str, Any]:
    """A read by anyone with the id; `more` errors than any read's."""
    return {"responses": joined(ERRORS, *more), "summary": summary, **extra}


def drives(summary: str, *more: Errors) -> dict[str, Any]:
    """A change only the run's token may make."""
    return {"responses": joined(DRIVE_ERRORS, *more), "summary": summary}


def creates(summary: str, base: Errors = CREATE_ERRORS) -> dict[str, Any]:
    """A new run: 201, or 503 when the server is full."""
    return {"status_code": 201, "responses": joined(base, FULL), "summary": summary}


def deletes(summary: str) -> dict[str, Any]:
    """The run and all it holds go; nothing to answer."""
    return {
        "status_code": 204,
        "response_class": Response,
        "responses": DRIVE_ERRORS,
        "summary": summary,
    }


@overload
def created(run: Session) -> SessionCreated: ...
@overload
def created(run: Comparison) -> ComparisonCreated: ...
def created(run: Session | Comparison) -> SessionCreated | ComparisonCreated:
    """A new run as its creator sees it: the only answer that carries the token."""
    model = SessionCreated if isinstance(run, Session) else ComparisonCreated
    return model.model_validate({**run.public(), "token": run.token})


def state(session: Session) -> SessionState:
    """Where a session's training stands, after whatever the route asked of it."""
    return SessionState.model_validate(session.state())


def comparison(group: Comparison) -> ComparisonPublic:
    """A comparison and its runs, as anyone with its id reads it."""
    return ComparisonPublic.model_validate(group.public())
