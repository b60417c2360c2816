"""Small helpers shared by the browser tests: open the playground and read what it shows."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

# A short fingerprint of the boundary canvas's pixels, computed in the page.
HEAT_FINGERPRINT = """() => {
  const canvas = document.querySelector('#plot canvas.heat');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let hash = 2166136261;
  for (let i = 0; i < data.length; i += 1) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
  return `${canvas.width}x${canvas.height}:${hash}`;
}"""
FINGERPRINT_NOW = f"({HEAT_FINGERPRINT})()"  # the same, as an expression for wait_for_function


def open_playground(page: Page, url: str, errors: list[str] | None = None) -> str:
    """Open the page, wait for its session and a first painted frame; return the session id."""
    if errors is not None:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.frames > 0")
    page.wait_for_function("() => window.__stepwise.stats.paints > 0")
    session_id = page.locator("#app").get_attribute("data-session-id")
    assert session_id
    return session_id


def unfold(page: Page, name: str) -> None:
    """Open a folded section of the playground, as a visitor would, if it is not open, and
    scroll it into view: a part's code may wait until someone can see it."""
    fold = page.locator(f'details[data-fold="{name}"]')
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
    expect(fold).to_have_attribute("open", "")
    fold.scroll_into_view_if_needed()


def take_scrubber(page: Page) -> Locator:
    """Scroll the timeline into view and focus its scrubber once it is enabled, as a visitor
    would: what is scrolled out of view is brought up to date only every half second."""
    scrubber = page.locator("#timeline-scrubber")
    scrubber.scroll_into_view_if_needed()
    expect(scrubber).to_be_enabled()
    scrubber.focus()
    return scrubber


def heat_fingerprint(page: Page) -> str:
    return str(page.evaluate(HEAT_FINGERPRINT))


def session_state(page: Page, base_url: str, session_id: str) -> dict[str, Any]:
    response = page.request.get(f"{base_url}/api/sessions/{session_id}")
    assert response.status == 200
    body: dict[str, Any] = response.json()
    return body


def counter(page: Page, element_id: str) -> int:
    return int(page.inner_text(f"#{element_id}").replace(",", ""))


def end_run(page: Page, base_url: str, session_id: str, token: str) -> None:
    """Delete the run as its driver: the server closes the page's socket as after an expiry."""
    response = page.request.delete(
        f"{base_url}/api/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 204


def pause_from_the_page(page: Page, base_url: str, session_id: str) -> dict[str, Any]:
    """Click pause on a playing page: the page and the server say idle, and the epoch stays.
    Returns the server's state after the pause."""
    page.click("#play")
    expect(page.locator("#app")).to_have_attribute("data-status", "idle")
    paused = session_state(page, base_url, session_id)["state"]
    assert paused["status"] == "idle"
    page.wait_for_timeout(300)  # ten frame periods: a run still playing would have moved on
    expect(page.locator("#app")).to_have_attribute("data-status", "idle")
    assert session_state(page, base_url, session_id)["state"]["epoch"] == paused["epoch"]
    return paused
