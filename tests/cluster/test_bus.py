"""Any worker serves any request: made through one worker, driven through a second, watched
through a third, a run is the same run, frame for frame. Real redis-server and real workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections import Counter
from typing import Any

import httpx2
import redis
import websockets

from app.cluster.ledger import lease_key
from app.sessions.wire import Reader
from tests.cluster.procs import Worker, free_port, needs_redis, redis_server, wait_until
from tests.cluster.test_restart import saved_epoch

FAST = {"lease_seconds": "1", "snapshot_seconds": "0.5"}


class Watcher:
    """A socket's messages as they come, in order: JSON as dicts, frames as their headers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[dict[str, Any]] = []
        self.reader = Reader()
        self.socket: Any = None
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Watcher:
        self.socket = await websockets.connect(self.url, max_size=2**22)
        self.task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        await self.socket.close()

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._take()

    async def _take(self) -> None:
        async for message in self.socket:
            if isinstance(message, bytes):
                self.seen.append(self.reader.read(message)[0])
            else:
                self.seen.append(json.loads(message))

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    def frames(self) -> list[dict[str, Any]]:
        return [m for m in self.seen if m["type"] == "frame"]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.seen if m["type"] == kind]

    async def until(self, ready: Any, what: str, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
            await asyncio.sleep(0.02)


def ws(worker: Worker, key: str) -> str:
    return f"{worker.ws_url}/api/sessions/{key}/ws"


def test_made_on_one_worker_driven_on_a_second_watched_on_a_third(redis_url: str) -> None:
    one, two, three = (Worker(redis_url, **FAST) for _ in range(3))
    try:
        made = httpx2.post(one.url + "/api/sessions", json={"n_samples": 100, "seed": 3})
        assert made.status_code == 201
        key, token = made.json()["id"], made.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        # REST through the second: the owner's answers, errors in the one shape.
        read = httpx2.get(f"{two.url}/api/sessions/{key}")
        assert read.status_code == 200
        assert read.json()["id"] == key
        wrong = httpx2.post(f"{two.url}/api/sessions/{key}/step", json={"epochs": 1})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "unauthorized"
        bad = httpx2.post(f"{two.url}/api/sessions/{key}/step", json={"epochs": 0}, headers=auth)
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "epochs"
        missing = httpx2.get(f"{two.url}/api/sessions/{'x' * 32}")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        code = httpx2.get(f"{two.url}/api/sessions/{key}/share").json()["code"]
        follow = lambda: httpx2.get(f"{three.url}/w/{code}", follow_redirects=False)  # noqa: E731
        wait_until(lambda: follow().status_code == 307, "the watch code, through the third")
        assert follow().headers["location"] == f"/watch/{key}"
        assert httpx2.get(f"{three.url}/watch/{key}").status_code == 200
        assert httpx2.get(f"{three.url}/w/NOSUCH22", follow_redirects=False).status_code == 404

        async def scenario() -> None:
            async with (
                Watcher(ws(one, key)) as near,
                Watcher(ws(three, key)) as far,
                Watcher(ws(two, key)) as driver,
            ):
                await far.until(lambda: far.frames(), "the first frame, through the third")
                hello = far.of("hello")[0]
                assert (hello["id"], hello["driver"]) == (key, False)
                assert far.seen[0]["type"] == "hello"

                stepped = httpx2.post(
                    f"{two.url}/api/sessions/{key}/step", json={"epochs": 3}, headers=auth
                )
                assert stepped.status_code == 200
                assert stepped.json()["epoch"] == 3
                await far.until(lambda: far.frames()[-1]["epoch"] == 3, "the step's frame")

                changed = httpx2.patch(
                    f"{two.url}/api/sessions/{key}", json={"learning_rate": 0.05}, headers=auth
                )
                assert changed.status_code == 200
                await far.until(lambda: far.of("config"), "the config message")
                assert far.of("config")[-1]["config"]["learning_rate"] == 0.05

                await driver.send({"type": "auth", "token": token})
                await driver.until(lambda: driver.of("auth"), "the driver's auth")
                assert driver.of("auth") == [{"type": "auth", "ok": True}]
                await driver.send({"type": "play"})
                await far.until(lambda: far.frames()[-1]["epoch"] >= 20, "playing, seen far")
                await driver.send({"type": "pause"})
                idle = lambda w: [m for m in w.of("state") if m["state"]["status"] == "idle"]  # noqa: E731
                await far.until(lambda: idle(far), "the pause, seen far")
                await near.until(lambda: idle(near), "the pause, seen near")
                paused_at = idle(far)[-1]["state"]["epoch"]
                assert paused_at == idle(near)[-1]["state"]["epoch"]
                count = len(far.frames())
                await asyncio.sleep(1.0)
                assert len(far.frames()) == count  # the pause holds: no frame after it
                assert far.frames()[-1]["epoch"] == paused_at

                # The same frames, in order: every frame seen far is the owner's, as seen near.
                seqs = [f["seq"] for f in far.frames()]
                assert seqs == sorted(set(seqs))
                near_by_seq = {f["seq"]: f for f in near.frames()}
                common = [f for f in far.frames() if f["seq"] in near_by_seq]
                assert len(common) >= len(seqs) // 2
                for frame in common:
                    other = near_by_seq[frame["seq"]]
                    assert (frame["epoch"], frame["step"]) == (other["epoch"], other["step"])
                assert far.frames()[-1] == near.frames()[-1]

                await driver.send({"type": "set", "config": {"learning_rate": -1}})
                await driver.until(lambda: driver.of("error"), "the refusal, through the second")
                refusal = driver.of("error")[-1]
                assert (refusal["code"], refusal["field"]) == ("invalid", "config.learning_rate")

                gone = httpx2.delete(f"{two.url}/api/sessions/{key}", headers=auth)
                assert gone.status_code == 204
                await far.until(lambda: far.task is not None and far.task.done(), "the close")
                assert far.of("error")[-1]["code"] == "not_found"
                assert far.socket.close_code == 4404  # ended, as for a viewer on the owner

        asyncio.run(scenario())
    finally:
        for worker in (one, two, three):
            worker.stop()


def test_viewers_on_another_worker_keep_watching_through_a_takeover(redis_url: str) -> None:
    one, two = Worker(redis_url, **FAST), Worker(redis_url, **FAST)
    try:
        made = httpx2.post(one.url + "/api/sessions", json={"n_samples": 100}).json()
        key, token = made["id"], made["token"]

        async def scenario() -> None:
            async with Watcher(ws(two, key)) as far:
                await far.send({"type": "auth", "token": token})
                await far.send({"type": "play"})
                await far.until(lambda: far.of("state"), "playing")
                await far.until(lambda: (saved_epoch(redis_url, key) or 0) >= 2, "a snapshot")
                one.stop(signal.SIGKILL)
                await far.until(lambda: far.of("resumed"), "the word of the takeover")
                resumed = far.of("resumed")[0]
                at = far.seen.index(resumed)
                before = [m for m in far.seen[:at] if m["type"] == "frame"]
                assert resumed["epoch"] <= before[-1]["epoch"]  # back to the last snapshot
                await far.until(
                    lambda: (
                        [m for m in far.seen[at:] if m["type"] == "frame"]
                        and far.frames()[-1]["epoch"] > resumed["epoch"] + 3
                    ),
                    "frames from the new owner, on the same socket",
                )
                after = [m for m in far.seen[at:] if m["type"] == "frame"]
                assert after[0]["epoch"] >= resumed["epoch"]
                epochs = [f["epoch"] for f in after]
                assert epochs == sorted(epochs)  # never backwards after the word

        asyncio.run(scenario())
        wait_until(lambda: httpx2.get(f"{two.url}/api/sessions/{key}").status_code == 200, "read")
    finally:
        one.stop(signal.SIGKILL)
        two.stop()


def test_new_runs_are_placed_on_the_least_loaded_workers(redis_url: str) -> None:
    workers = [Worker(redis_url, **FAST) for _ in range(3)]
    try:
        keys = []
        for _ in range(10):
            made = httpx2.post(workers[0].url + "/api/sessions", json={"n_samples": 50})
            assert made.status_code == 201
            keys.append(made.json()["id"])
        client = redis.Redis.from_url(redis_url)
        try:
            owners = Counter(client.get(lease_key(key)) for key in keys)
        finally:
            client.close()
        assert None not in owners
        assert sorted(owners.values()) == [3, 3, 4]  # spread, not piled on the one asked
        for key in keys:  # and each is served through the worker that was asked
            assert httpx2.get(f"{workers[0].url}/api/sessions/{key}").status_code == 200
    finally:
        for worker in workers:
            worker.stop()


@needs_redis
def test_the_bus_carries_on_after_redis_restarts() -> None:
    port = free_port()
    with redis_server(port) as url:
        one, two = Worker(url, **FAST), Worker(url, **FAST)
        made = httpx2.post(one.url + "/api/sessions", json={"n_samples": 50}).json()
        key, auth = made["id"], {"Authorization": f"Bearer {made['token']}"}
        assert httpx2.get(f"{two.url}/api/sessions/{key}").status_code == 200
    try:
        with redis_server(port) as again:  # the same address, nothing kept
            wait_until(lambda: saved_epoch(again, key) == 0, "the run written again", 15)
            wait_until(
                lambda: httpx2.get(f"{two.url}/api/sessions/{key}").status_code == 200,
                "a call passed on again",
            )

            async def scenario() -> None:
                async with Watcher(ws(two, key)) as far:
                    await far.until(lambda: far.frames(), "the first frame")
                    stepped = httpx2.post(
                        f"{two.url}/api/sessions/{key}/step", json={"epochs": 2}, headers=auth
                    )
                    assert stepped.status_code == 200
                    await far.until(lambda: far.frames()[-1]["epoch"] == 2, "the step's frame")

            asyncio.run(scenario())
    finally:
        one.stop()
        two.stop()
