"""End to end: a real uvicorn on a free port, driven by the `websockets` client."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx2
import websockets

from app.sessions.wire import Reader
from tests.conftest import LiveServer


async def frames_until(
    ws: Any, count: int, frames: Reader, headers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Read frames into `headers` until it holds `count`; `frames` reads this socket's."""
    while len(headers) < count:
        message = await asyncio.wait_for(ws.recv(), timeout=10)
        if isinstance(message, bytes):
            headers.append(frames.read(message)[0])
    return headers


def test_play_over_a_real_socket_while_a_stalled_viewer_lags(live_server: LiveServer) -> None:
    # A wide network with neuron grids makes whole frames of tens of KB and deltas of a few KB,
    # so the stalled viewer's buffers fill within a few hundred frames.
    config = {"n_samples": 200, "hidden_layers": [32] * 8}
    created = httpx2.post(live_server.url + "/api/sessions", json=config).json()
    url = f"{live_server.ws_url}/api/sessions/{created['id']}/ws"

    # The stalled viewer reads nothing and has a tiny receive window: the server's sends to it
    # soon block, as they would for a phone on a bad network.
    tiny = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    tiny.connect(("127.0.0.1", int(live_server.url.rsplit(":", 1)[1])))

    async def scenario() -> tuple[list[dict[str, Any]], int]:
        stalled = await websockets.connect(url, sock=tiny, max_queue=1, close_timeout=0.1)
        await stalled.send(json.dumps({"type": "subscribe", "neurons": True}))
        async with websockets.connect(url) as driver:
            await driver.send(json.dumps({"type": "auth", "token": created["token"]}))
            await driver.send(json.dumps({"type": "play"}))
            frames, headers = Reader(), []
            await frames_until(driver, 60, frames, headers)
            session = live_server.app.state.registry.get(created["id"])
            stalled_viewer = next(v for v in session.hub.viewers if not v.driver)
            while stalled_viewer.frames_skipped == 0 and len(headers) < 2000:
                await frames_until(driver, len(headers) + 20, frames, headers)
            await driver.send(json.dumps({"type": "pause"}))
            sent = stalled_viewer.frames_sent
        stalled.transport.abort()
        return headers, sent

    headers, stalled_sent = asyncio.run(scenario())
    epochs = [h["epoch"] for h in headers]
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    assert [h["seq"] for h in headers] == sorted({h["seq"] for h in headers})
    assert stalled_sent < len(headers)  # the stalled viewer fell behind; the driver did not
    state = httpx2.get(f"{live_server.url}/api/sessions/{created['id']}").json()["state"]
    assert state["epoch"] >= epochs[-1]
