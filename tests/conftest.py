"""Shared fixtures: a fresh app per test, and a real server on a free port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


@pytest.fixture
def settings() -> Settings:
    # With TEST_REDIS_URL the same tests run in cluster mode, on an emptied Redis.
    url = os.environ.get("TEST_REDIS_URL", "")
    if url:
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
    return Settings(redis_url=url)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class LiveServer:
    url: str
    app: FastAPI

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")


def serve(app: FastAPI) -> Iterator[LiveServer]:
    """Run `app` under a real uvicorn on a free loopback port until the generator closes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", ws_max_size=2**20, ws_per_message_deflate=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    yield from serve(create_app(settings))
