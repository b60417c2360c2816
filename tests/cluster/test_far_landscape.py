"""The loss landscape for viewers on a worker that does not own the run: made once on the owner,
published once per landscape whoever asks, sent only to the viewers that asked, at the feed's
pace and once more on stop; and what the presenter shows reaches them too. Real processes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

import httpx2
from redis import asyncio as aioredis

from app.cluster.bus import unpack
from app.cluster.fanout import channel
from tests.cluster.procs import Worker, owner_of
from tests.cluster.test_bus import FAST, Watcher, ws
from tests.cluster.test_restart import saved_epoch

ASK = {"type": "landscape", "on": True, "resolution": 11}


def owner_and_other(redis_url: str, key: str, workers: list[Worker]) -> tuple[Worker, Worker]:
    owner = owner_of(redis_url, key, workers)
    return owner, next(w for w in workers if w is not owner)


def last_epoch(landscape: dict[str, Any]) -> int:
    epoch: int = landscape["paths"][0]["points"][-1]["epoch"]
    return epoch


class Channel:
    """The landscape messages published on a run's channel, counted as Redis carries them."""

    def __init__(self, redis_url: str, key: str) -> None:
        self.redis = aioredis.Redis.from_url(redis_url)
        self.key, self.landscapes = key, 0
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Channel:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(channel(self.key))
        self.task = asyncio.create_task(self._count(pubsub))
        return self

    async def _count(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message["type"] == "message" and unpack(message["data"])[0]["t"] == "landscape":
                self.landscapes += 1

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.redis.aclose()


def test_far_viewers_that_ask_get_the_landscape_once_over_redis_and_the_rest_get_none(
    redis_url: str,
) -> None:
    workers = [Worker(redis_url, **FAST), Worker(redis_url, **FAST)]
    try:
        made = httpx2.post(workers[0].url + "/api/sessions", json={"n_samples": 100, "seed": 2})
        assert made.status_code == 201
        key, token = made.json()["id"], made.json()["token"]
        owner, far = owner_and_other(redis_url, key, workers)
        rest = f"{owner.url}/api/sessions/{key}/landscape?resolution=11"

        async def scenario() -> None:
            async with (
                Channel(redis_url, key) as bus,
                Watcher(ws(far, key)) as asker,
                Watcher(ws(far, key)) as second,
                Watcher(ws(far, key)) as quiet,
                Watcher(ws(far, key)) as driver,
            ):
                await asker.send({**ASK, "resolution": 12})  # refused as on the owner
                await asker.until(lambda: asker.of("error"), "the refusal")
                assert asker.of("error")[0]["field"] == "resolution"
                await asker.send(ASK)
                await second.send(ASK)
                await asker.until(lambda: asker.of("landscape"), "the landscape at once")
                await second.until(lambda: second.of("landscape"), "the landscape at once")
                assert asker.of("landscape")[0]["resolution"] == 11

                await driver.send({"type": "auth", "token": token})
                await driver.send({"type": "play"})
                await asker.until(lambda: len(asker.of("landscape")) >= 4, "landscapes, playing")
                await driver.send({"type": "pause"})
                idle = lambda w: [m for m in w.of("state") if m["state"]["status"] == "idle"]  # noqa: E731
                await asker.until(lambda: idle(asker), "the pause")
                stopped = httpx2.get(rest).json()  # the landscape of the paused run
                for viewer in (asker, second):
                    await viewer.until(
                        lambda v=viewer: v.of("landscape")[-1] == {"type": "landscape", **stopped},
                        "the landscape once more on stop",
                    )
                epochs = [last_epoch(m) for m in asker.of("landscape")]
                assert epochs == sorted(epochs) and epochs[-1] > epochs[0]  # the path grows
                assert epochs[-1] == idle(asker)[-1]["state"]["epoch"]
                assert quiet.of("landscape") == []
                # made once on the owner, published once for both askers, not once per viewer
                assert 0 < bus.landscapes < len(asker.of("landscape")) + len(second.of("landscape"))

                await driver.send({"type": "show", "comparison": "lesson3"})
                for viewer in (asker, quiet):
                    await viewer.until(lambda v=viewer: v.of("showing"), "what the driver shows")
                    assert viewer.of("showing")[-1] == {"type": "showing", "comparison": "lesson3"}

                await asker.send({"type": "landscape", "on": False})
                await asyncio.sleep(0.2)
                await second.socket.close()  # gone without saying "off": its worker says it
                await asyncio.sleep(1.5)  # the owner reads who asks twice a second
                published, got = bus.landscapes, len(asker.of("landscape"))
                await driver.send({"type": "play"})
                await quiet.until(
                    lambda: quiet.frames()[-1]["epoch"] >= epochs[-1] + 30, "playing on"
                )
                await driver.send({"type": "pause"})
                await quiet.until(lambda: len(idle(quiet)) >= 2, "the second pause")
                await asyncio.sleep(0.5)
                assert len(asker.of("landscape")) == got
                assert bus.landscapes == published  # nobody asks: the owner's feed sends none

        asyncio.run(scenario())
    finally:
        for worker in workers:
            worker.stop()


def test_the_new_owner_sends_the_landscape_to_far_viewers_that_asked_before_a_takeover(
    redis_url: str,
) -> None:
    workers = [Worker(redis_url, **FAST), Worker(redis_url, **FAST)]
    try:
        made = httpx2.post(workers[0].url + "/api/sessions", json={"n_samples": 100}).json()
        key, token = made["id"], made["token"]
        owner, far = owner_and_other(redis_url, key, workers)

        async def scenario() -> None:
            async with Watcher(ws(far, key)) as asker, Watcher(ws(far, key)) as quiet:
                await asker.send(ASK)
                await asker.send({"type": "auth", "token": token})
                await asker.send({"type": "play"})
                await asker.until(lambda: len(asker.of("landscape")) >= 2, "landscapes")
                await asker.until(lambda: (saved_epoch(redis_url, key) or 0) >= 2, "a snapshot")
                owner.stop(signal.SIGKILL)
                await asker.until(lambda: asker.of("resumed"), "the word of the takeover")
                at = asker.seen.index(asker.of("resumed")[0])
                after = lambda: [m for m in asker.seen[at:] if m["type"] == "landscape"]  # noqa: E731
                await asker.until(lambda: len(after()) >= 2, "landscapes from the new owner")
                epochs = [last_epoch(m) for m in after()]
                assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
                assert quiet.of("landscape") == []

        asyncio.run(scenario())
    finally:
        for worker in workers:
            worker.stop(signal.SIGKILL)
