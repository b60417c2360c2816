"""Comparisons: runs side by side from one start, over REST and one WebSocket for them all."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response, WebSocket
from pydantic import TypeAdapter

from app.api.deps import RegistryDep, require_bearer
from app.api.errors import ApiError
from app.api.responses import CREATE_ERRORS, DRIVE_ERRORS, ERRORS
from app.api.sockets import (
    CLOSE_UNKNOWN,
    TAGS,
    converse,
    error,
    offer_current_frame,
    parse,
    refused,
)
from app.config import Settings
from app.schemas import (
    AuthMessage,
    ComparisonCreate,
    ComparisonCreated,
    ComparisonPublic,
    ComparisonStep,
    ComparisonUpdate,
    GroupClientMessage,
    PauseMessage,
    PlayMessage,
    ResetMessage,
    SetMessage,
    SpeedMessage,
    StepMessage,
    ValueMessage,
)
from app.sessions import comparisons
from app.sessions.group import Comparison
from app.sessions.hub import Viewer
from app.sessions.refusals import ConfigError, Conflict
from app.sessions.registry import Registry

router = APIRouter(prefix="/api/comparisons", tags=["comparisons"])
MESSAGES: TypeAdapter[Any] = TypeAdapter(GroupClientMessage)


def get_group(
    registry: RegistryDep,
    group_id: Annotated[str, Path(max_length=64, description="The comparison's id.")],
) -> Comparison:
    group = registry.groups.get(group_id)
    if group is None:
        raise ApiError(404, "no comparison has this id (it may have expired)", field="group_id")
    group.touch()
    return group


def get_driven_group(
    group: Annotated[Comparison, Depends(get_group)],
    authorization: Annotated[
        str | None, Header(description="`Bearer <token>`: the comparison's token.")
    ] = None,
) -> Comparison:
    require_bearer(authorization, group.token, "comparison")
    return group


GroupDep = Annotated[Comparison, Depends(get_group)]
DrivenGroupDep = Annotated[Comparison, Depends(get_driven_group)]


def public(group: Comparison) -> ComparisonPublic:
    return ComparisonPublic.model_validate(group.public())


@router.post(
    "",
    status_code=201,
    response_model=ComparisonCreated,
    responses=CREATE_ERRORS,
    summary="Create runs that differ only in one field",
)
async def create_comparison(request: ComparisonCreate, registry: RegistryDep) -> ComparisonCreated:
    group = await comparisons.create(
        registry, request.config.model_dump(), request.vary, list(request.values)
    )
    return ComparisonCreated.model_validate({**group.public(), "token": group.token})


@router.get(
    "/{group_id}",
    response_model=ComparisonPublic,
    responses=ERRORS,
    summary="Read a comparison and its runs",
)
async def read_comparison(group: GroupDep) -> ComparisonPublic:
    return public(group)


@router.post(
    "/{group_id}/step",
    response_model=ComparisonPublic,
    responses=DRIVE_ERRORS,
    summary="Train every run the same number of epochs",
)
async def step_comparison(request: ComparisonStep, group: DrivenGroupDep) -> ComparisonPublic:
    await comparisons.step(group, request.epochs)
    return public(group)


@router.post(
    "/{group_id}/reset",
    response_model=ComparisonPublic,
    responses=DRIVE_ERRORS,
    summary="Every run back to its step-0 weights",
)
async def reset_comparison(group: DrivenGroupDep) -> ComparisonPublic:
    await comparisons.reset(group)
    return public(group)


@router.patch(
    "/{group_id}",
    response_model=ComparisonPublic,
    responses={**DRIVE_ERRORS, 503: CREATE_ERRORS[503]},
    summary="Change the shared config, or each run's varied value",
)
async def update_comparison(request: ComparisonUpdate, group: DrivenGroupDep) -> ComparisonPublic:
    changes = None if request.config is None else request.config.model_dump(exclude_unset=True)
    await comparisons.update(group, changes, request.values)
    return public(group)


@router.delete(
    "/{group_id}",
    status_code=204,
    response_class=Response,
    responses=DRIVE_ERRORS,
    summary="Delete a comparison and its runs",
)
async def delete_comparison(group: DrivenGroupDep, registry: RegistryDep) -> Response:
    await comparisons.delete(registry, group)
    return Response(status_code=204)


# --- one socket for the whole comparison ------------------------------------------------------


@router.websocket("/{group_id}/ws")
async def live_comparison(socket: WebSocket, group_id: str) -> None:
    registry: Registry = socket.app.state.registry
    settings: Settings = socket.app.state.settings
    group = registry.groups.get(group_id)
    await socket.accept()
    if group is None:
        await socket.send_json(error("not_found", "no comparison has this id", "group_id"))
        await socket.close(CLOSE_UNKNOWN)
        return
    viewer = Viewer(socket)
    taps = comparisons.join(group, viewer)
    viewer.offer_json({"type": "hello", **group.public(), "data": group.runs[0].data()})
    for run in group.runs:
        await offer_current_frame(run, viewer, source=run.id)

    async def on_text(text: str) -> None:
        group.touch()
        await handle(group, viewer, text)

    try:
        await converse(socket, viewer, settings.max_message_bytes, on_text)
    finally:
        comparisons.leave(group, viewer, taps)


async def handle(group: Comparison, viewer: Viewer, text: str) -> None:
    message = parse(MESSAGES, text, viewer, {*TAGS, "value"})
    if message is None:
        return
    if isinstance(message, AuthMessage):
        viewer.driver = secrets.compare_digest(group.token.encode(), message.token.encode())
        if viewer.driver:
            viewer.offer_json({"type": "auth", "ok": True})
        else:
            viewer.offer_json(error("forbidden", "this token does not drive this comparison"))
        return
    if not viewer.driver:
        viewer.offer_json(error("unauthorized", 'send {"type": "auth", "token": …} first'))
        return
    try:
        await drive(group, message)
    except (ConfigError, Conflict) as exc:
        viewer.offer_json(refused(exc))


async def drive(group: Comparison, message: Any) -> None:
    if isinstance(message, PlayMessage):
        comparisons.play(group)
    elif isinstance(message, PauseMessage):
        comparisons.pause(group)
    elif isinstance(message, StepMessage):
        await comparisons.step(group, message.epochs)
    elif isinstance(message, ResetMessage):
        await comparisons.reset(group)
    elif isinstance(message, SetMessage):
        await comparisons.update(group, message.config.model_dump(exclude_unset=True), None)
    elif isinstance(message, SpeedMessage):
        comparisons.set_speed(group, message.epochs_per_second, message.steps_per_second)
    elif isinstance(message, ValueMessage):
        await comparisons.set_value(group, message.index, message.value)
