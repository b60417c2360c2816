"""Playing, stepping, changing the step size live, and recovering from a divergence."""

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    FINGERPRINT_NOW,
    counter,
    heat_fingerprint,
    open_playground,
    pause_from_the_page,
    session_state,
)
from tests.conftest import LiveServer


def test_play_raises_the_epoch_and_changes_the_boundary(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/")
    before = heat_fingerprint(page)
    page.click("#play")
    expect(page.locator("#app")).to_have_attribute("data-status", "running")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) > 0")
    page.wait_for_function(
        "(before) => window.__stepwise.stats.paints > 3 && (" + FINGERPRINT_NOW + ") !== before",
        arg=before,
    )
    paused = pause_from_the_page(page, server.url, session_id)
    expect(page.locator("#epoch")).to_have_text(f"{paused['epoch']:,}")
    assert counter(page, "steps") > 0
    assert counter(page, "examples") >= counter(page, "steps")


def test_a_frame_painted_after_the_pause_does_not_undo_it(page: Page, server: LiveServer) -> None:
    """The last frame built while playing says "running" and arrives just before the message
    that the run paused; it is painted at the next animation frame, after that message."""
    open_playground(page, server.url + "/")
    page.click("#play")
    expect(page.locator("#app")).to_have_attribute("data-status", "running")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) > 0")
    status = page.evaluate(
        """async () => {
          const link = window.__stepwise.link;
          const frame = await new Promise((resolve) => {
            const take = link.h.onFrame;
            link.h.onFrame = (f) => {
              take(f);
              if (!f.past) { link.h.onFrame = take; resolve(f); }
            };
          });
          link.pause();
          // What the socket delivers in one go: the last running frame, then the pause.
          link.frame({ ...frame, status: "running" });
          link.receive({ type: "state", state: { ...frame, status: "idle" } });
          for (let i = 0; i < 3; i += 1) await new Promise(requestAnimationFrame);
          return document.getElementById("app").dataset.status;
        }"""
    )
    assert status == "idle"
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")


def test_step_size_changes_live_while_playing(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/")
    page.click("#play")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) > 0")
    page.fill("#lr-value", "0.1")
    page.press("#lr-value", "Enter")
    page.wait_for_function("() => location.hash.includes('learning_rate=0.1&')")
    for _ in range(100):
        body = session_state(page, server.url, session_id)
        if body["config"]["learning_rate"] == 0.1:
            break
        page.wait_for_timeout(50)
    assert body["config"]["learning_rate"] == 0.1
    assert body["state"]["status"] == "running"
    assert body["state"]["step"] > 0  # changed in flight, not reset
    # The slider follows, with arrow keys: one stop up from 0.1 is 0.15.
    page.focus("#lr-slider")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#lr-value")).to_have_value("0.15")
    page.click("#play")


def test_keyboard_plays_steps_and_resets(page: Page, server: LiveServer) -> None:
    open_playground(page, server.url + "/")
    page.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("1")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#steps")).to_have_text("26")
    page.keyboard.press("r")
    expect(page.locator("#steps")).to_have_text("0")
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")


def test_divergence_is_explained_and_one_click_recovers(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/#dataset=plane&learning_rate=10")
    page.click("#play")
    expect(page.locator("#app")).to_have_attribute("data-status", "diverged")
    expect(page.locator("#run-status")).to_be_visible()
    expect(page.locator("#run-message")).to_contain_text("steps were too large")
    expect(page.locator("#run-message")).to_contain_text("without bound")
    expect(page.locator("#play")).to_be_disabled()
    page.click("#halve-reset")
    expect(page.locator("#run-status")).to_be_hidden()
    expect(page.locator("#lr-value")).to_have_value("5")
    expect(page.locator("#steps")).to_have_text("0")
    body = session_state(page, server.url, session_id)
    assert body["config"]["learning_rate"] == 5
    assert body["state"]["status"] == "idle"
