"""Routes of the timeline: look back through a run, rewind it, rescue it, or branch from it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.deps import DrivenSessionDep, RegistryDep, SessionDep, SettingsDep
from app.api.errors import ApiError
from app.api.sessions import (
    CREATE_ERRORS,
    DRIVE_ERRORS,
    ERRORS,
    boundary_of,
    check_resolution,
    created,
    invalid,
    register,
)
from app.engine import ConfigError, Trainer, checkpoint
from app.schemas import (
    Boundary,
    BranchRequest,
    MomentRequest,
    SessionCreated,
    SessionState,
    TimelinePublic,
)
from app.sessions.history import History
from app.sessions.session import Session
from app.sessions.timeline import Entry

router = APIRouter(prefix="/api/sessions", tags=["timeline"])
At = Annotated[int, Path(ge=0, description="A checkpoint's key, from the timeline.")]


def entry_of(session: Session, at: int | None) -> Entry:
    try:
        return session.entry(at)
    except ConfigError as exc:
        raise ApiError(404, exc.message, field="at") from None


@router.get(
    "/{session_id}/timeline",
    response_model=TimelinePublic,
    responses=ERRORS,
    summary="The checkpoints kept so far and the markers found",
)
async def read_timeline(session: SessionDep) -> TimelinePublic:
    return TimelinePublic.model_validate(session.timeline_public())


@router.get(
    "/{session_id}/timeline/{at}/boundary",
    response_model=Boundary,
    responses=ERRORS,
    summary="The boundary as it was at a checkpoint",
)
async def read_past_boundary(
    session: SessionDep,
    settings: SettingsDep,
    at: At,
    resolution: Annotated[int, Query(ge=2, le=200, description="N for an N × N grid.")] = 100,
) -> Boundary:
    check_resolution(resolution, settings)
    entry = entry_of(session, at)

    def evaluate() -> Boundary:
        with checkpoint.showing(session.trainer, entry.checkpoint) as shown:
            return boundary_of(shown, shown.grid(resolution), resolution)

    async with session.lock:
        return await session.worker.run(evaluate)


@router.post(
    "/{session_id}/rewind",
    response_model=SessionState,
    responses=DRIVE_ERRORS,
    summary="Continue from a checkpoint, forgetting what came after",
)
async def rewind_session(request: MomentRequest, session: DrivenSessionDep) -> SessionState:
    entry_of(session, request.at)
    await session.rewind(request.at)
    return SessionState.model_validate(session.state())


@router.post(
    "/{session_id}/rescue",
    response_model=SessionState,
    responses=DRIVE_ERRORS,
    summary="Rewind to before the run blew up and halve the step size",
)
async def rescue_session(session: DrivenSessionDep) -> SessionState:
    entry_of(session, None)
    await session.rescue()
    return SessionState.model_validate(session.state())


@router.post(
    "/{session_id}/branch",
    status_code=201,
    response_model=SessionCreated,
    responses={**ERRORS, 503: CREATE_ERRORS[503]},
    summary="Start a new session from a checkpoint, with other hyperparameters",
)
async def branch_session(
    request: BranchRequest, session: SessionDep, registry: RegistryDep
) -> SessionCreated:
    entry = entry_of(session, request.at)
    changes = request.model_dump(exclude_unset=True, exclude={"at"})
    changes = {k: v for k, v in changes.items() if v is not None}
    history = History.restore(session.history.snapshot(), session.history.bound)
    history.truncate(entry.checkpoint.step)

    def build() -> Trainer:
        trainer = Trainer(entry.checkpoint.config)
        checkpoint.restore(trainer, entry.checkpoint)
        if trainer.status == "diverged" and changes:
            trainer.status, trainer.message = "ok", None  # new steps deserve a new try
        trainer.reconfigure(**changes)
        return trainer

    try:
        trainer = await registry.worker.run(build)
    except ConfigError as exc:
        raise invalid(exc) from None
    return created(await register(registry, trainer, history))
