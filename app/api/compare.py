"""Comparisons: runs side by side from one start, over REST and one WebSocket for them all."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response, WebSocket
from pydantic import TypeAdapter

from app.api.deps import RegistryDep, SettingsDep, require_bearer
from app.api.errors import ApiError, field_bounds
from app.api.live import CLOSE_UNKNOWN, TAGS, converse, error, offer_current_frame, parse
from app.api.sessions import (
    CREATE_ERRORS,
    DRIVE_ERRORS,
    ERRORS,
    changes_of,
    invalid,
    no_memory,
)
from app.config import Settings
from app.engine import ConfigError, Trainer, config_from_dict
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
from app.sessions.group import Comparison
from app.sessions.hub import Tap, Viewer
from app.sessions.memory import MemoryFull
from app.sessions.registry import Registry, RegistryFull
from app.sessions.session import check_limits

router = APIRouter(prefix="/api/comparisons", tags=["comparisons"])
MESSAGES: TypeAdapter[Any] = TypeAdapter(GroupClientMessage)
BOUNDS = field_bounds()


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


def run_configs(
    base: dict[str, Any], vary: str, values: list[Any], settings: Settings
) -> list[dict[str, Any]]:
    """One config per value, each checked; ConfigError names `values.i` when one is bad."""
    configs = []
    for i, value in enumerate(values):
        config = {**base, vary: value}
        try:
            config_from_dict(config)  # kinds first: the server's limits compare numbers
            check_limits(config, settings)
        except ConfigError as exc:
            raise ConfigError(f"values.{i}", f"{vary} = {value!r}: {exc.message}") from None
        configs.append(config)
    return configs


def public(group: Comparison) -> ComparisonPublic:
    return ComparisonPublic.model_validate(group.public())


@router.post(
    "",
    status_code=201,
    response_model=ComparisonCreated,
    responses=CREATE_ERRORS,
    summary="Create runs that differ only in one field",
)
async def create_comparison(
    request: ComparisonCreate, registry: RegistryDep, settings: SettingsDep
) -> ComparisonCreated:
    if len(request.values) > settings.max_comparison_runs:
        raise ApiError(
            422, f"at most {settings.max_comparison_runs} runs are allowed", field="values"
        )
    try:
        check_limits(request.config.model_dump(), settings)
        configs = run_configs(request.config.model_dump(), request.vary, request.values, settings)
    except ConfigError as exc:
        raise invalid(exc) from None
    trainers = [await registry.worker.run(Trainer, config_from_dict(c)) for c in configs]
    try:
        group = await registry.add_group(trainers, request.vary, list(request.values))
    except RegistryFull:
        raise ApiError(
            503,
            "the server is running as many sessions as it may; try again in a minute",
            headers={"Retry-After": "60"},
        ) from None
    except MemoryFull:
        raise no_memory() from None
    except ConfigError as exc:  # a run needs more memory than one session may have
        raise invalid(exc) from None
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
async def step_comparison(
    request: ComparisonStep, group: DrivenGroupDep, settings: SettingsDep
) -> ComparisonPublic:
    check_group_step(group, settings, request.epochs)
    await group.step(request.epochs)
    return public(group)


def check_group_step(group: Comparison, settings: Settings, epochs: int) -> None:
    cost = epochs * max(run.trainer.steps_per_epoch for run in group.runs)
    if epochs > settings.max_epochs_per_call or cost > settings.max_steps_per_call:
        raise ApiError(
            422,
            f"{epochs} epochs are more than one call may train (at most "
            f"{settings.max_epochs_per_call} epochs and {settings.max_steps_per_call} steps)",
            field="epochs",
        )


@router.post(
    "/{group_id}/reset",
    response_model=ComparisonPublic,
    responses=DRIVE_ERRORS,
    summary="Every run back to its step-0 weights",
)
async def reset_comparison(group: DrivenGroupDep) -> ComparisonPublic:
    await group.reset()
    return public(group)


@router.patch(
    "/{group_id}",
    response_model=ComparisonPublic,
    responses={**DRIVE_ERRORS, 503: CREATE_ERRORS[503]},
    summary="Change the shared config, or each run's varied value",
)
async def update_comparison(
    request: ComparisonUpdate, group: DrivenGroupDep, settings: SettingsDep
) -> ComparisonPublic:
    try:
        await apply_update(group, request, settings)
    except MemoryFull as exc:
        raise no_memory(exc.field) from None
    except ConfigError as exc:
        raise invalid(exc) from None
    return public(group)


async def apply_update(group: Comparison, request: ComparisonUpdate, settings: Settings) -> None:
    if request.values is not None and len(request.values) != len(group.runs):
        raise ConfigError("values", f"give one value per run ({len(group.runs)})")
    if request.config is not None:
        await group.configure(changes_of(request.config))
    if request.values is not None:
        run_configs(group.runs[0].config(), group.vary, request.values, settings)
        for i, value in enumerate(request.values):
            await group.set_value(i, value)


@router.delete(
    "/{group_id}",
    status_code=204,
    response_class=Response,
    responses=DRIVE_ERRORS,
    summary="Delete a comparison and its runs",
)
async def delete_comparison(group: DrivenGroupDep, registry: RegistryDep) -> Response:
    await registry.delete_group(group.id)
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
    taps = [Tap(viewer, run.id) for run in group.runs]
    for run, tap in zip(group.runs, taps, strict=True):
        run.hub.add(tap)
    group.watchers.add(viewer)
    group.touch()
    viewer.offer_json({"type": "hello", **group.public(), "data": group.runs[0].data()})
    for run in group.runs:
        await offer_current_frame(run, viewer, source=run.id)

    async def on_text(text: str) -> None:
        group.touch()
        await handle(group, viewer, text, settings)

    try:
        await converse(socket, viewer, settings.max_message_bytes, on_text)
    finally:
        group.watchers.discard(viewer)
        for run, tap in zip(group.runs, taps, strict=True):
            run.hub.remove(tap)
        group.touch()


async def handle(group: Comparison, viewer: Viewer, text: str, settings: Settings) -> None:
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
        await drive(group, message, settings)
    except ConfigError as exc:
        viewer.offer_json(error("invalid", exc.message, exc.field))
    except ApiError as exc:
        viewer.offer_json(error(exc.code, exc.message, exc.field))


async def drive(group: Comparison, message: Any, settings: Settings) -> None:
    if isinstance(message, PlayMessage):
        group.play()
    elif isinstance(message, PauseMessage):
        group.pause()
    elif isinstance(message, StepMessage):
        if message.epochs is None:
            raise ConfigError("steps", "a comparison steps in whole epochs, to stay in step")
        check_group_step(group, settings, message.epochs)
        await group.step(message.epochs)
    elif isinstance(message, ResetMessage):
        await group.reset()
    elif isinstance(message, SetMessage):
        await group.configure(changes_of(message.config))
    elif isinstance(message, SpeedMessage):
        if message.steps_per_second is not None:
            raise ConfigError("steps_per_second", "a comparison's speed is in epochs per second")
        group.epochs_per_second = message.epochs_per_second
        group.announce()
    elif isinstance(message, ValueMessage):
        if message.index >= len(group.runs):
            raise ConfigError("index", f"there are {len(group.runs)} runs")
        values = list(group.values)
        values[message.index] = message.value
        run_configs(group.runs[0].config(), group.vary, values, settings)
        await group.set_value(message.index, message.value)
        group.announce()
