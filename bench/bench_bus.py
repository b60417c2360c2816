"""The bus: what passing a run's frames through Redis to another worker adds, owner to viewer.

Run from the project root: `.venv/bin/python bench/bench_bus.py`. Starts a throwaway
redis-server and two cluster workers as the cluster tests do (tests/cluster/procs.py), makes one
run on the first and plays it at a steady pace, and watches it from this process through both:
one socket on the owner and N on the other worker. Each frame's arrival on the other worker is
compared with its arrival on the owner's socket (same seq): the difference is what the bus adds
— the publish, Redis, the other worker's subscriber and its hub. With N viewers there the frame
still crosses Redis once, but these N sockets are read by one client process, whose own turns
show in the figure. The machine's cores are shared with the workers, Redis and these clients,
so the figures include their contention. Goal (issue 14): p95 at most 15 ms.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import httpx2
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sessions.wire import Reader
from tests.cluster.procs import Worker, redis_server

SECONDS = 8.0
RUN = {"dataset": "spiral", "n_samples": 500, "hidden_layers": [8, 8]}


async def watch(url: str, arrivals: dict[int, float], stop: asyncio.Event) -> None:
    reader = Reader()
    async with connect(url, max_size=2**22) as socket:
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(socket.recv(), 0.5)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                now = time.perf_counter()  # before reading it: inflating is the client's time
                arrivals.setdefault(reader.read(message)[0]["seq"], now)


async def measure(owner: Worker, other: Worker, key: str, token: str, viewers: int) -> None:
    near: dict[int, float] = {}
    far: list[dict[int, float]] = [{} for _ in range(viewers)]
    stop = asyncio.Event()
    path = f"/api/sessions/{key}/ws"
    tasks = [asyncio.create_task(watch(owner.ws_url + path, near, stop))]
    tasks += [asyncio.create_task(watch(other.ws_url + path, f, stop)) for f in far]
    await asyncio.sleep(1.5)  # every viewer counted by the owner
    async with connect(owner.ws_url + path) as driver:
        await driver.send(json.dumps({"type": "auth", "token": token}))
        await driver.send(json.dumps({"type": "speed", "epochs_per_second": 20}))
        await driver.send(json.dumps({"type": "play"}))
        await asyncio.sleep(SECONDS)
        await driver.send(json.dumps({"type": "pause"}))
    stop.set()
    await asyncio.gather(*tasks)
    added = sorted((f[s] - near[s]) * 1000 for f in far for s in f if s in near)
    if len(added) < 20:
        print(f"{viewers:>4} viewers elsewhere: too few frames to say ({len(added)})")
        return
    p95 = added[int(len(added) * 0.95)]
    rate = len(far[0]) / SECONDS
    print(
        f"{viewers:>4} viewers elsewhere: {rate:5.1f} frames/s each, bus adds "
        f"p50 {statistics.median(added):5.1f} ms, p95 {p95:5.1f} ms (goal 15)"
    )


def main() -> None:
    if shutil.which("redis-server") is None:
        print("redis-server is not installed: no cluster figures (make test installs it)")
        return
    with redis_server() as url:
        owner, other = Worker(url), Worker(url)
        try:
            made = httpx2.post(owner.url + "/api/sessions", json=RUN).json()
            for viewers in (1, 50):
                asyncio.run(measure(owner, other, made["id"], made["token"], viewers))
        finally:
            owner.stop()
            other.stop()


if __name__ == "__main__":
    main()
