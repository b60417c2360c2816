"""REST routes of the session API: create, read, drive, export and import training runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.api import boundary
from app.api.deps import DrivenSessionDep, RegistryDep, SessionDep, SettingsDep
from app.api.errors import ApiError
from app.config import Settings
from app.engine import ConfigError, Trainer, config_from_dict
from app.engine.snapshot import SnapshotError
from app.engine.snapshot_write import in_document
from app.schemas import (
    Boundary,
    ConfigChange,
    ConfigUpdate,
    DataPoints,
    ErrorResponse,
    HistoryPublic,
    SessionConfig,
    SessionCreated,
    SessionPublic,
    SessionState,
    Snapshot,
    StepRequest,
)
from app.sessions import memory
from app.sessions.history import History
from app.sessions.memory import MemoryFull
from app.sessions.registry import RegistryFull
from app.sessions.session import Session, check_limits

router = APIRouter(prefix="/api/sessions", tags=["sessions"])

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


def invalid(exc: ConfigError) -> ApiError:
    return ApiError(422, exc.message, field=exc.field)


async def register(
    registry: RegistryDep, trainer: Trainer, history: History | None = None
) -> Session:
    try:
        return await registry.add(trainer, history)
    except RegistryFull:
        raise ApiError(
            503,
            "the server is running as many sessions as it may; try again in a minute",
            headers={"Retry-After": "60"},
        ) from None
    except MemoryFull:
        raise no_memory() from None
    except ConfigError as exc:  # more memory than one session may have
        raise invalid(exc) from None


def no_memory(field: str | None = None) -> ApiError:
    return ApiError(
        503,
        memory.FULL,
        field=field,
        headers={"Retry-After": "60"},
    )


def created(session: Session) -> SessionCreated:
    return SessionCreated.model_validate({**session.public(), "token": session.token})


@router.post(
    "",
    status_code=201,
    response_model=SessionCreated,
    responses=CREATE_ERRORS,
    summary="Create a training session",
)
async def create_session(
    registry: RegistryDep, settings: SettingsDep, config: SessionConfig | None = None
) -> SessionCreated:
    fields = (config or SessionConfig()).model_dump()
    try:
        check_limits(fields, settings)
        train_config = config_from_dict(fields)
        memory.check(train_config, settings)  # before building what would be refused
    except ConfigError as exc:
        raise invalid(exc) from None
    trainer = await registry.worker.run(Trainer, train_config)
    return created(await register(registry, trainer))


@router.post(
    "/import",
    status_code=201,
    response_model=SessionCreated,
    responses=CREATE_ERRORS,
    summary="Continue an exported run in a new session",
)
async def import_session(
    snapshot: Snapshot, registry: RegistryDep, settings: SettingsDep
) -> SessionCreated:
    try:
        fields = snapshot.config.model_dump()
        check_limits(fields, settings)
        config = config_from_dict(fields)
    except ConfigError as exc:
        raise ApiError(
            422, f"config.{exc.field}: {exc.message}", field=f"config.{exc.field}"
        ) from None
    try:
        trainer = await registry.worker.run(
            Trainer.restore, snapshot.trainer, snapshot.version, config
        )
        counters = (trainer.step, trainer.epoch, trainer.examples_seen)
        history = History.restore(
            snapshot.history, settings.max_history_points, counters, snapshot.version
        )
    except SnapshotError as exc:
        raise invalid(exc) from None
    return created(await register(registry, trainer, history))


@router.get(
    "/{session_id}", response_model=SessionPublic, responses=ERRORS, summary="Read a session"
)
async def read_session(session: SessionDep) -> SessionPublic:
    return SessionPublic.model_validate(session.public())


@router.get(
    "/{session_id}/data",
    response_model=DataPoints,
    responses=ERRORS,
    summary="The training and test points",
)
async def read_data(session: SessionDep) -> DataPoints:
    return DataPoints.model_validate(session.data())


@router.get(
    "/{session_id}/history",
    response_model=HistoryPublic,
    responses={
        **ERRORS,
        200: {
            "description": "The history as JSON, or as CSV with `Accept: text/csv`.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
    summary="Loss and accuracy over the steps",
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
    response_model=Boundary,
    responses={
        **ERRORS,
        403: {"model": ErrorResponse, "description": "A token was given that does not drive it."},
        429: {"model": ErrorResponse, "description": "Too many reads from this address."},
    },
    summary="The network's output over a grid of the square",
    description="Anyone with the id may ask up to STEPWISE_MAX_VIEWER_GRID_RESOLUTION (100 by "
    "default, the frames' grid); the driver, with `Authorization: Bearer <token>`, up to "
    "STEPWISE_MAX_GRID_RESOLUTION. Answers are cached until the run moves. Reads without the "
    "token are paced per address (STEPWISE_VIEWER_READS_PER_SECOND): past it they wait, "
    "and past 2 s of waiting get 429 with Retry-After.",
)
async def read_boundary(
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    resolution: Annotated[int, Query(ge=2, le=200, description="N for an N × N grid.")] = 100,
    authorization: Annotated[
        str | None, Header(description="`Bearer <token>`: needed past the viewers' largest grid.")
    ] = None,
) -> Any:
    await boundary.pace(request, session, authorization)  # even a refusal costs to answer
    boundary.check_resolution(resolution, settings, session, authorization)
    return await boundary.now(session, resolution)


@router.get(
    "/{session_id}/export",
    response_model=Snapshot,
    responses=ERRORS,
    summary="The whole run, to save or to import",
)
async def export_session(session: SessionDep) -> Snapshot:
    async with session.lock:
        trainer = await session.worker.run(session.trainer.snapshot)
    return Snapshot(
        format="stepwise-snapshot",
        version=trainer["version"],
        config=SessionConfig.model_validate(session.config()),
        trainer=in_document(trainer),
        history=session.history.snapshot(),
    )


@router.post(
    "/{session_id}/step",
    response_model=SessionState,
    responses=DRIVE_ERRORS,
    summary="Train some epochs or steps now",
)
async def step_session(
    request: StepRequest, session: DrivenSessionDep, settings: SettingsDep
) -> SessionState:
    steps, epochs = request.steps, request.epochs
    check_step_limits(session, settings, steps, epochs)
    await session.step(steps=steps, epochs=epochs)
    return SessionState.model_validate(session.state())


def check_step_limits(
    session: Session, settings: Settings, steps: int | None, epochs: int | None
) -> None:
    if epochs is not None:
        if epochs > settings.max_epochs_per_call:
            raise ApiError(
                422, f"epochs must be at most {settings.max_epochs_per_call}", field="epochs"
            )
        cost = epochs * session.trainer.steps_per_epoch
        if cost > settings.max_steps_per_call:
            raise ApiError(
                422,
                f"{epochs} epochs take {cost} steps here; at most "
                f"{settings.max_steps_per_call} steps are allowed per call",
                field="epochs",
            )
    if steps is not None and steps > settings.max_steps_per_call:
        raise ApiError(422, f"steps must be at most {settings.max_steps_per_call}", field="steps")


@router.patch(
    "/{session_id}",
    response_model=ConfigChange,
    responses={**DRIVE_ERRORS, 503: CREATE_ERRORS[503]},
    summary="Change config fields, live where the model's shape allows",
)
async def update_session(update: ConfigUpdate, session: DrivenSessionDep) -> ConfigChange:
    changes = changes_of(update)
    try:
        applied = await session.configure(changes)
    except MemoryFull as exc:
        raise no_memory(exc.field) from None
    except ConfigError as exc:
        raise invalid(exc) from None
    return ConfigChange.model_validate({"applied": applied, **session.public()})


def changes_of(update: ConfigUpdate) -> dict[str, Any]:
    return {k: v for k, v in update.model_dump(exclude_unset=True).items() if v is not None}


@router.post(
    "/{session_id}/reset",
    response_model=SessionState,
    responses=DRIVE_ERRORS,
    summary="Go back to the exact weights of step 0",
)
async def reset_session(session: DrivenSessionDep) -> SessionState:
    await session.reset()
    return SessionState.model_validate(session.state())


@router.delete(
    "/{session_id}",
    status_code=204,
    response_class=Response,
    responses=DRIVE_ERRORS,
    summary="Delete a session",
)
async def delete_session(session: DrivenSessionDep, registry: RegistryDep) -> Response:
    await registry.delete(session.id)
    return Response(status_code=204)
