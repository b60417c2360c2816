"""Server speed on the reference config "spiral-8-8", measured from outside the server process.

Run from the project root: `.venv/bin/python bench/bench_server.py`. Starts `stepwise` as its own
process on a free loopback port, drives it over 127.0.0.1 with REST and WebSocket clients that
all run in this one asyncio process, reads the server's CPU time and resident size from /proc,
and stops it at the end. Prints one figure per line; repeated measures are medians. Server and
clients share the machine's cores, so the sections also print the CPU the clients and any other
process used meanwhile: figures taken while "others" is high are disturbed, rerun them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import DEVNULL
from typing import Any

import httpx2
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.sessions.wire import Reader as FrameReader
from bench import wire_bytes
from bench.measure import cpu_seconds, line, meter, row
from bench.wire_bytes import Tally

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = {"dataset": "spiral", "n_samples": 500, "train_fraction": 0.5, "batch_size": 10}
REFERENCE |= {"features": ["x1", "x2"], "hidden_layers": [8, 8], "activation": "tanh"}
REFERENCE |= {"optimizer": "sgd", "learning_rate": 0.03}
LATE = 1.5 / 30  # a gap longer than 1.5 frame periods at the default 30 frames/s
STEADY = 0.95 * 30  # the median frames/s of sessions said to run at 30 frames/s
CAPACITY_SERIES = (1, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80)
PLAY = {"type": "play"}
SLOW = {"type": "speed", "epochs_per_second": 30.0}
Session = dict[str, Any]
CAPACITY_COLUMNS = ("late %", "frames/s", "p95 gap ms", "ms/frame", "server", "clients", "others")
CAPACITY_FORMATS = "7.1 10.1 12.1 10.2 8.2 9.2 8.2"
CPU_GOAL = 1.6  # server CPU ms per frame at 10 sessions (issue 13; ~1.5 measured before format 2)
WATCHER_COLUMNS = ("ms/frame", "made/s", "sample/s", "slowest/s", "epochs/s", "clients", "others")
WATCHER_FORMATS = "9.1 8.1 10.1 11.1 10.0 9.2 8.2"


class Server:
    """`stepwise` in its own process on a free loopback port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        exe = str(Path(sys.executable).with_name("stepwise"))
        command = [exe, "--host", "127.0.0.1", "--port", str(port)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this tree's code, not the installed one
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=DEVNULL, stderr=DEVNULL)
        self.url, self.ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/api/sessions"
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx2.HTTPError):
                if httpx2.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("the server did not start")
            time.sleep(0.1)

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(row.split()[1]) for row in f if row.startswith("VmRSS:"))

    def meter(self) -> Callable[[], tuple[float, float, float, float]]:
        return meter(lambda: cpu_seconds(self.proc.pid))

    def stop(self) -> None:
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.proc.kill()  # a no-op once it has exited
        self.proc.wait()


@dataclass
class Reader:
    """Reads a socket until it closes, timing every binary frame (and decoding it if asked;
    a tally counts what each frame cost on the wire)."""

    ws: ClientConnection
    decode: bool = False
    times: list[float] = field(default_factory=list)
    headers: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    task: asyncio.Task[None] | None = None
    tally: Tally | None = None
    frames: FrameReader = field(default_factory=FrameReader)

    async def run(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in self.ws:
                if isinstance(message, bytes):
                    self.times.append(time.perf_counter())
                    self.size = len(message)
                    if self.decode or self.tally:
                        header = self.frames.read(message)[0]
                        if self.decode:
                            self.headers.append(header)
                        if self.tally:
                            self.tally.add(message, header)

    def window(self, t0: float, t1: float) -> list[int]:
        return [i for i, t in enumerate(self.times) if t0 <= t <= t1]


def learning_rate(message: str | bytes, frames: FrameReader) -> float | None:
    if not isinstance(message, bytes):
        return None
    rate: float = frames.read(message)[0]["config"]["learning_rate"]
    return rate


def auth(session: Session) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['token']}"}


class Bench:
    def __init__(self, server: Server, api: httpx2.AsyncClient) -> None:
        self.server, self.api = server, api

    async def create(self, config: dict[str, Any] = REFERENCE) -> Session:
        reply = await self.api.post("/sessions", json=config)
        reply.raise_for_status()
        return reply.json()  # type: ignore[no-any-return]

    async def delete(self, session: Session) -> None:
        await self.api.delete(f"/sessions/{session['id']}", headers=auth(session))

    async def watch(
        self, session: Session, *drive: dict[str, Any], decode: bool = False, kind: type = Reader
    ) -> Reader:
        """Open a viewer (a `kind` of Reader) and start reading it; if `drive` is given, auth
        and send it."""
        url = f"{self.server.ws}/{session['id']}/ws"
        ws = await connect(url, open_timeout=30)  # offers permessage-deflate, as browsers do
        reader: Reader = kind(ws, decode)
        reader.task = asyncio.create_task(reader.run())
        for message in ({"type": "auth", "token": session["token"]}, *drive) if drive else ():
            await ws.send(json.dumps(message))
        return reader

    async def measure(self, warmup: float = 1.5, seconds: float = 5.0) -> tuple[float, ...]:
        """(start, end, server cores, client cores, other cores) of a stretch after a warm-up."""
        await asyncio.sleep(warmup)
        stretch = self.server.meter()
        await asyncio.sleep(seconds)
        wall, *cores = stretch()
        end = time.perf_counter()
        return (end - wall, end, *cores)

    async def close(self, readers: list[Reader], sessions: list[Session]) -> None:
        await asyncio.gather(*(r.ws.close() for r in readers), return_exceptions=True)
        await asyncio.gather(*(r.task for r in readers if r.task), return_exceptions=True)
        await asyncio.gather(*(self.delete(s) for s in sessions))

    async def throughput(self, seconds: int = 10) -> None:
        session = await self.create()
        reader = await self.watch(session, PLAY, decode=True)
        start, _, cpu, client, other = await self.measure(1.0, seconds)
        await self.close([reader], [session])
        epochs, fps = [], []
        for t0, t1 in itertools.pairwise(start + k for k in range(seconds + 1)):
            i = reader.window(t0, t1)
            span = reader.times[i[-1]] - reader.times[i[0]]
            epochs.append((reader.headers[i[-1]]["epoch"] - reader.headers[i[0]]["epoch"]) / span)
            fps.append((len(i) - 1) / span)
        print("-- 1. one browser-like driver at full speed (medians of 1 s windows)")
        line("epochs/s (target >= 300)", f"{statistics.median(epochs):.0f}")
        line("frames/s received (target >= 28)", f"{statistics.median(fps):.1f}")
        line("frame size bytes", f"{reader.size}")
        deflate = "permessage-deflate" in str(reader.ws.response and reader.ws.response.headers)
        line("permessage-deflate accepted by the server", "yes" if deflate else "no")
        line("CPU cores: server / clients / others", f"{cpu:.2f} / {client:.2f} / {other:.2f}")

    async def capacity_level(self, n: int) -> tuple[float, ...]:
        sessions = await asyncio.gather(*(self.create() for _ in range(n)))
        readers = await asyncio.gather(*(self.watch(s, SLOW, PLAY) for s in sessions))
        t0, t1, cpu, client, other = await self.measure()
        gaps: list[float] = []
        rates: list[float] = []
        for reader in readers:
            times = [reader.times[i] for i in reader.window(t0, t1)]
            gaps += [b - a for a, b in itertools.pairwise([t0, *times, t1])]  # none: one gap
            rates.append(len(times) / (t1 - t0))
        await self.close(readers, sessions)
        late = 100 * sum(g > LATE for g in gaps) / max(1, len(gaps))
        p95 = statistics.quantiles(gaps, n=20)[-1] * 1000 if len(gaps) > 1 else float("nan")
        per_frame = cpu * 1000 / max(1e-9, sum(rates))  # server CPU ms per frame made and sent
        return late, statistics.median(rates), p95, per_frame, cpu, client, other

    async def largest(self, series: tuple[int, ...]) -> tuple[int, dict[int, tuple[float, ...]]]:
        """Capacity levels of `series` in turn, each printed, until two fail (or one is far
        off): the largest N at 30 frames/s (>= 28.5 median, <= 5 % late frames) before any
        failed, and every level's row."""
        best, failures, rows = 0, 0, {}
        for n in series:
            for _ in range(3):  # measure again while other processes take over 0.25 cores
                figures = await self.capacity_level(n)
                if figures[-1] < 0.25:
                    break
            row(n, figures, CAPACITY_FORMATS)
            rows[n] = figures
            late, rate = figures[0], figures[1]
            steady = late <= 5 and rate >= STEADY  # a run slowed to 26 frames/s is not at 30
            best, failures = (n, 0) if steady and not failures else (best, failures + 1)
            if late > 30 or failures >= 2:
                break
        return best, rows

    async def capacity(self) -> None:
        print("-- 2. capacity: N sessions at 30 epochs/s, one reading client each; all clients")
        print("      run in this one asyncio process, on the same 2 cores as the server")
        print("      (CPU in cores: the server, these clients, other processes)")
        row("N", CAPACITY_COLUMNS, CAPACITY_FORMATS)
        best, rows = await self.largest(CAPACITY_SERIES)
        line("largest N at 30 frames/s (>= 28.5, <= 5 % gaps > 50 ms)", f"{best}")
        # the series may have stopped before 10: then it is measured on its own
        at_ten = rows[10][3] if 10 in rows else (await self.capacity_level(10))[3]
        line("server CPU ms per frame, 10 sessions (before ~1.5)", f"{at_ten:.2f}")
        line("   goal", f"<= {CPU_GOAL}")

    async def watchers_case(self, n: int) -> tuple[float, ...]:
        session = await self.create()
        gate = asyncio.Semaphore(20)

        async def quiet() -> Reader:
            async with gate:
                return await self.watch(session)

        others = await asyncio.gather(*(quiet() for _ in range(n - 1)))
        sample = await self.watch(session, PLAY, decode=True)
        t0, t1, cpu, client, other = await self.measure()
        wall, i = t1 - t0, sample.window(t0, t1)
        first, last = sample.headers[i[0]], sample.headers[i[-1]]
        span = sample.times[i[-1]] - sample.times[i[0]]
        produced = max(1, last["seq"] - first["seq"]) * wall / span
        low = min([len(r.window(t0, t1)) / wall for r in others] or [len(i) / wall])
        await self.close([sample, *others], [session])
        epochs = (last["epoch"] - first["epoch"]) / span
        figures = (produced / wall, len(i) / wall, low, epochs, client, other)
        return (cpu * wall / produced * 1000, *figures)

    async def watchers(self) -> None:
        print("-- 3. watchers of one session at full speed (server CPU ms per frame produced;")
        print("      frames/s made, got by the sample watcher and by the slowest; CPU cores)")
        row("watchers", WATCHER_COLUMNS, WATCHER_FORMATS)
        rows = {}
        for n in (1, 200):
            rows[n] = figures = await self.watchers_case(n)
            row(n, figures, WATCHER_FORMATS)
        one, many = rows[1][0], rows[200][0]
        line("share of server CPU spent sending, 200 watchers", f"{(many - one) / many:.0%}")
        line("server CPU ms per frame per extra watcher", f"{(many - one) / 199:.3f}")

    async def set_latency(self, count: int = 50) -> None:
        session = await self.create()
        url = f"{self.server.ws}/{session['id']}/ws"
        waits: list[float] = []
        frames = FrameReader()
        async with connect(url) as ws:
            for message in ({"type": "auth", "token": session["token"]}, PLAY):
                await ws.send(json.dumps(message))
            await asyncio.sleep(1.0)
            stretch = self.server.meter()
            for n in range(count):
                value, start = (0.02, 0.04)[n % 2], time.perf_counter()
                await ws.send(json.dumps({"type": "set", "config": {"learning_rate": value}}))
                while learning_rate(await asyncio.wait_for(ws.recv(), timeout=5), frames) != value:
                    pass
                waits.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(random.uniform(0.0, 0.06))  # land anywhere in a tick
            _, cpu, _, other = stretch()
        await self.delete(session)
        print("-- 4. latency of `set` while playing at full speed (send -> first frame showing it)")
        p95 = statistics.quantiles(waits, n=20)[-1]
        line(f"p50 / p95 ms over {count}", f"{statistics.median(waits):.1f} / {p95:.1f}")
        line("CPU cores: server / others", f"{cpu:.2f} / {other:.2f}")

    async def frame_bytes(self, seconds: float, runs: int) -> None:
        await wire_bytes.section(self, REFERENCE, seconds, runs, line)

    async def memory(self, epochs: int, sessions: int = 500) -> None:
        """On a fresh server (the default cap is 500 sessions, exactly this many). Half the
        sessions are trained by one client, half by four at once, to show what overlap costs."""
        start = self.server.rss_kb()
        warm = await self.create()  # first-use costs: imports, caches, the thread pool
        await self.api.post(f"/sessions/{warm['id']}/step", json={"epochs": 1}, headers=auth(warm))
        await self.delete(warm)
        await asyncio.sleep(0.5)
        before, rates = self.server.rss_kb(), []

        async def worker(todo: list[int]) -> None:
            while todo:
                todo.pop()
                made = await self.create()
                path, body = f"/sessions/{made['id']}/step", {"epochs": epochs}
                reply = await self.api.post(path, json=body, headers=auth(made))
                assert reply.json()["epoch"] == epochs, reply.text

        for clients, share in ((1, sessions // 2), (4, sessions - sessions // 2)):
            stretch, todo = self.server.meter(), list(range(share))
            await asyncio.gather(*(worker(todo) for _ in range(clients)))
            wall, cpu, _, other = stretch()
            rates.append(f"{share * epochs / wall:.0f} ({cpu:.2f} / {other:.2f})")
        await asyncio.sleep(0.5)
        after = self.server.rss_kb()
        print(f"-- 5. memory: {sessions} idle sessions, each trained {epochs} epochs over REST")
        line("server RSS at start / after warm-up MB", f"{start / 1024:.1f} / {before / 1024:.1f}")
        line(f"server RSS with {sessions} sessions MB", f"{after / 1024:.1f}")
        line("per session KB", f"{(after - before) / sessions:.0f}")
        print("   epochs/s trained over REST (CPU cores: server / others)")
        line("   by 1 client / by 4 clients at once", "   ".join(rates))


async def run(epochs: int, sections: str, frame_seconds: float, frame_runs: int) -> None:
    print("config spiral-8-8: spiral, 500 points, half for training, x1 x2 -> [8, 8] tanh,")
    print("sgd, learning rate 0.03, batch 10; clients offer permessage-deflate as browsers do")
    for wanted in ([k for k in sections if k != "5"], [k for k in sections if k == "5"]):
        if not wanted:
            continue
        server = Server()  # the memory section gets a fresh one
        try:
            async with httpx2.AsyncClient(base_url=f"{server.url}/api", timeout=120) as api:
                bench = Bench(server, api)
                steps = [bench.throughput, bench.capacity, bench.watchers, bench.set_latency]
                for key in wanted:
                    if key == "6":
                        await bench.frame_bytes(frame_seconds, frame_runs)
                    else:
                        await (bench.memory(epochs) if key == "5" else steps[int(key) - 1]())
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sections", default="123465", help="which sections to run, e.g. 13")
    parser.add_argument("--memory-epochs", type=int, default=50, help="(1 or 1000: same RSS)")
    parser.add_argument("--frame-seconds", type=float, default=60.0, help="section 6's runs")
    parser.add_argument("--frame-runs", type=int, default=3, help="section 6's repeats")
    args = parser.parse_args()
    sections = run(args.memory_epochs, args.sections, args.frame_seconds, args.frame_runs)
    asyncio.run(asyncio.wait_for(sections, 900 + 2 * args.frame_runs * args.frame_seconds))
