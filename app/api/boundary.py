"""Boundary reads over REST, cheap for whoever asks: now, or at a timeline checkpoint.

Anyone with the id may read, so what a read costs is bounded three ways:
- without the token a read may ask at most STEPWISE_MAX_VIEWER_GRID_RESOLUTION (the frame's
  100 by default); the driver (`Authorization: Bearer <token>`) may ask up to
  STEPWISE_MAX_GRID_RESOLUTION. A larger ask without a token is a 422 naming `resolution`
  rather than a silently smaller grid, so a script learns why its grid is not what it asked for;
- the frame's resolution is served from the grid the session computed for its viewers, so
  only turning it into JSON costs; answers are cached per moment and shared by identical reads
  arriving together, and what still has to be computed runs in the worker's one lane for reads
  (app/sessions/boundary.py, reads.py, worker.py);
- answering at all costs ~1 ms of Python, so reads without the token are paced per client
  address, STEPWISE_VIEWER_READS_PER_SECOND (app/api/pacer.py).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Header, Query, Request, Response

from app.api.deps import holds, require_bearer
from app.api.errors import ApiError
from app.api.pacer import Busy
from app.config import Settings
from app.schemas import LIMITS, Boundary
from app.sessions import boundary as reads
from app.sessions.session import Session

Resolution = Annotated[
    int, Query(ge=2, le=LIMITS["resolution"][1], description="N for an N × N grid.")
]
Bearer = Annotated[
    str | None, Header(description="`Bearer <token>`: needed past the viewers' largest grid.")
]


async def admit(
    request: Request, session: Session, resolution: int, authorization: str | None
) -> None:
    """Every boundary read's gate: paced first (even a refusal costs to answer), then capped."""
    await pace(request, session, authorization)
    check_resolution(resolution, request.app.state.settings, session, authorization)


def check_resolution(
    resolution: int, settings: Settings, session: Session, authorization: str | None
) -> None:
    """422 past the server's largest grid, or past the viewers' largest without a token;
    with a token that does not drive this session, 403."""
    top = settings.max_grid_resolution
    if resolution > top:
        raise ApiError(422, f"resolution must be between 2 and {top}", field="resolution")
    if resolution <= settings.max_viewer_grid_resolution:
        return
    if authorization:
        require_bearer(authorization, session.token, "session")
        return
    raise ApiError(
        422,
        f"resolution must be at most {settings.max_viewer_grid_resolution} without the "
        f"session's token; its driver (Authorization: Bearer <token>) may ask up to {top}",
        field="resolution",
    )


def drives(request: Request, session: Session, authorization: str | None) -> bool:
    """Whether the read carries the session's token, or that of the comparison it runs in
    (the /compare page looks back at each run with the comparison's token)."""
    token = (authorization or "").partition(" ")[2].strip()
    if not token:
        return False
    if holds(session.token, token):
        return True
    group = request.app.state.registry.groups.get(session.group) if session.group else None
    return group is not None and holds(group.token, token)


async def pace(request: Request, session: Session, authorization: str | None) -> None:
    """Hold a read without the driver's token until its address's turn (pacer.py): a school
    is one address, so what its pages read for their own runs carries their token."""
    if drives(request, session, authorization):
        return
    await hold(request, "boundary")


async def hold(request: Request, what: str) -> None:
    """Wait for this address's turn at the pace of strangers' reads, or 429 past MAX_WAIT."""
    address = request.client.host if request.client else "unknown"
    try:
        wait = request.app.state.read_pacer.delay(address)
    except Busy as busy:
        raise ApiError(
            429,
            f"too many {what} reads from this address; try again in {busy.retry_after} seconds",
            field="resolution",
            headers={"Retry-After": str(busy.retry_after)},
        ) from None
    if wait > 0:
        await asyncio.sleep(wait)


def boundary_for(problem: str, grid: Any, resolution: int) -> Boundary:
    confidence = None
    if problem == "multiclass":
        values = grid.argmax(axis=-1).ravel().astype(float).tolist()
        confidence = grid.max(axis=-1).ravel().astype(float).tolist()
    else:
        values = grid.ravel().astype(float).tolist()
    return Boundary(
        resolution=resolution,
        extent=[reads.EXTENT[0], reads.EXTENT[1], reads.EXTENT[0], reads.EXTENT[1]],
        problem=problem,
        values=values,
        confidence=confidence,
    )


def render(problem: str, grid: Any, resolution: int) -> bytes:
    return boundary_for(problem, grid, resolution).model_dump_json().encode()


def as_json(data: bytes) -> Response:
    return Response(data, media_type="application/json")


async def now(session: Session, resolution: int) -> Response:
    """The boundary as the session's viewers see it now."""
    return as_json(await reads.now(session, resolution, render))


async def past(session: Session, at: int, resolution: int) -> Response:
    """The boundary as it was at timeline moment `at`; a checkpoint never changes."""
    return as_json(await reads.past(session, at, resolution, render))
