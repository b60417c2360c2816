"""Browser tests drive Debian's chromium through Playwright against a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.main import create_app
from tests.browser.course import course_site
from tests.conftest import LiveServer, serve

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    """One live server for the browser suite; each test makes its own sessions."""
    # Pages of earlier tests leave runs playing; stopping them soon keeps the one training
    # thread for the test at hand.
    yield from serve(create_app(Settings(unwatched_play_seconds=2.0)))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def course_port() -> Iterator[int]:
    """A course site on another origin, for pages that hold the embed."""
    yield from course_site()
