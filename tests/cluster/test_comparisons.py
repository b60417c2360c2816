"""A comparison, like a run, through any worker: made through one, driven through a second,
watched through a third. Real redis-server and real workers."""

from __future__ import annotations

import asyncio
import signal

import httpx2

from tests.cluster.procs import Worker, owner_of
from tests.cluster.test_bus import FAST, Watcher
from tests.cluster.test_restart import saved_record

SMALL = {"config": {"n_samples": 100, "seed": 4}, "vary": "learning_rate", "values": [0.01, 0.3]}


def ws(worker: Worker, key: str) -> str:
    return f"{worker.ws_url}/api/comparisons/{key}/ws"


def test_a_comparison_is_made_driven_and_watched_through_any_worker(redis_url: str) -> None:
    workers = [Worker(redis_url, **FAST) for _ in range(3)]
    try:
        made = httpx2.post(workers[0].url + "/api/comparisons", json=SMALL)
        assert made.status_code == 201
        key, token = made.json()["id"], made.json()["token"]
        runs = [run["id"] for run in made.json()["runs"]]
        auth = {"Authorization": f"Bearer {token}"}
        owner = owner_of(redis_url, key, workers)
        assert all(owner_of(redis_url, run, workers) is owner for run in runs)
        two, three = [w for w in workers if w is not owner][:2]  # neither holds it

        # REST through a worker that does not hold it: the owner's answers, in the one shape.
        read = httpx2.get(f"{two.url}/api/comparisons/{key}")
        assert read.status_code == 200
        assert [run["id"] for run in read.json()["runs"]] == runs
        assert httpx2.get(f"{three.url}/api/sessions/{runs[0]}").status_code == 200
        wrong = httpx2.post(f"{two.url}/api/comparisons/{key}/step", json={"epochs": 1})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "unauthorized"
        missing = httpx2.get(f"{two.url}/api/comparisons/{'x' * 32}")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        stepped = httpx2.post(
            f"{two.url}/api/comparisons/{key}/step", json={"epochs": 3}, headers=auth
        )
        assert stepped.status_code == 200
        assert [run["state"]["epoch"] for run in stepped.json()["runs"]] == [3, 3]

        async def scenario() -> None:
            async with (
                Watcher(ws(owner, key)) as near,
                Watcher(ws(three, key)) as far,
                Watcher(ws(two, key)) as driver,
            ):
                seen = lambda w, epoch: {f["id"] for f in w.frames() if f["epoch"] >= epoch}  # noqa: E731
                await far.until(lambda: seen(far, 3) == set(runs), "each run's frame, far")
                hello = far.seen[0]
                assert (hello["type"], hello["id"]) == ("hello", key)
                assert [run["id"] for run in hello["runs"]] == runs

                await driver.send({"type": "play"})
                await driver.until(lambda: driver.of("error"), "the refusal of a stranger")
                assert driver.of("error")[-1]["code"] == "unauthorized"
                await driver.send({"type": "auth", "token": token})
                await driver.until(lambda: driver.of("auth"), "the driver's auth")
                assert driver.of("auth") == [{"type": "auth", "ok": True}]
                await driver.send({"type": "play"})
                await far.until(lambda: seen(far, 15) == set(runs), "playing, seen far")
                await driver.send({"type": "pause"})
                idle = lambda w: [m for m in w.of("group") if m["status"] == "idle"]  # noqa: E731
                await far.until(lambda: idle(far), "the pause, seen far")
                await near.until(lambda: idle(near), "the pause, seen near")
                count = len(far.frames())
                await asyncio.sleep(1.0)
                assert len(far.frames()) == count  # the pause holds: no frame after it
                last = {f["id"]: f["epoch"] for f in far.frames()}
                assert last == {f["id"]: f["epoch"] for f in near.frames()}
                assert len(set(last.values())) == 1  # in step, as the owner keeps them

                answers = [httpx2.get(f"{w.url}/api/comparisons/{key}") for w in workers]
                assert [a.status_code for a in answers] == [200, 200, 200]
                assert answers[0].json() == answers[1].json() == answers[2].json()
                assert answers[0].json()["status"] == "idle"
                assert [r["state"]["epoch"] for r in answers[0].json()["runs"]] == [
                    last[run] for run in runs
                ]

                await driver.send({"type": "set", "config": {"learning_rate": -1}})
                await driver.until(
                    lambda: len(driver.of("error")) > 1, "the refusal, through the second"
                )
                assert driver.of("error")[-1]["code"] == "invalid"

                gone = httpx2.delete(f"{two.url}/api/comparisons/{key}", headers=auth)
                assert gone.status_code == 204
                await far.until(lambda: far.task is not None and far.task.done(), "the close")
                assert far.of("error")[-1]["code"] == "not_found"
                assert far.socket.close_code == 4404  # ended, as for a viewer on the owner

            async with Watcher(ws(three, key)) as late:  # gone everywhere
                await late.until(lambda: late.task is not None and late.task.done(), "refused")
                assert late.of("error")[-1]["code"] == "not_found"
                assert late.of("error")[-1]["field"] == "group_id"

        asyncio.run(scenario())
        assert httpx2.get(f"{three.url}/api/comparisons/{key}").status_code == 404
    finally:
        for worker in workers:
            worker.stop()


def saved_group_epochs(url: str, key: str) -> list[int]:
    """The epoch of each run in the comparison's record in Redis (none without a record)."""
    record = saved_record(url, key) or {"runs": []}
    return [run["snapshot"]["trainer"]["counters"][1] for run in record["runs"]]


def test_a_comparison_outlives_its_owner(redis_url: str) -> None:
    workers = [Worker(redis_url, **FAST) for _ in range(2)]
    try:
        made = httpx2.post(workers[0].url + "/api/comparisons", json=SMALL).json()
        key, token, runs = made["id"], made["token"], [run["id"] for run in made["runs"]]
        owner = owner_of(redis_url, key, workers)
        (other,) = [w for w in workers if w is not owner]

        async def scenario() -> None:
            async with Watcher(ws(other, key)) as far:
                await far.send({"type": "auth", "token": token})
                await far.until(lambda: far.of("auth"), "the driver's auth")
                await far.send({"type": "play"})
                await far.until(
                    lambda: min(saved_group_epochs(redis_url, key) or [0]) >= 2, "a snapshot"
                )
                owner.stop(signal.SIGKILL)
                await far.until(lambda: len(far.of("resumed")) == 2, "each run's resumed word")
                at = far.seen.index(far.of("resumed")[0])
                resumed_at = far.of("resumed")[0]["epoch"]
                assert all(m["epoch"] == resumed_at for m in far.of("resumed"))  # in step
                after = lambda: [m for m in far.seen[at:] if m["type"] == "frame"]  # noqa: E731
                await far.until(
                    lambda: {f["id"] for f in after() if f["epoch"] > resumed_at + 3} == set(runs),
                    "each run played on by the new owner, on the same socket",
                )
                await far.send({"type": "pause"})  # still the driver, through the new owner
                idle = lambda: [m for m in far.of("group") if m["status"] == "idle"]  # noqa: E731
                await far.until(idle, "the pause")

        asyncio.run(scenario())
        assert owner_of(redis_url, key, workers) is other
        read = httpx2.get(f"{other.url}/api/comparisons/{key}")
        assert read.status_code == 200
        assert read.json()["status"] == "idle"
        assert [run["id"] for run in read.json()["runs"]] == runs
        assert [run["config"]["learning_rate"] for run in read.json()["runs"]] == [0.01, 0.3]
        assert len({run["state"]["epoch"] for run in read.json()["runs"]}) == 1
        auth = {"Authorization": f"Bearer {token}"}  # the same token drives it
        stepped = httpx2.post(
            f"{other.url}/api/comparisons/{key}/step", json={"epochs": 1}, headers=auth
        )
        assert stepped.status_code == 200
    finally:
        for worker in workers:
            worker.stop(signal.SIGKILL if worker.process.poll() is None else signal.SIGTERM)


def test_a_comparisons_viewers_elsewhere_get_its_shared_landscape_as_it_plays(
    redis_url: str,
) -> None:
    workers = [Worker(redis_url, **FAST) for _ in range(2)]
    try:
        made = httpx2.post(workers[0].url + "/api/comparisons", json=SMALL).json()
        key, token = made["id"], made["token"]
        owner = owner_of(redis_url, key, workers)
        (other,) = [w for w in workers if w is not owner]

        async def scenario() -> None:
            async with Watcher(ws(other, key)) as asker, Watcher(ws(other, key)) as quiet:
                await asker.send({"type": "landscape", "on": True, "resolution": 11})
                await asker.until(lambda: asker.of("landscape"), "the landscape at once")
                await asker.send({"type": "auth", "token": token})
                await asker.send({"type": "play"})
                await asker.until(lambda: len(asker.of("landscape")) >= 3, "landscapes, playing")
                await asker.send({"type": "pause"})
                idle = lambda: [m for m in asker.of("group") if m["status"] == "idle"]  # noqa: E731
                await asker.until(idle, "the pause")
                ends = [
                    max(point["epoch"] for point in path["points"])
                    for path in asker.of("landscape")[-1]["paths"]
                ]
                firsts = [len(path["points"]) for path in asker.of("landscape")[0]["paths"]]
                lasts = [len(path["points"]) for path in asker.of("landscape")[-1]["paths"]]
                assert len(ends) == len(SMALL["values"])  # one path per run, on one plane
                assert all(last > first for first, last in zip(firsts, lasts, strict=True))
                assert quiet.of("landscape") == []

        asyncio.run(scenario())
    finally:
        for worker in workers:
            worker.stop()
