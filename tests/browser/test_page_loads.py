from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer


def test_page_loads_without_console_errors(page: Page, server: LiveServer, artifacts: Path) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/")
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    page.screenshot(path=artifacts / "playground-wide.png", full_page=True)
    assert errors == []
