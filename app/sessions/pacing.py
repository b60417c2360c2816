"""Pacing: how much a playing run trains in one tick of the frame clock.

One pacing for sessions and comparisons. It counts in units — a session's steps, or a
comparison's whole epochs (every run the same, to stay in step) — and trains through the
`train(units) -> units done` it is given. At a set speed the run owes `rate × dt` units each
tick, the fraction carried to the next; a late tick catches up at most two periods, since
catching up more makes the next tick later still and an overloaded server would fall off a
cliff. At full speed a run has its share of 70 % of the frame period (a comparison one share per
run it plays), spent in one of two ways.

A session trains in chunks of about 2 ms until its share is spent. That share bounds the whole
tick, not only its training: measuring the model and building the frame afterwards (`record`)
costs time too, and for the largest networks it costs as much as the share itself (8 layers of
32 over 5,000 points: one step ~5 ms, its record 3-15 ms as the machine is busy, against a share
of ~12 ms when two sessions play at full speed). So a full-speed tick trains for its share less
what the last record cost (at least one chunk), and what a tick spends past its share is a
debt, paid back by sitting out whole ticks (no training, no record, no frame). Sessions at full
speed thus get equal time, whatever a step costs: a heavy session gets fewer frames and epochs,
and a small one beside it keeps half the thread, as it would beside another small one.

A comparison (`whole`) trains its units in one call per tick, so that its runs move together:
as many as its share held last tick, counting the record, growing at most twofold a tick.

The time-lapse is a set speed that rises with the run's epoch, not with wall time — so a pause,
a rewind, a branch or an import finds the pace where that epoch had it: 25 epochs per second for
the first 100 epochs (4 s of chaos the eye can follow), then 25·(E/100)^0.9, which reaches ~2,000
epochs per second (full speed for the default spiral) near 30 s. Its ticks are `capped`: they
train what the rate owes, but never past the full-speed share, so where the curve passes what
full speed can do, the time-lapse is full speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Train = Callable[[int], int]  # train this many units; returns how many were done

SHORT_TICK_STEPS = 100  # a tick of at most this many steps runs on the event loop itself
CHUNK_SECONDS = 0.002
BUDGET = 0.7  # share of each frame period that full-speed sessions may train for, together
DEBT_PERIODS = 4.0  # at most this many periods of overspending are remembered
TIMELAPSE_START = 25.0  # epochs per second at the start of a time-lapse
TIMELAPSE_KNEE = 100.0  # epochs played at the start rate, before it rises
TIMELAPSE_POWER = 0.9  # past the knee the rate grows as (epoch / knee) to this power


def timelapse_rate(epoch: float) -> float:
    """Epochs per second of the time-lapse at `epoch` (before any full-speed cap)."""
    return TIMELAPSE_START * float(max(1.0, epoch / TIMELAPSE_KNEE) ** TIMELAPSE_POWER)


class Pace:
    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock  # seconds; tests simulate it
        self.carry = 0.0  # fractional units owed at a set speed
        self.chunk = 1  # units per train call at full speed, adapted to ~2 ms
        self.debt = 0.0  # seconds spent past the full-speed share, paid back by sitting out
        self.record_cost = 0.0  # seconds the last record and frame took after training
        self._budget: float | None = None  # this tick's share at full speed, else None
        self._trained = 0.0  # seconds this tick spent training
        self._whole: tuple[float, int] | None = None  # a whole tick's share and units, if so

    def short(self, rate: float | None, dt: float) -> bool:
        """Whether this tick trains so little that a thread hop would cost more."""
        return rate is not None and rate * dt <= SHORT_TICK_STEPS

    def train(
        self,
        train: Train,
        rate: float | None,
        dt: float,
        period: float,
        share: float,
        whole: bool = False,
        capped: bool = False,
    ) -> int:
        """Train one tick: `rate` units per second, or at full speed (`rate` None) for
        1/`share` of 70 % of the frame period; `whole`: in one call; `capped`: at `rate`, but
        never past the full-speed share. Returns the units done."""
        self._budget = self._whole = None
        budget = BUDGET * period / max(1.0, share)
        if rate is None:
            return self._full(train, budget, None, whole)
        self.carry = min(self.carry + rate * dt, 2 * rate * period + 1.0)
        owed = int(self.carry)
        self.carry -= owed
        if not owed:
            return 0
        if not capped:
            return train(owed)
        done = self._full(train, budget, owed, whole)
        self.carry += owed - done  # still owed after sitting out, up to two periods (above)
        return done

    def _full(self, train: Train, budget: float, limit: int | None, whole: bool) -> int:
        """Train for the full-speed `budget`, and (with `limit`) at most that many units."""
        if whole:
            units = self.chunk if limit is None else min(limit, self.chunk)
            self._whole = (budget, units)
            return train(units)
        if self.debt >= budget:  # sit this tick out: no training, no record, no frame
            self.debt -= budget
            return 0
        self._budget = budget
        start = self.clock()
        done = self._train_for(train, budget - self.debt - self.record_cost, limit)
        self._trained = self.clock() - start
        return done

    def spent(self, seconds: float, period: float) -> None:
        """The whole tick took `seconds` (training, record and frame): charge the excess, or
        size the next whole tick."""
        if self._whole is not None:
            budget, units = self._whole
            per_unit = seconds / units
            self.chunk = max(1, min(units * 2, int(budget / max(per_unit, 1e-6))))
            self._whole = None
        if self._budget is None:
            return
        self.record_cost = max(0.0, seconds - self._trained)
        self.debt = min(max(0.0, self.debt + seconds - self._budget), DEBT_PERIODS * period)
        self._budget = None

    def _train_for(self, train: Train, seconds: float, limit: int | None) -> int:
        deadline = self.clock() + seconds
        done = 0
        while True:
            ask = self.chunk if limit is None else min(self.chunk, limit - done)
            start = self.clock()
            n = train(ask)
            done += n
            elapsed = self.clock() - start
            if n < ask or done == limit:  # it blew up, has nothing left, or owes no more
                return done
            target = max(1, int(ask * CHUNK_SECONDS / max(elapsed, 1e-6)))
            self.chunk = min(target, self.chunk * 2)
            if self.clock() + elapsed > deadline:
                return done
