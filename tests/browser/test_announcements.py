"""What screen readers are told: the live numbers at most every few seconds and when the run
pauses (the numbers on screen still change every frame); the embed's landmarks and heading; the
builder's scrollable preview reachable by keyboard; refusals that name the field."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.course import heard, host_page, send
from tests.browser.helpers import open_playground
from tests.conftest import LiveServer

# Logs, in the page, each change of the hidden live region, of a visible readout and of the
# run's status, with the time it happened (performance.now()).
RECORD = """(readout) => {
  window.said = [];
  const watch = (kind, node, options, text) => new MutationObserver(
    () => said.push({ kind, at: performance.now(), text: text() })).observe(node, options);
  const region = document.querySelector('[data-readouts]');
  const shown = document.querySelector(readout);
  const app = document.getElementById('app');
  const text = { characterData: true, childList: true, subtree: true };
  watch('region', region, text, () => region.textContent);
  watch('visible', shown, text, () => shown.textContent);
  watch('status', app, { attributes: true, attributeFilter: ['data-status'] },
    () => app.dataset.status);
}"""
EVERY = "(await import('/static/js/views/readouts.js')).ANNOUNCE_EVERY_MS"


def entries(page: Page, kind: str) -> list[dict[str, Any]]:
    said: list[dict[str, Any]] = page.evaluate("said")
    return [entry for entry in said if entry["kind"] == kind]


def test_live_numbers_are_announced_every_few_seconds_and_on_pause(
    page: Page, server: LiveServer
) -> None:
    errors: list[str] = []
    open_playground(page, f"{server.url}/#dataset=spiral", errors)
    for readout in ["#change-value", "#update-norm"]:  # shown, not spoken frame by frame
        expect(page.locator(readout)).to_have_attribute("aria-live", "off")
    region = page.locator("[data-readouts]")
    expect(region).to_have_attribute("aria-live", "polite")
    every = page.evaluate(f"async () => {EVERY}")
    assert 2000 <= every <= 10000

    page.evaluate(RECORD, "#change-value")
    page.click("#play")
    page.wait_for_function("() => said.filter((e) => e.kind === 'region').length >= 2")
    page.click("#play")  # right after an announcement: only the pause may speak this soon
    page.wait_for_function("() => said.some((e) => e.kind === 'status' && e.text !== 'running')")
    stopped = next(e["at"] for e in entries(page, "status") if e["text"] != "running")
    page.wait_for_function(f"() => said.some((e) => e.kind === 'region' && e.at > {stopped})")

    spoken = entries(page, "region")
    while_playing = [e for e in spoken if e["at"] < stopped]
    gaps = [b["at"] - a["at"] for a, b in pairwise(while_playing)]
    assert gaps and min(gaps) >= every - 20  # never more often than every few seconds
    assert len(entries(page, "visible")) > 5 * len(while_playing)  # the screen kept up
    on_pause = next(e for e in spoken if e["at"] > stopped)
    assert on_pause["at"] - while_playing[-1]["at"] < every  # the pause did not wait its turn
    expect(region).to_contain_text(f"Boundary change {page.inner_text('#change-value')}.")
    assert errors == []


def test_the_embed_has_a_main_landmark_and_a_heading(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/embed")
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
    expect(page.locator("main")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    outside = page.evaluate(
        "() => [...document.body.children].filter((n) => n.tagName !== 'MAIN'"
        " && n.tagName !== 'SCRIPT' && n.getBoundingClientRect().height > 0).length"
    )
    assert outside == 0


def test_the_builder_preview_scrolls_by_keyboard(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{server.url}/embed/builder")
    frame = page.locator(".builder-frame")
    frame.focus()
    expect(frame).to_be_focused()
    before = frame.evaluate("(node) => node.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => document.querySelector('.builder-frame').scrollLeft > {before}")


def test_an_embed_refusal_names_the_field(page: Page, server: LiveServer, course_port: int) -> None:
    host_page(page, f"http://localhost:{course_port}", f"{server.url}/embed")
    heard(page, "ready")
    since = send(page, "{stepwise: 1, type: 'set', config: {learning_rate: 100}}")
    error = heard(page, "error", since=since)
    assert error["message"] == "learning_rate must be between 1e-05 and 10"
    assert error["field"] == "config.learning_rate"
    since = send(page, "{stepwise: 1, type: 'set', config: {noise: 0.9}}")
    assert heard(page, "error", since=since)["message"] == "noise must be between 0 and 0.5"
