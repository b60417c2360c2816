"""The one runner drives anything that can tick, and the in-memory seams behave as the registry
needs: the clock, its lateness and its stops are tested here on a stand-in run, without a model.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import AbstractAsyncContextManager

from app.config import Settings
from app.sessions.hub import Hub, Viewer
from app.sessions.local import CODE_ALPHABET, LocalCount, LocalLocks, LocalRunners, LocalStore
from app.sessions.pacing import Pace
from app.sessions.runner import Player
from app.sessions.worker import Worker
from tests.api.test_memory import Idle


class Ticker:
    """A run that counts its ticks; `slow` makes each tick sleep longer than a frame."""

    def __init__(self, ticks_left: int = 1_000_000, slow: float = 0.0) -> None:
        self.lane = Worker().lane("ticker")
        self.lock = asyncio.Lock()
        self.ticks_left, self.slow = ticks_left, slow
        self.ticks: list[int] = []
        self.published: list[int] = []
        self.said: list[str] = []
        self.seen = True
        self.threads: set[str] = set()

    def locked(self) -> AbstractAsyncContextManager[None]:
        return self.lock

    def inline(self, dt: float) -> bool:
        return False

    def tick(self, dt: float, period: float) -> int:
        assert self.lock.locked()  # the runner holds the run's lock around every tick
        self.threads.add(threading.current_thread().name)
        if self.slow:
            threading.Event().wait(self.slow)
        self.ticks.append(len(self.ticks))
        self.ticks_left -= 1
        return self.ticks[-1]

    def publish(self, out: int) -> None:
        self.published.append(out)

    def watched(self) -> bool:
        return self.seen

    def playable(self) -> bool:
        return self.ticks_left > 0

    def announce(self) -> None:
        self.said.append("state")

    def halted(self) -> None:
        self.said.append("halted")


async def until_stopped(player: Player) -> None:
    while player.running():
        await asyncio.sleep(0.01)


def test_the_runner_ticks_in_the_worker_until_the_run_cannot_go_on() -> None:
    async def scenario() -> None:
        ticker, runners = Ticker(ticks_left=3), LocalRunners()
        player = Player("t", "runner-t", Settings(frame_rate=1000.0), runners)
        player.play(ticker)
        assert player.playing and player.running()
        await asyncio.wait_for(until_stopped(player), 10)
        assert ticker.ticks == [0, 1, 2] and ticker.published == [0, 1, 2]
        assert ticker.threads == {"stepwise-train"}
        assert ticker.said == ["state", "halted", "state"]  # told when it starts and stops
        assert not player.playing
        ticker.lane.worker.close()

    asyncio.run(scenario())


def test_a_pause_wakes_the_runner_from_its_sleep() -> None:
    async def scenario() -> None:
        ticker = Ticker()
        player = Player("t", "runner-t", Settings(frame_rate=0.01), LocalRunners())
        player.play(ticker)
        while not ticker.ticks:
            await asyncio.sleep(0.01)
        player.pause()  # the next tick is 100 s off: only the wake ends the sleep
        await asyncio.wait_for(until_stopped(player), 10)
        assert ticker.ticks == [0] and ticker.said == ["state", "halted", "state"]
        ticker.lane.worker.close()

    asyncio.run(scenario())


def test_an_unwatched_run_stops_and_a_late_tick_is_counted() -> None:
    async def scenario() -> None:
        ticker = Ticker(slow=0.05)  # each tick takes longer than the 10 ms frame
        ticker.seen = False
        settings = Settings(frame_rate=100.0, unwatched_play_seconds=0.2)
        player = Player("t", "runner-t", settings, LocalRunners())
        player.play(ticker)
        await asyncio.wait_for(until_stopped(player), 10)
        assert not player.playing and ticker.said[-2:] == ["halted", "state"]
        assert len(ticker.ticks) > 0 and player.late_ticks == len(ticker.ticks)
        ticker.lane.worker.close()

    asyncio.run(scenario())


def test_one_runner_per_run_however_often_it_is_played() -> None:
    async def scenario() -> None:
        ticker, runners = Ticker(), LocalRunners()
        player = Player("t", "runner-t", Settings(frame_rate=50.0), runners)
        player.play(ticker)
        player.play(ticker)
        tasks = [t for t in asyncio.all_tasks() if t.get_name() == "runner-t"]
        assert len(tasks) == 1 and runners.owns("t")
        await player.stop()
        assert not player.running() and not player.playing
        ticker.lane.worker.close()

    asyncio.run(scenario())


def test_a_whole_tick_trains_in_one_call_and_doubles_at_most() -> None:
    pace, calls, period = Pace(), [], 1 / 30
    for _ in range(3):
        done = pace.train(lambda n: calls.append(n) or n, None, period, period, 1.0, whole=True)
        assert done == calls[-1]
        pace.spent(0.0001 * calls[-1], period)  # far inside the share: it may double
    assert calls == [1, 2, 4]
    pace.train(lambda n: calls.append(n) or n, None, period, period, 1.0, whole=True)
    assert calls[-1] == 8
    pace.spent(period, period)  # a whole period for 8 units: 70 % of it holds 5.6
    assert pace.chunk == 5


class Expiring:
    def __init__(self, key: str, expires_at: float) -> None:
        self.id, self.at = key, expires_at

    def expires(self, now: float) -> bool:
        return now >= self.at


def test_the_store_holds_ids_codes_and_expiry() -> None:
    store: LocalStore[Expiring] = LocalStore()
    first, second = Expiring(store.new_id(), 10.0), Expiring(store.new_id(), 20.0)
    store.put(first)
    store.put(second)
    assert first.id != second.id and len(first.id) == 32 and len(store) == 2
    code = store.share(first.id)
    assert store.share(first.id) == code and len(code) == 8
    assert set(code) <= set(CODE_ALPHABET)
    assert store.by_code(code.lower()) is first
    assert store.expired(15.0) == [first.id] and store.expired(5.0) == []
    assert store.pop(first.id) is first
    assert store.by_code(code) is None and store.get(first.id) is None
    assert store.values() == [second] and store.pop("nobody") is None


def test_a_run_has_one_lock_and_its_hub_counts_its_viewers() -> None:
    async def scenario() -> None:
        locks = LocalLocks()
        lock = locks.lock("a")
        assert locks.lock("a") is lock and locks.lock("b") is not lock
        hub = Hub()
        count = LocalCount(hub)
        viewer = Viewer(Idle())
        hub.add(viewer)
        assert count.count() == 1
        hub.remove(viewer)
        assert count.count() == 0

    asyncio.run(scenario())
