"""Pacing: how much a playing session trains in one tick of the frame clock.

At a set speed the session owes `rate × dt` steps each tick, the fraction carried to the next;
a late tick catches up at most two periods, since catching up more makes the next tick later
still and an overloaded server would fall off a cliff. At full speed it trains in chunks of
about 2 ms until its share of the frame's time budget is spent.

That share bounds the whole tick, not only its training: measuring the model and building the
frame afterwards (`record`) costs time too, and for the largest networks it costs as much as
the share itself (8 layers of 32 over 5,000 points: one step ~5 ms, its record 3-15 ms as the
machine is busy, against a share of ~12 ms when two sessions play at full speed). So a
full-speed tick trains for its share less what the last record cost (at least one chunk), and
what a tick spends past its share is a debt, paid back by sitting out whole ticks (no training,
no record, no frame). Sessions at full speed thus get equal time, whatever a step costs: a heavy
session gets fewer frames and epochs, and a small one beside it keeps half the thread, as it
would beside another small one.
"""

from __future__ import annotations

import time

from app.engine import Trainer

SHORT_TICK_STEPS = 100  # a tick of at most this many steps runs on the event loop itself
CHUNK_SECONDS = 0.002
BUDGET = 0.7  # share of each frame period that full-speed sessions may train for, together
DEBT_PERIODS = 4.0  # at most this many periods of overspending are remembered


class Pace:
    def __init__(self) -> None:
        self.carry = 0.0  # fractional steps owed at a set speed
        self.chunk = 1  # steps per train call at full speed, adapted to ~2 ms
        self.debt = 0.0  # seconds spent past the full-speed share, paid back by sitting out
        self.record_cost = 0.0  # seconds the last record and frame took after training
        self._budget: float | None = None  # this tick's share at full speed, else None
        self._trained = 0.0  # seconds this tick spent training

    def short(self, rate: float | None, dt: float) -> bool:
        """Whether this tick trains so little that a thread hop would cost more."""
        return rate is not None and rate * dt <= SHORT_TICK_STEPS

    def train(
        self, trainer: Trainer, rate: float | None, dt: float, period: float, share: int
    ) -> int:
        """Train one tick: `rate` steps per second, or at full speed (`rate` None) for this
        session's `share` of 70 % of the frame period. Returns the steps done."""
        self._budget = None
        if rate is None:
            budget = BUDGET * period / max(1, share)
            if self.debt >= budget:  # sit this tick out: no training, no record, no frame
                self.debt -= budget
                return 0
            self._budget = budget
            start = time.perf_counter()
            done = self._train_for(trainer, budget - self.debt - self.record_cost)
            self._trained = time.perf_counter() - start
            return done
        self.carry = min(self.carry + rate * dt, 2 * rate * period + 1.0)
        owed = int(self.carry)
        self.carry -= owed
        return trainer.train(steps=owed) if owed else 0

    def spent(self, seconds: float, period: float) -> None:
        """The whole tick took `seconds` (training, record and frame): charge the excess."""
        if self._budget is None:
            return
        self.record_cost = max(0.0, seconds - self._trained)
        self.debt = min(max(0.0, self.debt + seconds - self._budget), DEBT_PERIODS * period)
        self._budget = None

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
