"""Loss landscape reads over REST: a session's, centred on now, and a comparison's shared plane;
and a socket's ask to be sent them (`heed`, for live.py and compare.py).

Reading one needs only the id. What it costs is bounded as the boundary's is: the answer is
kept until the run moves and made at most a few times a second per session or comparison
(app/sessions/landscape.py), and strangers' reads are paced per address with the boundary's
(STEPWISE_VIEWER_READS_PER_SECOND); the driver's token skips that queue. Over the socket the
run's feed (app/sessions/landscape_feed.py) sends the same answer as it moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from app.api import boundary
from app.api.deps import GroupDep, SessionDep, holds
from app.api.errors import ApiError
from app.api.responses import TOO_MANY, errors, reads
from app.schemas import LANDSCAPE_RESOLUTIONS, Landscape, LandscapeMessage
from app.sessions import landscape
from app.sessions.hub import Viewer
from app.sessions.landscape_feed import Feed

router = APIRouter(tags=["landscape"])
Resolution = Annotated[
    int,
    Query(
        ge=LANDSCAPE_RESOLUTIONS[0],
        le=LANDSCAPE_RESOLUTIONS[-1],
        description="R for an R × R grid: odd, so that the centre cell is the centre itself.",
        json_schema_extra={"enum": LANDSCAPE_RESOLUTIONS},
    ),
]
WHAT = (
    "The training loss over a slice through weight space: a plane through {centre}, spanned "
    "by the two main directions of the path (or two random directions, scaled neuron by "
    "neuron to the weights, while the path is short), with {paths} projected on it. The path "
    "is a shadow cast onto a slice: the real one leaves the plane. Answers are kept until the "
    "run moves and made at most STEPWISE_LANDSCAPE_READS_PER_SECOND times a second; reads "
    "without the token are paced per address (STEPWISE_VIEWER_READS_PER_SECOND)."
)
UNSHARED = errors((409, "The runs' networks differ in shape: no one plane holds them all."))


def render(answer: dict[str, Any]) -> bytes:
    return Landscape.model_validate(answer).model_dump_json().encode()


@dataclass(frozen=True)
class Ask:
    resolution: int
    authorization: str | None


def ask(resolution: Resolution = 41, authorization: boundary.Bearer = None) -> Ask:
    """The query of either read: the resolution (odd: 422 otherwise) and the token, if any."""
    if resolution % 2 == 0:
        raise ApiError(422, "resolution must be odd, between 11 and 101", field="resolution")
    return Ask(resolution, authorization)


AskDep = Annotated[Ask, Depends(ask)]


def heed(feed: Feed, viewer: Viewer, message: LandscapeMessage) -> None:
    """A socket's `{"type": "landscape", "on": …}`: any viewer may ask, as for a REST read."""
    if message.on:
        feed.ask(viewer, message.resolution, render)
    else:
        feed.drop(viewer)


@router.get(
    "/api/sessions/{session_id}/landscape",
    **reads(
        "The loss landscape around the run's weights now, and its path",
        TOO_MANY,
        response_model=Landscape,
        description=WHAT.format(centre="the run's weights now", paths="its checkpoints"),
    ),
)
async def read_landscape(session: SessionDep, request: Request, q: AskDep) -> Any:
    if not boundary.drives(request, session, q.authorization):
        await boundary.hold(request, "landscape")
    return boundary.as_json(await landscape.now(session, q.resolution, render))


@router.get(
    "/api/comparisons/{group_id}/landscape",
    **reads(
        "One loss landscape for every run of a comparison, and each run's path",
        TOO_MANY,
        UNSHARED,
        response_model=Landscape,
        description=WHAT.format(
            centre="the runs' shared starting weights", paths="every run's checkpoints"
        ),
    ),
)
async def read_shared_landscape(group: GroupDep, request: Request, q: AskDep) -> Any:
    token = (q.authorization or "").partition(" ")[2].strip()
    if not (token and holds(group.token, token)):
        await boundary.hold(request, "landscape")
    try:
        return boundary.as_json(await landscape.shared(group, q.resolution, render))
    except landscape.Unshared as unshared:
        raise ApiError(409, str(unshared), field="vary") from None
