"""Every page at a phone, a laptop and a projector: no sideways scroll, no script errors, and a
screenshot of each in test-artifacts/screens/ to look at after a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import LiveServer

SIZES = [(375, 812), (1280, 800), (1920, 1080)]
PAGES = ["/", "/compare", "/lessons", "/present", "/watch", "/embed", "/embed/builder"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_and_runs(
    browser: Browser, server: LiveServer, artifacts: Path, size: tuple[int, int]
) -> None:
    width, height = size
    folder = artifacts / "screens"
    folder.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    made = page.request.post(f"{server.url}/api/sessions", data={"dataset": "circle"})
    assert made.status == 201
    session_id = made.json()["id"]
    try:
        for path in PAGES:
            url = server.url + (f"/watch/{session_id}" if path == "/watch" else path)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            play = page.locator("#play")
            if play.count() and play.is_visible() and play.is_enabled():
                play.click()
                page.wait_for_timeout(3000)  # a few seconds of the time-lapse: the chaotic start
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} at {width} px scrolls sideways ({scroll} px)"
            name = path.strip("/").replace("/", "-") or "playground"
            page.screenshot(path=folder / f"{name}-{width}x{height}.png")
        assert errors == [], errors
    finally:
        page.close()
