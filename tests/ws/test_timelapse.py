"""The time-lapse pace, on a simulated clock: slow for the first 100 epochs, then rising with the
epoch until the full-speed share caps it. No wall clock is read or asserted."""

from __future__ import annotations

import itertools

import pytest

from app.sessions.pacing import BUDGET, Pace, timelapse_rate

PERIOD = 1 / 30
STEPS_PER_EPOCH = 40  # the default spiral: 400 training points in batches of 10
STEP_COST = 8e-6  # simulated seconds a step takes: ~2,000 epochs per second at full speed
RECORD_COST = 0.002  # simulated seconds the record and frame take after training


class Run:
    """A run on a simulated clock: every step it trains advances the clock by STEP_COST."""

    def __init__(self, record_cost: float = RECORD_COST) -> None:
        self.record_cost = record_cost
        self.now = 0.0
        self.steps = 0
        self.longest = 0.0  # the longest training of one tick

    def clock(self) -> float:
        return self.now

    def train(self, steps: int) -> int:
        self.now += steps * STEP_COST
        self.steps += steps
        return steps

    @property
    def epoch(self) -> int:
        return self.steps // STEPS_PER_EPOCH

    def tick(self, pace: Pace, timelapse: bool) -> None:
        start = self.now
        rate = timelapse_rate(self.epoch) * STEPS_PER_EPOCH if timelapse else None
        if pace.train(self.train, rate, PERIOD, PERIOD, 1, capped=timelapse):
            self.longest = max(self.longest, self.now - start)
            self.now += self.record_cost
        pace.spent(self.now - start, PERIOD)


def play(seconds: float, timelapse: bool = True, record_cost: float = RECORD_COST) -> list[int]:
    """The epoch reached at the end of each simulated second of play."""
    run = Run(record_cost)
    pace = Pace(clock=run.clock)
    ticks = round(1 / PERIOD)
    epochs = []
    for _ in range(round(seconds)):
        for _ in range(ticks):
            run.tick(pace, timelapse)
        epochs.append(run.epoch)
    return epochs


def test_the_first_hundred_epochs_take_three_to_five_seconds() -> None:
    epochs = play(6)
    assert epochs[2] < 100 <= epochs[4]  # not yet at 3 s, past it by 5 s
    assert epochs[3] == pytest.approx(100, abs=4)  # 25 epochs per second: 100 at 4 s


def test_ticks_sat_out_to_pay_a_slow_record_keep_what_they_owe() -> None:
    # each frame's record costs more than the whole share: every few ticks are sat out
    epochs = play(4, record_cost=1.2 * BUDGET * PERIOD)
    assert epochs[3] == pytest.approx(100, abs=4)


def test_the_rate_rises_with_the_epoch_until_full_speed() -> None:
    timelapse, full = play(60), play(60, timelapse=False)
    per_second = [b - a for a, b in itertools.pairwise([0, *timelapse])]
    assert all(b >= 0.99 * a for a, b in itertools.pairwise(per_second))  # never slows
    assert per_second[10] > 2 * per_second[4]
    full_rate = full[-1] - full[-2]
    assert per_second[20] < 0.5 * full_rate  # still rising at 20 s
    assert per_second[30] == pytest.approx(full_rate, rel=0.02)  # at full speed by ~30 s
    assert max(per_second) <= 1.01 * max(b - a for a, b in itertools.pairwise(full))


def test_a_capped_tick_never_trains_past_the_full_speed_share() -> None:
    run = Run()
    pace = Pace(clock=run.clock)
    run.steps = 200_000 * STEPS_PER_EPOCH  # far along: the curve asks more than full speed can do
    assert timelapse_rate(run.epoch) * STEPS_PER_EPOCH * STEP_COST > BUDGET
    for _ in range(90):
        run.tick(pace, timelapse=True)
    assert 0 < run.longest <= BUDGET * PERIOD
    rate = timelapse_rate(run.epoch) * STEPS_PER_EPOCH
    assert pace.carry <= 2 * rate * PERIOD + 1  # what the cap held back is owed two periods at most


def test_the_rate_follows_the_epoch_not_the_clock() -> None:
    assert timelapse_rate(0) == timelapse_rate(100) == 25
    assert timelapse_rate(1_000) == pytest.approx(25 * 10**0.9)
    run = Run()
    pace = Pace(clock=run.clock)
    for _ in range(30):
        run.tick(pace, timelapse=True)
    first = run.steps
    run.now += 600.0  # paused for ten minutes: the pace resumes where the epoch had it
    for _ in range(30):
        run.tick(pace, timelapse=True)
    assert run.steps - first == pytest.approx(first, abs=2)


def test_a_comparison_in_time_lapse_trains_whole_epochs_under_the_cap() -> None:
    pace, epochs, calls = Pace(), [0], []

    def train(units: int) -> int:
        calls.append(units)
        epochs[0] += units
        return units

    for _ in range(30 * 4):
        if pace.train(train, timelapse_rate(epochs[0]), PERIOD, PERIOD, 2, whole=True, capped=True):
            pace.spent(units_cost := calls[-1] * 0.001, PERIOD)
            assert units_cost <= 2 * BUDGET * PERIOD  # the chunk grows from what fitted
    assert epochs[0] == pytest.approx(100, abs=4)
    assert max(calls) == 1  # 25 epochs per second: at most one a tick at first
