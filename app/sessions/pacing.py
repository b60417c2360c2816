"""Pacing: how much a playing session trains in one tick of the frame clock.

At a set speed the session owes `rate × dt` steps each tick, the fraction carried to the next;
a late tick catches up at most two periods, since catching up more makes the next tick later
still and an overloaded server would fall off a cliff. At full speed it trains in chunks of
about 2 ms until its share of the frame's time budget is spent.
"""

from __future__ import annotations

import time

from app.engine import Trainer

SHORT_TICK_STEPS = 100  # a tick of at most this many steps runs on the event loop itself
CHUNK_SECONDS = 0.002


class Pace:
    def __init__(self) -> None:
        self.carry = 0.0  # fractional steps owed at a set speed
        self.chunk = 1  # steps per train call at full speed, adapted to ~2 ms

    def short(self, rate: float | None, dt: float) -> bool:
        """Whether this tick trains so little that a thread hop would cost more."""
        return rate is not None and rate * dt <= SHORT_TICK_STEPS

    def train(
        self, trainer: Trainer, rate: float | None, dt: float, period: float, share: int
    ) -> int:
        """Train one tick: `rate` steps per second, or at full speed (`rate` None) for this
        session's `share` of 70 % of the frame period. Returns the steps done."""
        if rate is None:
            return self._train_for(trainer, 0.7 * period / max(1, share))
        self.carry = min(self.carry + rate * dt, 2 * rate * period + 1.0)
        owed = int(self.carry)
        self.carry -= owed
        return trainer.train(steps=owed) if owed else 0

    def _train_for(self, trainer: Trainer, seconds: float) -> int:
        deadline = time.perf_counter() + seconds
        done = 0
        while True:
            start = time.perf_counter()
            n = trainer.train(steps=self.chunk)
            done += n
            elapsed = time.perf_counter() - start
            if n < self.chunk or trainer.status == "diverged":
                return done
            target = max(1, int(self.chunk * CHUNK_SECONDS / max(elapsed, 1e-6)))
            self.chunk = min(target, self.chunk * 2)
            if time.perf_counter() + elapsed > deadline:
                return done
