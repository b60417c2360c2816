"""Fixtures of the cluster tests: one throwaway redis-server for each test that asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.procs import REDIS, redis_server


@pytest.fixture
def redis_url() -> Iterator[str]:
    if REDIS is None:
        pytest.skip("redis-server is not installed (make test installs it)")
    with redis_server() as url:
        yield url
