"""Routes of the timeline: look back through a run, rewind it, rescue it, or branch from it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from app.api import boundary
from app.api.deps import DrivenSessionDep, RegistryDep, SessionDep
from app.api.responses import (
    DRIVE_ERRORS,
    ERRORS,
    TOO_MANY,
    created,
    creates,
    drives,
    errors,
    reads,
    state,
)
from app.schemas import (
    Boundary,
    BranchRequest,
    MomentRequest,
    SessionCreated,
    SessionState,
    TimelinePublic,
)
from app.sessions import service

router = APIRouter(prefix="/api/sessions", tags=["timeline"])
At = Annotated[int, Path(ge=0, description="A checkpoint's key, from the timeline.")]
NOT_DIVERGED = errors((409, "The run has not diverged."))


@router.get("/{session_id}/timeline", **reads("The checkpoints kept so far and the markers found"))
async def read_timeline(session: SessionDep) -> TimelinePublic:
    return TimelinePublic.model_validate(session.timeline_public())


@router.get(
    "/{session_id}/timeline/{at}/boundary",
    **reads(
        "The boundary as it was at a checkpoint",
        {403: DRIVE_ERRORS[403]},
        TOO_MANY,
        response_model=Boundary,
        description="The same limits as the boundary now: past "
        "STEPWISE_MAX_VIEWER_GRID_RESOLUTION the driver's token is needed, and reads without it "
        "are paced per address. A checkpoint never changes, so answers are cached.",
    ),
)
async def read_past_boundary(
    session: SessionDep,
    request: Request,
    at: At,
    resolution: boundary.Resolution = 100,
    authorization: boundary.Bearer = None,
) -> Any:
    await boundary.admit(request, session, resolution, authorization)
    return await boundary.past(session, at, resolution)


@router.post(
    "/{session_id}/rewind", **drives("Continue from a checkpoint, forgetting what came after")
)
async def rewind_session(request: MomentRequest, session: DrivenSessionDep) -> SessionState:
    await service.rewind(session, request.at)
    return state(session)


@router.post(
    "/{session_id}/rescue",
    **drives("Rewind to before the run blew up and halve the step size", NOT_DIVERGED),
)
async def rescue_session(session: DrivenSessionDep) -> SessionState:
    await service.rescue(session)
    return state(session)


@router.post(
    "/{session_id}/branch",
    **creates("Start a new session from a checkpoint, with other hyperparameters", ERRORS),
)
async def branch_session(
    request: BranchRequest, session: SessionDep, registry: RegistryDep
) -> SessionCreated:
    changes = request.model_dump(exclude_unset=True, exclude={"at"})
    return created(await service.branch(registry, session, request.at, changes))
