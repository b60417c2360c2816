"""Sharing a run with a room: short watch links, their QR code, and oEmbed for course sites."""

from __future__ import annotations

import io
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

import segno
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.api.deps import RegistryDep, SessionDep
from app.api.errors import ApiError
from app.api.misses import Misses
from app.api.responses import ERRORS
from app.schemas import ErrorResponse, OEmbed, SharePublic

router = APIRouter(tags=["classroom"])


def watch_url(request: Request, code: str) -> str:
    return str(request.base_url).rstrip("/") + f"/w/{code}"


@router.get(
    "/api/sessions/{session_id}/share",
    response_model=SharePublic,
    responses=ERRORS,
    summary="A short link (and its QR code) for watching this session",
)
async def share_session(
    session: SessionDep, registry: RegistryDep, request: Request
) -> SharePublic:
    code = registry.share(session)
    return SharePublic(
        code=code,
        watch_url=watch_url(request, code),
        qr_url=f"/api/sessions/{session.id}/qr.svg",
        viewers=session.live.viewers.count(),
    )


@router.get(
    "/api/sessions/{session_id}/qr.svg",
    responses={
        **ERRORS,
        200: {"content": {"image/svg+xml": {}}, "description": "The watch link as a QR code."},
    },
    response_class=Response,
    summary="The short watch link as a QR code (SVG)",
)
async def session_qr(session: SessionDep, registry: RegistryDep, request: Request) -> Response:
    qr = segno.make(watch_url(request, registry.share(session)), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, border=2, dark="#111111", light="#ffffff", xmldecl=False)
    return Response(out.getvalue(), media_type="image/svg+xml")


def too_many(wait: int) -> ApiError:
    return ApiError(
        429,
        f"too many wrong watch codes from this address; try again in {wait} seconds",
        field="code",
        headers={"Retry-After": str(wait)},
    )


@router.get(
    "/w/{code}",
    include_in_schema=False,  # a link for people, answered with a redirect to the watch page
    responses={
        307: {"description": "To the watch page of the session with this code."},
        404: ERRORS[404],
        429: {"model": ErrorResponse, "description": "Too many wrong codes from this address."},
    },
)
async def follow(
    code: Annotated[str, Path(max_length=16)], registry: RegistryDep, request: Request
) -> RedirectResponse:
    code = code.upper()
    address = request.client.host if request.client else "unknown"
    misses: Misses = request.app.state.code_misses
    wait = misses.refused(address, code)
    if wait is not None:
        raise too_many(wait)
    session = registry.by_code(code)
    if session is None:
        wait = misses.miss(address)
        if wait is not None:
            raise too_many(wait)
        raise ApiError(404, "no session has this watch code (it may have ended)", field="code")
    misses.hit(address, code)
    return RedirectResponse(f"/watch/{session.id}", status_code=307)


@router.get(
    "/oembed",
    response_model=OEmbed,
    responses={
        404: ERRORS[404],
        422: ERRORS[422],
        501: {"model": ERRORS[404]["model"], "description": "Only JSON is offered."},
    },
    summary="oEmbed: the iframe for an embed URL of this site",
)
async def oembed(
    request: Request,
    url: Annotated[str, Query(max_length=2000, description="An /embed URL of this site.")],
    format: Annotated[str, Query(description="Only `json` is offered.")] = "json",
    maxwidth: Annotated[int | None, Query(ge=200, le=4000)] = None,
    maxheight: Annotated[int | None, Query(ge=200, le=4000)] = None,
) -> OEmbed:
    if format != "json":
        raise ApiError(501, "only the json format is offered", field="format", code="not_json")
    parts = urlsplit(url)
    own = urlsplit(str(request.base_url))
    if parts.netloc != own.netloc or parts.path.rstrip("/") != "/embed":
        raise ApiError(404, "this URL is not an embed of this site", field="url")
    width = min(maxwidth or 720, 720)
    height = min(maxheight or 560, 560)
    query = urlencode(parse_qs(parts.query), doseq=True)
    src = f"{own.scheme}://{own.netloc}/embed" + (f"?{query}" if query else "")
    if parts.fragment:
        src += f"#{parts.fragment}"
    title = "Stepwise: a network learning, step by step"
    html = (
        f'<iframe src="{escape(src)}" width="{width}" height="{height}" title="{title}" '
        'style="border:0" loading="lazy" allow="fullscreen"></iframe>'
    )
    return OEmbed(
        version="1.0",
        type="rich",
        title=title,
        provider_name="Stepwise",
        provider_url=f"{own.scheme}://{own.netloc}/",
        html=html,
        width=width,
        height=height,
    )


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )
