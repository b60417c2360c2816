"""GET /healthz: a liveness probe for load balancers and the container's HEALTHCHECK."""

from __future__ import annotations

from fastapi import APIRouter

from app import __version__
from app.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Is the server up?")
def healthz() -> Health:
    return Health(status="ok", version=__version__)
