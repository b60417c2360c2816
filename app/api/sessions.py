"""REST routes of the session API: create, read, drive, export and import training runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from app.api import boundary
from app.api.deps import DrivenSessionDep, RegistryDep, SessionDep
from app.api.responses import (
    FULL,
    TOO_MANY,
    Errors,
    created,
    creates,
    deletes,
    drives,
    errors,
    reads,
    state,
)
from app.schemas import (
    Boundary,
    ConfigChange,
    ConfigUpdate,
    DataPoints,
    HistoryPublic,
    SessionConfig,
    SessionCreated,
    SessionPublic,
    SessionState,
    Snapshot,
    StepRequest,
)
from app.sessions import service

router = APIRouter(prefix="/api/sessions", tags=["sessions"])
CSV: Errors = {
    200: {
        "description": "The history as JSON, or as CSV with `Accept: text/csv`.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
WRONG_TOKEN = errors((403, "A token was given that does not drive it."))


@router.post("", **creates("Create a training session"))
async def create_session(
    registry: RegistryDep, config: SessionConfig | None = None
) -> SessionCreated:
    return created(await service.create(registry, (config or SessionConfig()).model_dump()))


@router.post("/import", **creates("Continue an exported run in a new session"))
async def import_session(snapshot: Snapshot, registry: RegistryDep) -> SessionCreated:
    config, version = snapshot.config.model_dump(), snapshot.version
    return created(
        await service.import_run(registry, config, snapshot.trainer, snapshot.history, version)
    )


@router.get("/{session_id}", **reads("Read a session"))
async def read_session(session: SessionDep) -> SessionPublic:
    return SessionPublic.model_validate(session.public())


@router.get("/{session_id}/data", **reads("The training and test points"))
async def read_data(session: SessionDep) -> DataPoints:
    return DataPoints.model_validate(session.data())


@router.get(
    "/{session_id}/history",
    **reads("Loss and accuracy over the steps", CSV, response_model=HistoryPublic),
)
async def read_history(session: SessionDep, request: Request) -> Any:
    if "text/csv" in request.headers.get("accept", ""):
        return PlainTextResponse(session.history.csv(), media_type="text/csv")
    history = session.history
    return HistoryPublic(
        recorded=history.recorded, thinned=history.thinned, points=history.points()
    )


@router.get(
    "/{session_id}/boundary",
    **reads(
        "The network's output over a grid of the square",
        WRONG_TOKEN,
        TOO_MANY,
        response_model=Boundary,
        description="Anyone with the id may ask up to STEPWISE_MAX_VIEWER_GRID_RESOLUTION (100 "
        "by default, the frames' grid); the driver, with `Authorization: Bearer <token>`, up to "
        "STEPWISE_MAX_GRID_RESOLUTION. Answers are cached until the run moves. Reads without "
        "the token are paced per address (STEPWISE_VIEWER_READS_PER_SECOND): past it they "
        "wait, and past 2 s of waiting get 429 with Retry-After.",
    ),
)
async def read_boundary(
    session: SessionDep,
    request: Request,
    resolution: boundary.Resolution = 100,
    authorization: boundary.Bearer = None,
) -> Any:
    await boundary.admit(request, session, resolution, authorization)
    return await boundary.now(session, resolution)


@router.get("/{session_id}/export", **reads("The whole run, to save or to import"))
async def export_session(session: SessionDep) -> Snapshot:
    return Snapshot.model_validate(await service.export(session))


@router.post("/{session_id}/step", **drives("Train some epochs or steps now"))
async def step_session(request: StepRequest, session: DrivenSessionDep) -> SessionState:
    await service.step(session, request.steps, request.epochs)
    return state(session)


@router.patch(
    "/{session_id}", **drives("Change config fields, live where the model's shape allows", FULL)
)
async def update_session(update: ConfigUpdate, session: DrivenSessionDep) -> ConfigChange:
    applied = await service.configure(session, update.model_dump(exclude_unset=True))
    return ConfigChange.model_validate({"applied": applied, **session.public()})


@router.post("/{session_id}/reset", **drives("Go back to the exact weights of step 0"))
async def reset_session(session: DrivenSessionDep) -> SessionState:
    await service.reset(session)
    return state(session)


@router.delete("/{session_id}", **deletes("Delete a session"))
async def delete_session(session: DrivenSessionDep, registry: RegistryDep) -> Response:
    await service.delete(registry, session)
    return Response(status_code=204)
