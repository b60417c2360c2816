"""The training thread takes turns between callers, and a full-speed tick keeps to its share."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from app.sessions.pacing import Pace
from app.sessions.worker import Worker


async def hold(worker: Worker) -> tuple[threading.Event, asyncio.Future[Any]]:
    """Occupy the thread until the returned event is set, so that jobs pile up behind."""
    started, gate = threading.Event(), threading.Event()

    def block() -> None:
        started.set()
        gate.wait(10)

    held = asyncio.ensure_future(worker.run(block, key="holder"))
    await asyncio.to_thread(started.wait, 10)
    return gate, held


def test_many_jobs_of_one_caller_do_not_delay_another_callers_single_job() -> None:
    async def scenario() -> list[tuple[str, int]]:
        worker, order = Worker(), []
        gate, held = await hold(worker)
        heavy = [
            asyncio.ensure_future(worker.run(order.append, ("heavy", i), key="heavy"))
            for i in range(50)
        ]
        await asyncio.sleep(0)  # every heavy job is queued before the light one
        light = asyncio.ensure_future(worker.run(order.append, ("light", 0), key="light"))
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(held, light, *heavy)
        worker.close()
        return order

    order = asyncio.run(scenario())
    assert order.index(("light", 0)) <= 1  # first come, first served would make it 50
    assert [n for kind, n in order if kind == "heavy"] == list(range(50))  # each caller in order


def test_callers_take_turns_round_robin() -> None:
    async def scenario() -> list[str]:
        worker, order = Worker(), []
        gate, held = await hold(worker)
        jobs = [
            asyncio.ensure_future(worker.run(order.append, key, key=key))
            for key in ["a"] * 3 + ["b"] * 3 + ["c"]
        ]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(held, *jobs)
        worker.close()
        return order

    assert asyncio.run(scenario()) == ["a", "b", "c", "a", "b", "a", "b"]


def test_a_failing_job_raises_in_its_caller_and_the_thread_goes_on() -> None:
    async def scenario() -> int:
        worker = Worker()
        with pytest.raises(ZeroDivisionError):
            await worker.run(lambda: 1 // 0, key="x")
        result = await worker.lane("y").run(sum, [1, 2, 3])
        worker.close()
        return result + await worker.run(int, "4")  # a closed worker starts again on use

    assert asyncio.run(scenario()) == 10


def test_closing_cancels_the_jobs_still_queued() -> None:
    async def scenario() -> tuple[bool, list[int]]:
        worker, ran = Worker(), []
        gate, held = await hold(worker)
        queued = asyncio.ensure_future(worker.run(ran.append, 1, key="late"))
        await asyncio.sleep(0)
        worker.close()
        gate.set()
        await held
        await asyncio.gather(queued, return_exceptions=True)
        return queued.cancelled(), ran

    assert asyncio.run(scenario()) == (True, [])


class Instant:
    """A trainer whose train calls take a millisecond: only the pacing's arithmetic matters."""

    status = "ok"

    def train(self, steps: int = 0, epochs: int = 0) -> int:
        time.sleep(0.001)
        return steps


def test_a_tick_that_overspends_its_share_sits_out_until_the_debt_is_paid() -> None:
    pace, trainer, period = Pace(), Instant(), 1 / 30
    budget = 0.7 * period / 2  # two sessions at full speed share the thread
    assert pace.train(trainer.train, None, period, period, 2) > 0
    pace.spent(budget + 3.5 * budget, period)  # the record took far longer than the share
    sat_out = [pace.train(trainer.train, None, period, period, 2) for _ in range(3)]
    assert sat_out == [0, 0, 0]
    assert pace.train(trainer.train, None, period, period, 2) > 0
    pace.spent(budget, period)  # a whole share again, where half was allowed: half stays owed
    assert pace.debt == pytest.approx(0.5 * budget)
    assert pace.train(trainer.train, None, period, period, 2) > 0


def test_a_set_speed_is_not_charged() -> None:
    pace, trainer, period = Pace(), Instant(), 1 / 30
    assert pace.train(trainer.train, 300.0, period, period, 1) == 10
    pace.spent(1.0, period)
    assert pace.debt == 0.0 and pace.train(trainer.train, 300.0, period, period, 1) == 10
