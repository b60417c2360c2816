"""The loss landscape's cost: CPU time of one grid, for spiral-8-8 and for the largest network,
and what watching every session's landscape costs live runs.

Run from the project root: `python bench/bench_landscape.py`. Prints the median process CPU time
(the server's cost, whatever else the machine runs) of the plane and the grid of the training
loss, after a few epochs so that the plane comes from the path's own directions. The largest
network runs under the server's default budget of work (STEPWISE_LANDSCAPE_MAX_WORK), so it is
measured on a sample of its training points; the line says how many.

Then a server of its own (bench_server.py's) plays SESSIONS spiral-8-8 runs at 30 epochs/s, each
watched by one socket, and alternates stretches where no socket asks for the landscape with
stretches where every one does (`{"type": "landscape", "on": true}`), on the same runs: the
line is the frames/s received with landscapes watched ÷ without, the median of PAIRS pairs
(the issue asks for at least 0.9).
"""

import asyncio
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

import httpx2
from websockets.exceptions import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import Settings
from app.engine import FEATURES, TrainConfig, Trainer
from app.engine import landscape as ls
from bench.bench_server import PLAY, SLOW, Bench, Reader, Server
from bench.measure import line

SPIRAL = TrainConfig(dataset="spiral", n_samples=500, hidden_layers=(8, 8), batch_size=10)
LARGEST = TrainConfig(
    dataset="spiral", n_samples=5000, batch_size=5000, hidden_layers=(32,) * 8, features=FEATURES
)
REPEATS = 9
SESSIONS = 4  # live runs at 30 frames/s, each watched by one socket
PAIRS = 5  # stretches without and with the landscapes watched, in turn
STRETCH = 1.5  # seconds each
ON, OFF = ({"type": "landscape", "on": flag} for flag in (True, False))


def measure(name: str, config: TrainConfig, resolution: int, repeats: int = REPEATS) -> None:
    trainer = Trainer(config)
    path = []
    for _ in range(6):
        trainer.train(epochs=1)
        path.append(trainer.net.params.copy())
    task, work = ls.task(trainer), Settings().landscape_max_work
    times, points = [], 0
    for _ in range(repeats):
        start = time.process_time()
        plane = ls.plane(trainer.net.params, path, trainer.net.sizes, config.seed)
        points = ls.surface(task, plane, resolution, work).points
        times.append(time.process_time() - start)
    ms = 1000 * statistics.median(times)
    size = f"{resolution}x{resolution}"
    print(f"landscape {name} {size}: {ms:.1f} ms CPU ({points} of {trainer.n_train} points)")


class Watcher(Reader):
    """A socket's reader that also counts the landscapes it is sent."""

    landscapes: int = 0

    async def run(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in self.ws:
                if isinstance(message, bytes):
                    self.times.append(time.perf_counter())
                elif json.loads(message)["type"] == "landscape":
                    self.landscapes += 1


async def stretch(watchers: list[Watcher], landscapes: bool) -> tuple[float, int]:
    """Frames/s each socket got over a stretch (its median), and the landscapes they all got."""
    for w in watchers:
        await w.ws.send(json.dumps(ON if landscapes else OFF))
    await asyncio.sleep(0.5)  # settled: the first landscape, or the last one, is in
    before, t0 = sum(w.landscapes for w in watchers), time.perf_counter()
    await asyncio.sleep(STRETCH)
    t1 = time.perf_counter()
    fps = statistics.median(len(w.window(t0, t1)) / (t1 - t0) for w in watchers)
    return fps, sum(w.landscapes for w in watchers) - before


async def watched() -> None:
    server = Server()
    try:
        async with httpx2.AsyncClient(base_url=f"{server.url}/api", timeout=60) as api:
            bench = Bench(server, api)
            sessions = await asyncio.gather(*(bench.create() for _ in range(SESSIONS)))
            watchers: list[Watcher] = [
                await bench.watch(s, SLOW, PLAY, kind=Watcher)  # type: ignore[misc]
                for s in sessions
            ]
            await asyncio.sleep(1.5)  # warm-up
            ratios, rates, got = [], [], 0
            for i in range(PAIRS):  # which comes first alternates: a drift cancels out
                watched_first = bool(i % 2)
                a = await stretch(watchers, watched_first)
                b = await stretch(watchers, not watched_first)
                (with_them, landscapes), (without, _) = (a, b) if watched_first else (b, a)
                ratios.append(with_them / without)
                rates.append(f"{without:.1f}/{with_them:.1f}")
                got += landscapes
            await bench.close(watchers, sessions)
    finally:
        server.stop()
    per_second = got / (PAIRS * STRETCH * SESSIONS)
    print(f"-- {SESSIONS} live runs at 30 epochs/s, every one's landscape (41x41) watched or not")
    line("landscapes/s each socket got while watched (<= 2)", f"{per_second:.2f}")
    line("frames/s watched / not watched (goal >= 0.9)", f"{statistics.median(ratios):.3f}")
    line("   each pair: frames/s not watched / watched", " ".join(rates))


if __name__ == "__main__":
    measure("spiral-8-8", SPIRAL, 41)
    measure("spiral-8-8", SPIRAL, 101)
    measure("largest (9 features, 8 x 32)", LARGEST, 41, repeats=3)
    asyncio.run(watched())
