"""HTML pages rendered from templates/: the playground and the pages built on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from app import __version__
from app.api.errors import ApiError

router = APIRouter(include_in_schema=False)


def idle_expiry(seconds: float) -> str:
    """How long a run may sit unwatched before the server deletes it, in words: "30 minutes"."""
    minutes = seconds / 60
    if minutes >= 1 and minutes == round(minutes):
        n, unit = round(minutes), "minute"
    else:  # 90 s is "90 seconds", not a rounded "2 minutes"
        n, unit = round(seconds), "second"
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    # Every page may have to say that its run ended, and after how long idle runs are deleted.
    expiry = idle_expiry(request.app.state.settings.idle_expiry_seconds)
    assets = request.app.state.assets
    shared = {"version": __version__, "idle_expiry": expiry, "static": assets.base}
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {**shared, "module": assets.module, **context}
    )
    return response


def page(template: str) -> Callable[[Request], HTMLResponse]:
    """A page that needs nothing but its template."""

    def show(request: Request) -> HTMLResponse:
        return render(request, template)

    return show


# path, route name, template: the pages that take nothing from the request.
PLAIN = [
    ("/", "playground", "playground.html"),
    ("/compare", "compare", "compare.html"),
    ("/present", "present", "present.html"),
    ("/embed/builder", "embed_builder", "builder.html"),
    ("/lessons", "lessons", "lessons.html"),
]
for path, name, template in PLAIN:
    router.add_api_route(path, page(template), name=name, response_class=HTMLResponse)


@router.get("/watch/{session_id}", response_class=HTMLResponse)
def watch(request: Request, session_id: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
    if request.app.state.registry.get(session_id) is None:
        raise ApiError(404, "no session has this id (it may have ended)", field="session_id")
    return render(request, "watch.html", session_id=session_id)


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request) -> HTMLResponse:
    oembed = str(request.url_for("oembed").include_query_params(url=str(request.url)))
    return render(request, "embed.html", oembed_url=oembed)
