"""Watch codes cannot be guessed at speed: too many misses from one address get 429."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api.misses import Misses
from app.config import Settings
from app.main import create_app
from tests.api.helpers import assert_error, create

WRONG = ["NNNN2345", "NNNN2346", "NNNN2347", "NNNN2348", "NNNN2349"]


def share(client: TestClient) -> str:
    session_id, _, _ = create(client, n_samples=50)
    code: str = client.get(f"/api/sessions/{session_id}/share").json()["code"]
    return code


def test_misses_past_the_limit_get_429_while_known_codes_still_work() -> None:
    with TestClient(create_app(Settings(code_misses_per_minute=3))) as client:
        code, other = share(client), share(client)
        assert client.get(f"/w/{code}", follow_redirects=False).status_code == 307
        for wrong in WRONG[:3]:
            assert_error(
                client.get(f"/w/{wrong}", follow_redirects=False), 404, "not_found", "code"
            )
        limited = client.get(f"/w/{WRONG[3]}", follow_redirects=False)
        message = assert_error(limited, 429, "too_many_requests", "code")
        assert "too many wrong watch codes" in message
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        again = client.get(f"/w/{WRONG[4]}", follow_redirects=False)
        assert_error(again, 429, "too_many_requests", "code")
        hit = client.get(f"/w/{code.lower()}", follow_redirects=False)
        assert hit.status_code == 307 and hit.headers["location"].startswith("/watch/")
        # a code this address never followed is not even looked up while it is limited: a
        # guesser must not learn from a 307 among the 429s that it has found one
        assert_error(
            client.get(f"/w/{other}", follow_redirects=False), 429, "too_many_requests", "code"
        )


def test_the_limit_is_per_address_and_ends_with_its_minute() -> None:
    now = [1000.0]
    misses = Misses(limit=2, clock=lambda: now[0])
    assert [misses.miss("10.0.0.1") for _ in range(3)] == [None, None, 60]
    assert misses.refused("10.0.0.1", "ABCDEFGH") == 60
    assert misses.refused("10.0.0.2", "ABCDEFGH") is None  # another address is not limited
    now[0] += 45
    assert misses.refused("10.0.0.1", "ABCDEFGH") == 15
    now[0] += 15
    assert misses.refused("10.0.0.1", "ABCDEFGH") is None
    assert misses.miss("10.0.0.1") is None  # a new minute, a new count


def test_hits_are_never_counted() -> None:
    misses = Misses(limit=1, clock=lambda: 0.0)
    for _ in range(100):
        misses.hit("school", "ABCDEFGH")
    assert misses.miss("school") is None and misses.refused("school", "ZZZZZZZZ") is None
