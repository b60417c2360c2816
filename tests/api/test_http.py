"""HTTP manners: HEAD wherever GET works, a true Allow header, 413 for any oversized body,
no explorer pages that need a CDN, and goodbyes that leave no traceback in the logs."""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import logging
from typing import Any

import httpx2
import pytest
import websockets
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.sockets import converse
from app.config import Settings
from app.main import create_app
from app.sessions.hub import Viewer
from tests.api.helpers import assert_error, create
from tests.conftest import LiveServer, serve

PAGES = ["/", "/compare", "/present", "/embed", "/embed/builder", "/lessons", "/healthz"]


@pytest.mark.parametrize(
    "path", [*PAGES, "/openapi.json", "/static/js/pages/playground.js", "SESSION"]
)
def test_head_answers_wherever_get_does_with_the_same_headers(
    client: TestClient, path: str
) -> None:
    if path == "SESSION":
        path = f"/api/sessions/{create(client, n_samples=20)[0]}"
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200, got.text
    assert head.status_code == 200
    assert head.content == b""
    # Content-Length counts the bytes sent: compressed ones when the answer is compressed.
    assert head.headers.get("content-encoding") == got.headers.get("content-encoding")
    assert head.headers["content-length"] == got.headers["content-length"]
    if "content-encoding" not in got.headers:
        assert got.headers["content-length"] == str(len(got.content))
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy")


def test_head_over_a_real_server_sends_headers_and_no_body(live_server: LiveServer) -> None:
    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("HEAD", "/healthz")
        response = connection.getresponse()
        assert response.status == 200
        assert int(response.getheader("content-length") or 0) > 0
        assert response.read() == b""
        connection.request("GET", "/healthz")  # the connection is still in step
        assert json.loads(connection.getresponse().read())["status"] == "ok"
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/sessions", "POST"),
        ("PUT", "/api/sessions/some-id", "GET, HEAD, PATCH, DELETE"),
        ("GET", "/api/sessions/some-id/step", "POST"),
        ("DELETE", "/healthz", "GET, HEAD"),
        ("POST", "/", "GET, HEAD"),
        ("GET", "/api/sessions/import", "POST"),
        ("OPTIONS", "/api/sessions/import", "POST"),
        ("POST", "/static/js/pages/playground.js", "GET, HEAD"),
        ("HEAD", "/api/sessions/some-id/step", "POST"),
    ],
)
def test_a_405_names_the_methods_the_path_accepts(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    if method == "GET" and path.endswith("/import"):
        # GET reaches the session route: "import" is read as a session id there.
        assert_error(response, 404, "not_found", "session_id")
        return
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    if method != "HEAD":
        message = assert_error(response, 405, "method_not_allowed")
        assert message == f"{method} is not allowed here; this address answers {allow}"


def _chunks(total: int) -> Any:
    sent = 0
    while sent < total:
        piece = b" " * min(256, total - sent)
        sent += len(piece)
        yield piece


def test_a_chunked_body_over_the_limit_is_413_like_a_declared_one() -> None:
    with TestClient(create_app(Settings(max_message_bytes=1000))) as client:
        headers = {"content-type": "application/json"}
        chunked = client.post("/api/sessions", content=_chunks(5000), headers=headers)
        assert "content-length" not in chunked.request.headers
        message = assert_error(chunked, 413, "too_large")
        declared = client.post("/api/sessions", content=b" " * 5000, headers=headers)
        assert assert_error(declared, 413, "too_large") == message
        # A chunked body within the limit is read as usual.
        small = client.post(
            "/api/sessions", content=iter([b'{"n_samples": ', b"20}"]), headers=headers
        )
        assert small.status_code == 201, small.text


def test_a_chunked_body_over_the_limit_is_413_over_a_real_server() -> None:
    for server in serve(create_app(Settings(max_message_bytes=1000))):
        host, port = server.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.putrequest("POST", "/api/sessions")
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for piece in _chunks(5000):
                connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.send(b"0\r\n\r\n")
            response = connection.getresponse()
            body = json.loads(response.read())
        finally:
            connection.close()
        assert response.status == 413
        assert body["error"]["code"] == "too_large"


def test_the_explorer_pages_are_off_and_the_document_is_served(client: TestClient) -> None:
    for path in ["/docs", "/redoc", "/docs/oauth2-redirect"]:
        assert_error(client.get(path), 404, "not_found")
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Stepwise"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


class Vanishing:
    """A socket whose client is gone: sends fail, and the next read is the disconnect."""

    def __init__(self) -> None:
        self.reads = 0

    async def send_text(self, data: str) -> None:
        raise WebSocketDisconnect(1006)

    async def send_bytes(self, data: bytes) -> None:
        raise WebSocketDisconnect(1006)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        raise RuntimeError("the socket is already closed")

    async def receive(self) -> dict[str, Any]:
        self.reads += 1
        await asyncio.sleep(0.01)  # the pump fails first, as when frames are flowing
        return {"type": "websocket.disconnect", "code": 1006}


async def _on_text(text: str) -> None:
    raise AssertionError("nothing was sent")


def _loop_errors(run: Any) -> list[dict[str, Any]]:
    """Run a coroutine factory in a fresh loop; collect what its exception handler hears."""
    heard: list[dict[str, Any]] = []
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(lambda _loop, context: heard.append(context))
    try:
        loop.run_until_complete(run())
        gc.collect()  # an uncollected task exception is reported when its task is freed
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    gc.collect()
    return heard


def test_a_vanished_client_leaves_no_uncollected_task_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    socket = Vanishing()

    async def scenario() -> None:
        viewer = Viewer(socket)
        viewer.offer_json({"type": "hello"})
        await converse(socket, viewer, 1000, _on_text)  # type: ignore[arg-type]

    with caplog.at_level(logging.DEBUG):
        heard = _loop_errors(scenario)
    assert socket.reads >= 1
    assert heard == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_clients_that_vanish_mid_play_leave_no_traceback(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    created = httpx2.post(
        live_server.url + "/api/sessions", json={"n_samples": 200, "hidden_layers": [16, 16]}
    ).json()
    url = f"{live_server.ws_url}/api/sessions/{created['id']}/ws"

    async def scenario() -> None:
        for i in range(12):
            ws = await websockets.connect(url)
            await ws.send(json.dumps({"type": "subscribe", "neurons": True}))
            await ws.send(json.dumps({"type": "auth", "token": created["token"]}))
            await ws.send(json.dumps({"type": "play"}))
            for _ in range(2 + i % 5):
                await asyncio.wait_for(ws.recv(), timeout=10)
            ws.transport.abort()  # no closing handshake: the client just vanishes
        await asyncio.sleep(0.5)

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
        session = live_server.app.state.registry.get(created["id"])
        for _ in range(100):  # the server notices each vanished client
            if len(session.hub) == 0:
                break
            asyncio.run(asyncio.sleep(0.05))
        gc.collect()
    assert len(session.hub) == 0
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
