"""HTML pages rendered from templates/: the playground and the pages built on it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app import __version__

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {"version": __version__, **context}
    )
    return response


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    return render(request, "playground.html")


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request) -> HTMLResponse:
    return render(request, "compare.html")
