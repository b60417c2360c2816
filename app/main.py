"""create_app(settings): the application factory; `app` is the instance uvicorn serves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api import (
    answers,
    classroom,
    compare,
    contract,
    dispatch,
    errors,
    health,
    landscape,
    live,
    pages,
    refusals,
    sessions,
    timeline,
)
from app.api.assets import Assets, GzipAnswers
from app.api.head import HeadAsGet
from app.api.limits import BodyLimit
from app.api.misses import Misses
from app.api.pacer import Pacer
from app.api.security import SecurityHeaders
from app.cluster import keeper
from app.cluster.registry import ClusterRegistry
from app.config import Settings
from app.sessions.hub import stop
from app.sessions.registry import Registry

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # With a Redis URL this worker is one of a cluster: runs are leased and kept in Redis.
    registry = ClusterRegistry.connect(settings) if settings.redis_url else Registry(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(registry.sweep_forever(), name="session-sweeper")
        loops: list[asyncio.Task[None]] = []
        if isinstance(registry, ClusterRegistry):
            app.middleware_stack = app.build_middleware_stack()  # it answers the bus at once
            loops = keeper.start(registry)
        try:
            yield
        finally:
            for loop in loops:
                await stop(loop)
            await stop(sweeper)
            await registry.close()

    app = FastAPI(
        title="Stepwise",
        version=__version__,
        description="Train small neural networks step by step and watch them learn. "
        "Read with a session's id; drive with `Authorization: Bearer <token>`.",
        lifespan=lifespan,
        # The explorer pages would load scripts from a CDN, outside the site's CSP and broken
        # offline; /openapi.json is the contract, and any OpenAPI tool reads it.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.read_pacer = Pacer(settings.viewer_reads_per_second)  # strangers' boundary reads
    app.state.code_misses = Misses(settings.code_misses_per_minute)  # wrong watch codes
    app.state.templates = Jinja2Templates(directory=ROOT / "templates")
    errors.install(app)
    refusals.install(app)
    contract.install(app, settings)
    if isinstance(registry, ClusterRegistry):  # requests for runs owned elsewhere go there
        dispatch.install(app, registry)
        answers.install(app, registry)
    app.add_middleware(GzipAnswers, minimum_size=1024, compresslevel=6)
    app.add_middleware(BodyLimit, max_bytes=settings.max_message_bytes)
    app.add_middleware(SecurityHeaders, allowed_embedders=settings.allowed_embedders)
    app.add_middleware(HeadAsGet)
    app.state.assets = Assets(ROOT / "static")
    app.mount("/static", app.state.assets, name="static")
    app.include_router(health.router)
    app.include_router(sessions.router)
    app.include_router(timeline.router)
    app.include_router(live.router)
    app.include_router(compare.router)
    app.include_router(landscape.router)
    app.include_router(classroom.router)
    app.include_router(pages.router)
    return app


app = create_app()
