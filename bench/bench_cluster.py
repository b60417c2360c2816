"""Cluster mode on this machine: capacity on 1 and 2 workers, watchers spread, a takeover.

Run from the project root: `.venv/bin/python bench/bench_cluster.py`. Starts a throwaway
redis-server and W single-process workers (as `make cluster` does, without the proxy, so the
figures are the workers' own). 1: the largest number of sessions at 30 frames/s (a median of at
least 28.5, at most 5 % late frames) on 1 and on 2 workers, as the server bench's capacity
section finds it;
sessions are created through the workers in turn (placement may put one on the other worker, and
then its frames cross the bus, as behind the proxy), each watched by one reading client. 2: 200
watchers of one run, half through each of 2 workers. 3: the busiest of 3 workers killed while 20
runs play: seconds until every run it owned has a new owner. Clients run in this process on the
same 2 cores, so the CPU they and other processes take is printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cluster.ledger import lease_key
from bench.bench_server import (
    CAPACITY_COLUMNS,
    CAPACITY_FORMATS,
    REFERENCE,
    Bench,
    Reader,
    Session,
)
from bench.measure import cpu_seconds, line, meter, row
from tests.cluster.procs import REDIS, Worker, redis_server

SERIES = (4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 64)
CORES_PER_BOX = 16


class Workers:
    """W workers on one Redis; measured together, as one server."""

    def __init__(self, redis_url: str, count: int) -> None:
        self.redis_url = redis_url
        self.workers = [Worker(redis_url) for _ in range(count)]

    def meter(self) -> Callable[[], tuple[float, float, float, float]]:
        """As Server.meter, with the CPU of all the workers as the server's."""
        return meter(lambda: sum(cpu_seconds(w.process.pid) for w in self.workers))

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


async def takeover(workers: Workers, redis_url: str, runs: int = 20) -> None:
    """`runs` playing runs over the workers; the busiest owner killed: seconds until another
    worker holds the lease of every run it owned."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    apis = [httpx2.AsyncClient(base_url=f"{w.url}/api", timeout=60) for w in workers.workers]
    bench = ClusterBench(workers, apis)
    try:
        sessions = [await bench.create() for _ in range(runs)]
        readers = [await bench.watch(s, {"type": "play"}) for s in sessions]
        await asyncio.sleep(2.0)
        held = {s["id"]: client.get(lease_key(s["id"])) for s in sessions}
        busiest = Counter(held.values()).most_common(1)[0][0]
        victim = next(w for w in workers.workers if str(w.process.pid) == busiest.split(":")[1])
        orphans = [key for key, owner in held.items() if owner == busiest]
        victim.stop(signal.SIGKILL)
        killed = time.perf_counter()
        taken: dict[str, float] = {}
        while len(taken) < len(orphans) and time.perf_counter() - killed < 30:
            for key in orphans:
                owner = client.get(lease_key(key))
                if key not in taken and owner not in (None, busiest):
                    taken[key] = time.perf_counter() - killed
            await asyncio.sleep(0.02)
        for reader in readers:
            await reader.ws.close()
    finally:
        client.close()
        for api in apis:
            await api.aclose()
    lease = float(os.environ.get("STEPWISE_LEASE_SECONDS", "5"))
    print(f"-- 3. SIGKILL the busiest of {len(workers.workers)} workers, {runs} runs playing")
    line("runs it owned / taken over by another worker", f"{len(orphans)} / {len(taken)}")
    worst = max(taken.values(), default=float("nan"))
    line(
        f"seconds to take over: median / last (lease {lease:g} s)",
        f"{statistics.median(taken.values()):.2f} / {worst:.2f}",
    )
    line("   goal", f"<= lease + 1 = {lease + 1:g} s")


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
            best, rows = await ClusterBench(workers, apis).largest(SERIES)
            return best, rows[best][3] if best else float("nan")
        finally:
            for api in apis:
                await api.aclose()


async def run(repeats: int, sections: str) -> None:
    if "1" in sections:
        await capacities(repeats)
    if "2" in sections:
        with cluster(2) as workers:
            await spread(workers)
    if "3" in sections:
        with cluster(3) as workers:
            await takeover(workers, workers.redis_url)


async def capacities(repeats: int) -> None:
    print("-- 1. capacity: N sessions at 30 epochs/s on 1 and on 2 workers sharing one Redis,")
    print("      one reading client each (CPU in cores: the workers, these clients, others)")
    ones, twos = [], []
    for _ in range(repeats):
        for count, found in ((1, ones), (2, twos)):
            found.append(await capacity(count))
    one = statistics.median(n for n, _ in ones)
    two = statistics.median(n for n, _ in twos)
    line("largest N at 30 frames/s: 1 / 2 workers", f"{one:.0f} / {two:.0f}")
    line("2 workers / 1 worker (goal >= 1.7)", f"{two / max(one, 1):.2f}")
    # per core: one worker alone on a core, and two sharing this machine's 2 with the clients
    alone, shared = one * CORES_PER_BOX, two / 2 * CORES_PER_BOX
    line(
        f"runs a {CORES_PER_BOX}-core box would carry: per 1 / 2 workers",
        f"{alone:.0f} / {shared:.0f}",
    )
    cpu = statistics.median(ms for _, ms in ones if ms == ms)
    line("server CPU ms per frame at that N, 1 worker", f"{cpu:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=1, help="measure each count this often")
    parser.add_argument("--sections", default="123", help="which sections to run, e.g. 13")
    args = parser.parse_args()
    if REDIS is None:
        print("redis-server is not installed (make test installs it): no cluster figures")
        sys.exit(0)
    with contextlib.suppress(KeyError):
        del os.environ["STEPWISE_REDIS_URL"]  # the workers are given this bench's own Redis
    asyncio.run(asyncio.wait_for(run(args.repeats, args.sections), 900))
