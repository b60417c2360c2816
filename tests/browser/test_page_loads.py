from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import open_playground
from tests.conftest import LiveServer


def test_page_loads_without_console_errors(page: Page, server: LiveServer, artifacts: Path) -> None:
    errors: list[str] = []
    page.set_viewport_size({"width": 1440, "height": 900})
    open_playground(page, server.url + "/", errors)
    expect(page.locator("#epoch")).to_have_text("0")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#network .neuron")).to_have_count(2 + 8 + 8 + 1)
    page.screenshot(path=artifacts / "playground-wide.png", full_page=True)
    assert errors == []


def test_every_control_has_a_label(page: Page, server: LiveServer) -> None:
    open_playground(page, server.url + "/")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button')]
            .filter((el) => !el.closest('[hidden]') && el.type !== 'hidden')
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                             && !el.textContent.trim())
            .map((el) => el.id || el.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []


def test_phone_width_has_no_horizontal_scroll(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_playground(page, server.url + "/")
    page.click("#play")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) > 0")
    page.click("#play")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    page.screenshot(path=artifacts / "playground-narrow.png", full_page=True)
