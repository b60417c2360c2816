"""The cluster's limits hold as a whole: a worker at its own limit hands a new run to one that
has room, and the cluster refuses only when every worker is full. Real redis-server and workers.
"""

from __future__ import annotations

import httpx2
import redis

from app.cluster.ledger import lease_key
from tests.cluster.procs import Worker

LIMITS = (1, 3)  # STEPWISE_MAX_SESSIONS of the two workers: 4 runs in the whole cluster


def create(worker: Worker) -> httpx2.Response:
    return httpx2.post(worker.url + "/api/sessions", json={"n_samples": 50}, timeout=10)


def test_new_runs_go_where_there_is_room_until_every_worker_is_full(redis_url: str) -> None:
    small, large = (Worker(redis_url, max_sessions=str(n)) for n in LIMITS)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        # Through the small worker, which placement prefers on a tie and which is full after
        # the first: the others are handed on to the large one.
        made = [create(small) for _ in range(sum(LIMITS))]
        assert [r.status_code for r in made] == [201] * sum(LIMITS)
        owners = [client.get(lease_key(r.json()["id"])) for r in made]
        assert sorted(owners.count(o) for o in set(owners)) == sorted(LIMITS)
        for worker in (small, large):  # through either: no room anywhere
            refused = create(worker)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "60"
            assert set(refused.json()["error"]) == {"code", "message", "field"}
            assert refused.json()["error"]["code"] == "unavailable"
        gone = made[-1].json()
        auth = {"Authorization": f"Bearer {gone['token']}"}
        deleted = httpx2.delete(f"{small.url}/api/sessions/{gone['id']}", headers=auth)
        assert deleted.status_code == 204
        again = create(small)
        assert again.status_code == 201  # room again, where it was freed
        assert client.get(lease_key(again.json()["id"])) == owners[-1]
    finally:
        client.close()
        small.stop()
        large.stop()
