"""What several routers answer alike: the documented errors, and a new session with its token."""

from __future__ import annotations

from typing import Any

from app.schemas import ErrorResponse, SessionCreated
from app.sessions.session import Session

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in [
        (400, "The request body could not be read."),
        (404, "No session has this id."),
        (413, "The request body is too large."),
        (422, "A value is invalid; the message names the field."),
    ]
}
DRIVE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorResponse, "description": "No token was given."},
    403: {"model": ErrorResponse, "description": "The token does not drive this session."},
}
CREATE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: ERRORS[400],
    413: ERRORS[413],
    422: ERRORS[422],
    503: {
        "model": ErrorResponse,
        "description": "The server holds its maximum of sessions, or of their memory.",
    },
}


def created(session: Session) -> SessionCreated:
    """A new session as its creator sees it: the only answer that carries the token."""
    return SessionCreated.model_validate({**session.public(), "token": session.token})
