"""`make cluster` as it runs (deploy/cluster.sh): Redis, a worker and nginx in front, whose
WebSocket upgrade carries a played run's frames; stopping the script stops all it started."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2
import pytest
import websockets

from app.sessions.wire import Reader
from tests.cluster.procs import NGINX, REDIS, ROOT, free_port, stop, wait_until

pytestmark = pytest.mark.skipif(
    REDIS is None or NGINX is None,
    reason="redis-server or nginx is not installed (make test installs them)",
)


def answers(url: str) -> bool:
    try:
        return httpx2.get(url, timeout=0.5).status_code == 200
    except httpx2.HTTPError:
        return False


def played_frames(ws_url: str, token: str, count: int) -> list[dict[str, Any]]:
    async def scenario() -> list[dict[str, Any]]:
        headers: list[dict[str, Any]] = []
        frames = Reader()  # whole frames and deltas, as a script reads them
        async with websockets.connect(ws_url) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            await ws.send(json.dumps({"type": "play"}))
            while len(headers) < count:
                message = await asyncio.wait_for(ws.recv(), timeout=10)
                if isinstance(message, bytes):
                    headers.append(frames.read(message)[0])
        return headers

    return asyncio.run(scenario())


def test_the_cluster_serves_pages_and_sockets_through_nginx(tmp_path: Path) -> None:
    port, worker_port, redis_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "WORKERS": "1",
        "PORT": str(port),
        "WORKER_PORT": str(worker_port),
        "REDIS_PORT": str(redis_port),
        "CLUSTER_DIR": str(tmp_path),
        "NGINX": str(NGINX),
        "STEPWISE": f"{sys.executable} -m app.cli",
    }
    script = subprocess.Popen(
        ["bash", "deploy/cluster.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(site + "/healthz"), "the site answering through nginx", 30)
        page = httpx2.get(site + "/")
        assert page.status_code == 200
        created = httpx2.post(site + "/api/sessions", json={"n_samples": 100})
        assert created.status_code == 201
        body = created.json()
        ws_url = f"ws://127.0.0.1:{port}/api/sessions/{body['id']}/ws"
        epochs = [h["epoch"] for h in played_frames(ws_url, body["token"], 10)]
        assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
        assert (tmp_path / "redis" / "appendonlydir").is_dir()  # the shipped config: AOF on
    finally:
        stop(script, signal.SIGTERM)
    assert script.returncode is not None
    wait_until(lambda: not answers(site + "/healthz"), "nginx stopping")
    wait_until(
        lambda: not answers(f"http://127.0.0.1:{worker_port}/healthz"), "the worker stopping"
    )
