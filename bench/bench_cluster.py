"""Cluster mode on this machine: how many live runs 1 and 2 workers carry, sharing one Redis.

Run from the project root: `.venv/bin/python bench/bench_cluster.py`. Starts a throwaway
redis-server and W single-process workers (as `make cluster` does, without the proxy, so the
figures are the workers' own), then finds the largest number of sessions at 30 frames/s with at
most 5 % late frames, exactly as the server bench's capacity section does. Sessions are created
on the workers in turn and each is watched by one reading client. Clients run in this process on
the same 2 cores, so the CPU they and other processes take is printed beside each row.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_server import (
    CAPACITY_COLUMNS,
    CAPACITY_FORMATS,
    REFERENCE,
    Bench,
    Reader,
    Session,
    busy,
    cpu_seconds,
    line,
    row,
)
from tests.cluster.procs import REDIS, Worker, redis_server

SERIES = (4, 8, 12, 16, 20, 24, 28, 32, 40, 48)
CORES_PER_BOX = 16


class Workers:
    """W workers on one Redis; measured together, as one server."""

    def __init__(self, redis_url: str, count: int) -> None:
        self.workers = [Worker(redis_url) for _ in range(count)]

    def meter(self) -> Callable[[], tuple[float, float, float, float]]:
        """As Server.meter: seconds, and cores used by all workers, by the clients, by others."""

        def sample() -> list[float]:
            workers = sum(cpu_seconds(w.process.pid) for w in self.workers)
            return [time.perf_counter(), workers, cpu_seconds("self"), busy()]

        start = sample()

        def stop() -> tuple[float, float, float, float]:
            wall, server, client, total = (b - a for a, b in zip(start, sample(), strict=True))
            return wall, server / wall, client / wall, max(0.0, total - server - client) / wall

        return stop

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


class ClusterBench(Bench):
    """The server bench's capacity measure, with sessions created on the workers in turn and
    each watched on the worker that owns it."""

    def __init__(self, workers: Workers, apis: list[httpx2.AsyncClient]) -> None:
        super().__init__(workers, apis[0])  # type: ignore[arg-type]
        self.workers, self.apis = workers, apis
        self.turn = itertools.cycle(range(len(apis)))
        self.home: dict[str, int] = {}

    async def create(self, config: dict[str, Any] = REFERENCE) -> Session:
        k = next(self.turn)
        reply = await self.apis[k].post("/sessions", json=config)
        reply.raise_for_status()
        session: Session = reply.json()
        self.home[session["id"]] = k
        return session

    async def delete(self, session: Session) -> None:
        api = self.apis[self.home.pop(session["id"])]
        headers = {"Authorization": f"Bearer {session['token']}"}
        await api.delete(f"/sessions/{session['id']}", headers=headers)

    async def watch(
        self,
        session: Session,
        *drive: dict[str, Any],
        decode: bool = False,
        kind: type = Reader,
        through: int | None = None,
    ) -> Reader:
        """As Bench.watch, through worker `through` (by default the one it was created on)."""
        worker = self.workers.workers[self.home[session["id"]] if through is None else through]
        self.server.ws = f"{worker.ws_url}/api/sessions"  # type: ignore[attr-defined]
        return await super().watch(session, *drive, decode=decode, kind=kind)

    async def largest(self) -> tuple[int, float]:
        """The largest N with <= 5 % late frames, and server CPU ms per frame at that N."""
        best, per_frame, failures = 0, float("nan"), 0
        for n in SERIES:
            for _ in range(3):  # measure again while other processes take over 0.25 cores
                figures = await self.capacity_level(n)
                if figures[-1] < 0.25:
                    break
            row(n, figures, CAPACITY_FORMATS)
            if figures[0] <= 5 and not failures:
                best, per_frame = n, figures[3]
            else:
                failures += 1
            if figures[0] > 30 or failures >= 2:
                break
        return best, per_frame


async def spread(workers: Workers, n: int = 200) -> None:
    """One run at full speed watched by n sockets, half on each of 2 workers: frames/s made by
    the owner and got by the slowest watcher on each worker."""
    apis = [httpx2.AsyncClient(base_url=f"{w.url}/api", timeout=60) for w in workers.workers]
    bench = ClusterBench(workers, apis)
    try:
        session = await bench.create()
        gate = asyncio.Semaphore(20)
        sides: list[list[Reader]] = [[], []]

        async def quiet(k: int) -> None:
            async with gate:  # through worker k, whoever owns the run
                sides[k].append(await bench.watch(session, through=k))

        await asyncio.gather(*(quiet(k % 2) for k in range(n - 1)))
        sample = await bench.watch(session, {"type": "play"}, decode=True, through=0)
        t0, t1, cpu, client, other = await bench.measure()
        wall, i = t1 - t0, sample.window(t0, t1)
        made = (sample.headers[i[-1]]["seq"] - sample.headers[i[0]]["seq"]) / wall
        slowest = [min(len(r.window(t0, t1)) / wall for r in side) for side in sides]
        await bench.close([sample, *sides[0], *sides[1]], [session])
    finally:
        for api in apis:
            await api.aclose()
    print(f"-- 2. {n} watchers of one run at full speed, half on each of 2 workers")
    line(
        "frames/s made / got by the slowest, worker 1 / 2",
        f"{made:.1f} / {slowest[0]:.1f} / {slowest[1]:.1f}",
    )
    line("CPU cores: workers / clients / others", f"{cpu:.2f} / {client:.2f} / {other:.2f}")


@contextmanager
def cluster(count: int) -> Iterator[Workers]:
    with redis_server() as url:
        workers = Workers(url, count)
        try:
            yield workers
        finally:
            workers.stop()


async def capacity(count: int) -> tuple[int, float]:
    with cluster(count) as workers:
        apis = [httpx2.AsyncClient(base_url=f"{w.url}/api", timeout=60) for w in workers.workers]
        try:
            print(f"   {count} worker{'s' if count > 1 else ''}")
            row("N", CAPACITY_COLUMNS, CAPACITY_FORMATS)
            return await ClusterBench(workers, apis).largest()
        finally:
            for api in apis:
                await api.aclose()


async def run(repeats: int) -> None:
    print("-- 1. capacity: N sessions at 30 epochs/s on 1 and on 2 workers sharing one Redis,")
    print("      one reading client each (CPU in cores: the workers, these clients, others)")
    ones, twos = [], []
    for _ in range(repeats):
        for count, found in ((1, ones), (2, twos)):
            found.append(await capacity(count))
    one = statistics.median(n for n, _ in ones)
    two = statistics.median(n for n, _ in twos)
    line("largest N with <= 5 % late frames: 1 / 2 workers", f"{one:.0f} / {two:.0f}")
    line("2 workers / 1 worker (goal >= 1.7)", f"{two / max(one, 1):.2f}")
    box = two / 2 * CORES_PER_BOX  # per core here, where the clients share the 2 cores too
    line(f"runs at 30 frames/s a {CORES_PER_BOX}-core box would carry", f"{box:.0f}")
    cpu = statistics.median(ms for _, ms in ones if ms == ms)
    line("server CPU ms per frame at that N, 1 worker", f"{cpu:.2f}")
    with cluster(2) as workers:
        await spread(workers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=1, help="measure each count this often")
    args = parser.parse_args()
    if REDIS is None:
        print("redis-server is not installed (make test installs it): no cluster figures")
        sys.exit(0)
    with contextlib.suppress(KeyError):
        del os.environ["STEPWISE_REDIS_URL"]  # the workers are given this bench's own Redis
    asyncio.run(asyncio.wait_for(run(args.repeats), 900))
