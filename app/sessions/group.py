"""A comparison: two to four sessions from one configuration and seed, driven in lock-step.

The runs share their data and their initial weights and differ only in the one field the user
varies. The group's own runner advances every run by the same number of whole epochs per tick,
under every run's lock, so the server keeps them in step whatever the sockets do; each run
still records its own history and timeline and can be watched, read or branched alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from app.config import Settings
from app.sessions import limits
from app.sessions.hub import Viewer, stop
from app.sessions.nap import Nap
from app.sessions.session import STEP_CHUNK, Session


class Comparison:
    def __init__(
        self,
        group_id: str,
        token: str,
        vary: str,
        values: list[Any],
        runs: list[Session],
        settings: Settings,
    ) -> None:
        self.id = group_id
        self.token = token
        self.vary = vary
        self.values = values
        self.runs = runs
        self.settings = settings
        self.playing = False
        self.epochs_per_second: float | None = None
        self.runner: asyncio.Task[None] | None = None
        self.nap = Nap()  # the runner's sleep between ticks; a pause wakes it
        self.watchers: set[Viewer] = set()  # sockets watching the whole comparison
        self.last_active = time.monotonic()
        self._carry = 0.0
        self._epochs = 1  # per tick at full speed, adapted to the time the runs take
        for run in runs:
            run.group = group_id

    def touch(self) -> None:
        self.last_active = time.monotonic()
        for run in self.runs:
            run.touch()

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "vary": self.vary,
            "values": self.values,
            "status": "running" if self.playing else "idle",
            "epochs_per_second": self.epochs_per_second,
            "runs": [run.public() for run in self.runs],
        }

    @contextlib.asynccontextmanager
    async def locked(self) -> AsyncIterator[None]:
        """Every run's lock, always taken in the same order."""
        async with contextlib.AsyncExitStack() as stack:
            for run in self.runs:
                await stack.enter_async_context(run.lock)
            yield

    # --- under the locks, in a worker thread -------------------------------------------------

    def train_all(self, epochs: int) -> list[tuple[Session, Any]]:
        out = []
        for run in self.runs:
            if run.trainer.status == "ok":
                out.append((run, run.train_now(None, epochs)))
        return out

    def train_only(self, epochs: int) -> None:
        for run in self.runs:
            if run.trainer.status == "ok":
                run.trainer.train(epochs=epochs)

    def record_moved(self, before: list[int]) -> list[tuple[Session, Any]]:
        """Record the runs whose step moved since `before`."""
        return [
            (run, run.record_now())
            for run, step in zip(self.runs, before, strict=True)
            if run.trainer.step != step
        ]

    def tick(self, dt: float, period: float) -> list[tuple[Session, Any]]:
        if self.epochs_per_second is None:
            epochs = self._epochs
        else:
            rate = self.epochs_per_second
            self._carry = min(self._carry + rate * dt, 2 * rate * period + 1)
            epochs = int(self._carry)
            self._carry -= epochs
            if epochs == 0:
                return []
        start = time.perf_counter()
        out = self.train_all(epochs)
        if self.epochs_per_second is None:  # aim at our share of 70 % of the frame period
            per_epoch = (time.perf_counter() - start) / epochs
            share = len(self.runs) / max(len(self.runs), self.runs[0].fullspeed_sessions())
            budget = 0.7 * period * share
            self._epochs = max(1, min(self._epochs * 2, int(budget / max(per_epoch, 1e-6))))
        return out

    # --- actions ------------------------------------------------------------------------------

    async def step(self, epochs: int) -> None:
        """Every run the same epochs, in short turns on the worker so others keep their pace."""
        self.touch()
        worker = self.runs[0].worker
        per_turn = max(1, STEP_CHUNK // max(r.trainer.steps_per_epoch for r in self.runs))
        async with self.locked():
            before = [run.trainer.step for run in self.runs]
            left = epochs
            while left > 0:
                turn = min(per_turn, left)
                await worker.run(self.train_only, turn)
                left -= turn
            out = await worker.run(self.record_moved, before)
        publish(out)

    async def reset(self) -> None:
        self.touch()
        for run in self.runs:
            await run.reset()

    async def configure(self, changes: dict[str, Any]) -> None:
        """The same change for every run; the varied field stays as each run has it."""
        self.touch()
        changes = {k: v for k, v in changes.items() if k != self.vary}
        limits.allowed_group_change(self.runs, changes)
        for run in self.runs:
            await run.configure(changes)

    async def set_value(self, index: int, value: Any) -> None:
        self.touch()
        await self.runs[index].configure({self.vary: value})
        self.values[index] = value

    def _mark(self, playing: bool) -> None:
        """Runs report "running" while their comparison plays them."""
        self.playing = playing
        for run in self.runs:
            run.playing = playing and run.trainer.status == "ok"

    def play(self) -> None:
        self._mark(True)
        if self.runner is None or self.runner.done():
            self.runner = asyncio.create_task(self._run(), name=f"group-{self.id[:8]}")

    def pause(self) -> None:
        self._mark(False)
        self.nap.wake()

    def state_message(self) -> dict[str, Any]:
        return {"type": "group", **self.public()}

    def announce(self) -> None:
        message = self.state_message()
        for viewer in self.watchers:
            viewer.offer_json(message)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.settings.frame_rate
        next_tick = last = seen = loop.time()
        self.announce()
        try:
            while self.playing and any(r.trainer.status == "ok" for r in self.runs):
                now = loop.time()
                dt, last = now - last, now
                if not self.watchers and not any(r.hub.viewers for r in self.runs):
                    if now - seen > self.settings.unwatched_play_seconds:
                        break  # nobody watches any more: stop burning the CPU
                else:
                    seen = now
                async with self.locked():
                    out = await self.runs[0].worker.run(self.tick, dt, period)
                publish(out)
                next_tick += period
                delay = next_tick - loop.time()
                if delay < 0:
                    next_tick, delay = loop.time(), 0.0
                await self.nap.sleep(delay)
        finally:
            self._mark(False)
            self.touch()
            self.announce()

    async def close(self) -> None:
        self._mark(False)
        await stop(self.runner)
        self.runner = None


def publish(out: list[tuple[Session, Any]]) -> None:
    for run, frame in out:
        run.deliver(frame)
