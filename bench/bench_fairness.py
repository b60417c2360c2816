"""Fairness: what strangers and one heavy run cost an unrelated small session, from outside.

Run from the project root: `.venv/bin/python bench/bench_fairness.py`. Uses bench_server.py's
harness (the server in its own process on a loopback port, clients in this asyncio process, CPU
read from /proc). One small session (spiral-8-8) plays at full speed with one viewer, and is
measured alone, next to four clients looping `GET boundary` with no token on another session
(at resolution 200, which a stranger is refused, and at 100, which is answered), next to one
session of the largest config at full speed, and alone again (its ratio to the first shows how
noisy the machine is). Each case is a 4 s stretch after a warm-up; ratios to alone are taken
within the same round, and the figures are medians of several rounds. Server and clients share
the machine's cores with anything else running: the "others" column says how disturbed a figure
is.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

import httpx2
from bench_server import PLAY, Bench, Reader, Server, Session, line, row

LARGEST = {"dataset": "spiral", "n_samples": 5000, "batch_size": 5000, "hidden_layers": [32] * 8}
LARGEST |= {"features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]}
LARGEST["features"] += ["cos_x1", "cos_x2"]  # all nine: the largest config the server allows
COLUMNS = ("epochs/s", "ratio", "frames/s", "other/s", "server", "others")
FORMATS = "10.0 7.2 10.1 9.1 8.2 8.2"


def rate(reader: Reader, t0: float, t1: float) -> tuple[float, float]:
    """(epochs/s, frames/s) a viewer saw between t0 and t1."""
    i = reader.window(t0, t1)
    if len(i) < 2:
        return 0.0, 0.0
    span = reader.times[i[-1]] - reader.times[i[0]]
    epochs = reader.headers[i[-1]]["epoch"] - reader.headers[i[0]]["epoch"]
    return epochs / span, (len(i) - 1) / span


class Fairness(Bench):
    def __init__(self, server: Server, api: httpx2.AsyncClient) -> None:
        super().__init__(server, api)
        self.answers: dict[int, list[int]] = {200: [], 100: []}  # status codes, by resolution

    async def read(self, session: Session, stop: asyncio.Event, resolution: int) -> None:
        """Loop the boundary with no token, as a stranger with the id may."""
        url = f"/sessions/{session['id']}/boundary"
        while not stop.is_set():
            reply = await self.api.get(url, params={"resolution": resolution})
            self.answers[resolution].append(reply.status_code)

    async def readers(self, target: Session, resolution: int) -> tuple[float, ...]:
        """Four strangers looping reads: (t0, t1, server cores, other cores, answers/s)."""
        stop, before = asyncio.Event(), len(self.answers[resolution])
        loops = [asyncio.create_task(self.read(target, stop, resolution)) for _ in range(4)]
        t0, t1, cpu, _, other = await self.measure(1.5, 4.0)
        stop.set()
        await asyncio.gather(*loops)
        answered = (len(self.answers[resolution]) - before) / (t1 - t0 + 1.5)  # and warm-up
        return t0, t1, cpu, other, answered

    async def round(self, small: Reader) -> dict[str, tuple[float, ...]]:
        """Each case: (epochs/s, frames/s, server cores, other cores, the disturbance's rate)."""
        t0, t1, cpu, _, other = await self.measure(1.5, 4.0)
        figures = {"alone": (*rate(small, t0, t1), cpu, other, 0.0)}
        target = await self.create()
        for resolution in (200, 100):
            t0, t1, cpu, other, answered = await self.readers(target, resolution)
            figures[f"4 readers {resolution}"] = (*rate(small, t0, t1), cpu, other, answered)
        heavy = await self.create(LARGEST)
        viewer = await self.watch(heavy, PLAY, decode=True)
        t0, t1, cpu, _, other = await self.measure(2.0, 4.0)
        figures["largest"] = (*rate(small, t0, t1), cpu, other, rate(viewer, t0, t1)[0])
        await self.close([viewer], [heavy, target])
        t0, t1, cpu, _, other = await self.measure(1.5, 4.0)  # the noise floor: alone again
        figures["alone again"] = (*rate(small, t0, t1), cpu, other, 0.0)
        return figures

    async def run(self, rounds: int) -> None:
        print("-- fairness: an unrelated spiral-8-8 session at full speed with one viewer: alone,")
        print("   next to 4 clients looping GET boundary (no token) on another session at")
        print("   resolution 200 (refused) and 100 (answered), and next to one largest-config")
        print("   session at full speed (8 x 32, 5000 points, 9 features, batch 5000); medians")
        print(f"   of {rounds} rounds, ratio to alone in the same round; other/s: the readers'")
        print("   answers/s, or the largest's epochs/s")
        session = await self.create()
        small = await self.watch(session, PLAY, decode=True)
        results = [await self.round(small) for _ in range(rounds)]
        await self.close([small], [session])
        row("beside", COLUMNS, FORMATS)
        for case in results[0]:
            epochs, fps, cpu, other, extra = (
                statistics.median(r[case][k] for r in results) for k in range(5)
            )
            ratios = [r[case][0] / r["alone"][0] for r in results]
            row(case, (epochs, statistics.median(ratios), fps, extra, cpu, other), FORMATS)
        for case in ("4 readers 200", "4 readers 100", "largest", "alone again"):
            ratios = ", ".join(f"{r[case][0] / r['alone'][0]:.2f}" for r in results)
            line(f"ratio to alone in each round, {case}", ratios)
        for resolution, answers in self.answers.items():
            codes = {code: answers.count(code) for code in sorted(set(answers))}
            line(f"the readers' answers at {resolution} (status: count)", f"{codes}")
        print("   goal: within 10 % of alone (ratio >= 0.90) and >= 28 frames/s")


async def main(rounds: int) -> None:
    server = Server()
    try:
        async with httpx2.AsyncClient(base_url=f"{server.url}/api", timeout=120) as api:
            await Fairness(server, api).run(rounds)
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds to take medians over")
    args = parser.parse_args()
    asyncio.run(asyncio.wait_for(main(args.rounds), 600))
