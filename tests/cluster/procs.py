"""Real processes for the cluster tests: a redis-server and stepwise workers on free loopback
ports, each stopped by its own PID."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
import redis

from app.cluster.ledger import lease_key

ROOT = Path(__file__).resolve().parents[2]
REDIS = shutil.which("redis-server")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_redis = pytest.mark.skipif(
    REDIS is None, reason="redis-server is not installed (make test installs it)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(ready: object, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx2.get(url, timeout=0.5).status_code == 200
    except httpx2.HTTPError:
        return False


@contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """A throwaway redis-server with no persistence (on `port`, or a free one); its URL."""
    assert REDIS is not None
    port = port or free_port()
    args = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    try:
        wait_until(up, "redis-server answering")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


class Worker:
    """One stepwise worker process in cluster mode, as `make cluster` starts each."""

    def __init__(self, redis_url: str, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "STEPWISE_REDIS_URL": redis_url}
        env.update({f"STEPWISE_{k.upper()}": v for k, v in settings.items()})
        command = [sys.executable, "-m", "app.cli", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(lambda: _answers(self.url + "/healthz"), f"worker on {self.port} answering")

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop(self.process, sig)


def owner_of(redis_url: str, key: str, workers: list[Worker]) -> Worker:
    """The worker holding `key`'s lease (a worker's name is host:pid:nonce)."""
    client = redis.Redis.from_url(redis_url)
    try:
        holder = client.get(lease_key(key))
    finally:
        client.close()
    assert holder is not None
    pid = int(holder.decode().split(":")[1])
    return next(w for w in workers if w.process.pid == pid)
