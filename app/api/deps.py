"""Dependencies shared by the routes: the registry, what a path's id names (404 once, for
sessions and comparisons alike), and the driver's token check.

No `from __future__ import annotations` here: `driven` builds its dependency inside a
function, and FastAPI can only read that signature's annotations if they are real objects.
"""

import secrets
from collections.abc import Callable
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Header, Path, Request

from app.api.errors import ApiError
from app.config import Settings
from app.sessions.group import Comparison
from app.sessions.registry import Registry
from app.sessions.session import Session


class Owned(Protocol):
    """A session or a comparison: what a path's id names and a token drives."""

    @property
    def token(self) -> str: ...

    def touch(self) -> None: ...


T = TypeVar("T", bound=Owned)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]


def found(thing: T | None, what: str, field: str) -> T:
    """`thing`, touched (someone still uses it), or a 404 naming the id's field."""
    if thing is None:
        raise ApiError(404, f"no {what} has this id (it may have expired)", field=field)
    thing.touch()
    return thing


def get_session(
    registry: RegistryDep,
    session_id: Annotated[str, Path(max_length=64, description="The session's id.")],
) -> Session:
    return found(registry.get(session_id), "session", "session_id")


def get_group(
    registry: RegistryDep,
    group_id: Annotated[str, Path(max_length=64, description="The comparison's id.")],
) -> Comparison:
    return found(registry.groups.get(group_id), "comparison", "group_id")


def holds(secret: str, token: str) -> bool:
    """Whether `token` is `secret`, compared in constant time."""
    return secrets.compare_digest(secret.encode(), token.encode())


def require_bearer(authorization: str | None, secret: str, what: str) -> None:
    """401 without a token, 403 with the wrong one; compared in constant time."""
    if not authorization:
        raise ApiError(
            401,
            f"driving a {what} needs its token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not holds(secret, token.strip()):
        raise ApiError(403, f"this token does not drive this {what}")


def driven(get: Callable[..., T], what: str) -> Callable[..., T]:
    """A dependency: what `get` finds, once the request's Authorization header drives it."""
    header = Header(description=f"`Bearer <token>`: the {what}'s token.")

    def check(
        thing: Annotated[T, Depends(get)],
        authorization: Annotated[str | None, header] = None,
    ) -> T:
        require_bearer(authorization, thing.token, what)
        return thing

    return check


SessionDep = Annotated[Session, Depends(get_session)]
DrivenSessionDep = Annotated[Session, Depends(driven(get_session, "session"))]
GroupDep = Annotated[Comparison, Depends(get_group)]
DrivenGroupDep = Annotated[Comparison, Depends(driven(get_group, "comparison"))]
