"""Comparisons: runs side by side from one start, over REST and one WebSocket for them all."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Response, WebSocket
from pydantic import TypeAdapter

from app.api import landscape
from app.api.deps import DrivenGroupDep, GroupDep, RegistryDep
from app.api.relay import elsewhere
from app.api.responses import (
    FULL,
    comparison,
    created,
    creates,
    deletes,
    drives,
    reads,
)
from app.api.sockets import TAGS, Driven, heed, listen, offer_current_frame, parse, welcome
from app.schemas import (
    ComparisonCreate,
    ComparisonCreated,
    ComparisonPublic,
    ComparisonStep,
    ComparisonUpdate,
    GroupClientMessage,
)
from app.sessions import comparisons
from app.sessions.group import Comparison
from app.sessions.hub import Viewer

router = APIRouter(prefix="/api/comparisons", tags=["comparisons"])
MESSAGES: TypeAdapter[Any] = TypeAdapter(GroupClientMessage)
FIRST = 'send {"type": "auth", "token": …} first'


@router.post("", **creates("Create runs that differ only in one field"))
async def create_comparison(request: ComparisonCreate, registry: RegistryDep) -> ComparisonCreated:
    config, values = request.config.model_dump(), list(request.values)
    return created(await comparisons.create(registry, config, request.vary, values))


@router.get("/{group_id}", **reads("Read a comparison and its runs"))
async def read_comparison(group: GroupDep) -> ComparisonPublic:
    return comparison(group)


@router.post("/{group_id}/step", **drives("Train every run the same number of epochs"))
async def step_comparison(request: ComparisonStep, group: DrivenGroupDep) -> ComparisonPublic:
    await comparisons.step(group, request.epochs)
    return comparison(group)


@router.post("/{group_id}/reset", **drives("Every run back to its step-0 weights"))
async def reset_comparison(group: DrivenGroupDep) -> ComparisonPublic:
    await comparisons.reset(group)
    return comparison(group)


@router.patch("/{group_id}", **drives("Change the shared config, or each run's varied value", FULL))
async def update_comparison(request: ComparisonUpdate, group: DrivenGroupDep) -> ComparisonPublic:
    changes = None if request.config is None else request.config.model_dump(exclude_unset=True)
    await comparisons.update(group, changes, request.values)
    return comparison(group)


@router.delete("/{group_id}", **deletes("Delete a comparison and its runs"))
async def delete_comparison(group: DrivenGroupDep, registry: RegistryDep) -> Response:
    await comparisons.delete(registry, group)
    return Response(status_code=204)


# --- one socket for the whole comparison ------------------------------------------------------


@router.websocket("/{group_id}/ws")
async def live_comparison(socket: WebSocket, group_id: str) -> None:
    group: Comparison | None = socket.app.state.registry.groups.get(group_id)
    if group is None and await elsewhere(socket, group_id, group=True):
        return  # another worker owns it (cluster mode): the bus carries it (relay.py)
    viewer = await welcome(socket, group, "comparison", "group_id")
    if group is None or viewer is None:
        return
    taps = comparisons.join(group, viewer)
    await greet(group, viewer)
    driven = Driven(group, "comparison", FIRST, comparisons, drive)
    try:
        await listen(socket, viewer, group.touch, partial(handle, driven, viewer))
    finally:
        comparisons.leave(group, viewer, taps)


async def greet(group: Comparison, viewer: Viewer) -> None:
    """What a viewer is told first: the comparison, then each run's frame of now."""
    viewer.offer_json({"type": "hello", **group.public(), "data": group.runs[0].data()})
    for run in group.runs:
        await offer_current_frame(run, viewer, source=run.id)


async def handle(driven: Driven[Comparison], viewer: Viewer, text: str) -> None:
    message = parse(MESSAGES, text, viewer, {*TAGS, "value"})
    if message is None:
        return
    if message.type == "landscape":  # any viewer may ask; the rest is the driver's
        landscape.heed(driven.run.feed, viewer, message)
    else:
        await heed(viewer, message, driven)


async def drive(group: Comparison, message: Any) -> None:
    """What a driver's message asks of the runs, past playing and pausing (sockets.heed)."""
    match message.type:
        case "step":
            await comparisons.step(group, message.epochs)
        case "reset":
            await comparisons.reset(group)
        case "set":
            await comparisons.update(group, message.config.model_dump(exclude_unset=True), None)
        case "value":
            await comparisons.set_value(group, message.index, message.value)
