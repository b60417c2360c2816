"""Small helpers shared by the browser tests: open the playground and read what it shows."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

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


def heat_fingerprint(page: Page) -> str:
    return str(page.evaluate(HEAT_FINGERPRINT))


def session_state(page: Page, base_url: str, session_id: str) -> dict[str, Any]:
    response = page.request.get(f"{base_url}/api/sessions/{session_id}")
    assert response.status == 200
    body: dict[str, Any] = response.json()
    return body


def counter(page: Page, element_id: str) -> int:
    return int(page.inner_text(f"#{element_id}").replace(",", ""))
