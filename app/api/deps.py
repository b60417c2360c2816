"""Dependencies shared by the routes: the registry, the session (404 once), the driver check."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from app.api.errors import ApiError
from app.config import Settings
from app.sessions.registry import Registry
from app.sessions.session import Session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]


def get_session(
    registry: RegistryDep,
    session_id: Annotated[str, Path(max_length=64, description="The session's id.")],
) -> Session:
    session = registry.get(session_id)
    if session is None:
        raise ApiError(404, "no session has this id (it may have expired)", field="session_id")
    session.touch()
    return session


SessionDep = Annotated[Session, Depends(get_session)]


def token_matches(session: Session, token: str) -> bool:
    return secrets.compare_digest(session.token.encode(), token.encode())


def require_bearer(authorization: str | None, secret: str, what: str) -> None:
    """401 without a token, 403 with the wrong one; compared in constant time."""
    if not authorization:
        raise ApiError(
            401,
            f"driving a {what} needs its token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        secret.encode(), token.strip().encode()
    ):
        raise ApiError(403, f"this token does not drive this {what}")


def get_driven_session(
    session: SessionDep,
    authorization: Annotated[
        str | None, Header(description="`Bearer <token>`: the session's token.")
    ] = None,
) -> Session:
    require_bearer(authorization, session.token, "session")
    return session


DrivenSessionDep = Annotated[Session, Depends(get_driven_session)]
