"""create_app(settings): the application factory; `app` is the instance uvicorn serves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api import classroom, compare, errors, health, live, pages, sessions, timeline
from app.api.limits import BodyLimit
from app.api.security import SecurityHeaders
from app.config import Settings
from app.sessions.hub import stop
from app.sessions.registry import Registry

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    registry = Registry(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(registry.sweep_forever(), name="session-sweeper")
        try:
            yield
        finally:
            await stop(sweeper)
            await registry.close()

    app = FastAPI(
        title="Stepwise",
        version=__version__,
        description="Train small neural networks step by step and watch them learn. "
        "Read with a session's id; drive with `Authorization: Bearer <token>`.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.templates = Jinja2Templates(directory=ROOT / "templates")
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_message_bytes)
    app.add_middleware(SecurityHeaders, allowed_embedders=settings.allowed_embedders)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.include_router(health.router)
    app.include_router(sessions.router)
    app.include_router(timeline.router)
    app.include_router(live.router)
    app.include_router(compare.router)
    app.include_router(classroom.router)
    app.include_router(pages.router)
    return app


app = create_app()
