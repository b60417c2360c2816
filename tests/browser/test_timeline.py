"""The playground's timeline: scrub back and return, branch from a moment, rescue a blow-up."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    FINGERPRINT_NOW,
    heat_fingerprint,
    open_playground,
    pause_from_the_page,
    session_state,
    take_scrubber,
)
from tests.conftest import LiveServer


def train(page: Page, base_url: str, session_id: str, calls: int, epochs: int) -> None:
    """Train through the REST API: each call is one frame, one history point, one checkpoint."""
    token = page.evaluate("() => window.__stepwise.link.token")
    for _ in range(calls):
        response = page.request.post(
            f"{base_url}/api/sessions/{session_id}/step",
            data={"epochs": epochs},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200
    expect(page.locator("#epoch")).to_have_text(str(calls * epochs))


def timeline(page: Page, base_url: str, session_id: str) -> dict[str, Any]:
    response = page.request.get(f"{base_url}/api/sessions/{session_id}/timeline")
    assert response.status == 200
    body: dict[str, Any] = response.json()
    return body


def painted(page: Page, shown: str) -> None:
    """Wait until the plot has painted the moment `shown` ("live" or "past:<at>")."""
    expect(page.locator("#app")).to_have_attribute("data-shown", shown)


def test_the_scrubber_moves_the_boundary_back_and_returns_to_live(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1440, "height": 950})
    session_id = open_playground(page, server.url + "/#dataset=circle")
    train(page, server.url, session_id, calls=12, epochs=10)
    painted(page, "live")
    live = heat_fingerprint(page)
    expect(page.locator("#update-norm")).not_to_have_text("–")  # the size of each step
    expect(page.locator("#change-value")).not_to_have_text("–")  # how much the boundary moved
    expect(page.locator(".marker-list .mark").first).to_be_visible()  # markers by themselves

    scrubber = take_scrubber(page)
    page.keyboard.press("Home")
    painted(page, "past:0")
    start = heat_fingerprint(page)
    assert start != live
    expect(page.locator("#epoch")).to_have_text("0")  # the numbers show that moment too
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    at = page.locator("#timeline").get_attribute("data-at")
    painted(page, f"past:{at}")
    assert heat_fingerprint(page) not in (start, live)
    expect(page.locator("#epoch")).to_have_text("20")
    expect(page.locator("#branch")).to_be_visible()
    page.screenshot(path=artifacts / "playground-timeline.png", full_page=True)

    page.click("#timeline-live")
    painted(page, "live")
    page.wait_for_function(f"(live) => ({FINGERPRINT_NOW}) === live", arg=live)
    expect(page.locator("#epoch")).to_have_text("120")
    expect(page.locator("#branch")).to_be_hidden()
    # Play resumes from the live end: scrub back, press play, the run goes on from epoch 120.
    scrubber.focus()
    page.keyboard.press("Home")
    painted(page, "past:0")
    page.click("#play")
    painted(page, "live")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) > 120")
    expect(page.locator("#app")).to_have_attribute("data-status", "running")
    pause_from_the_page(page, server.url, session_id)


def test_branch_from_here_drives_a_new_session_from_that_moment(
    page: Page, server: LiveServer
) -> None:
    session_id = open_playground(page, server.url + "/#dataset=xor&learning_rate=0.03")
    train(page, server.url, session_id, calls=6, epochs=5)
    take_scrubber(page)
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    at = int(page.locator("#timeline").get_attribute("data-at") or "-1")
    painted(page, f"past:{at}")
    moment = next(e for e in timeline(page, server.url, session_id)["entries"] if e["at"] == at)

    page.fill("#branch-lr", "0.1")
    page.click("#branch-go")
    expect(page.locator("#app")).not_to_have_attribute("data-session-id", session_id)
    new_id = page.locator("#app").get_attribute("data-session-id")
    assert new_id and new_id != session_id
    body = session_state(page, server.url, new_id)
    assert body["state"]["step"] == moment["step"]
    assert body["config"]["learning_rate"] == 0.1
    assert body["config"]["dataset"] == "xor"
    expect(page.locator("#lr-value")).to_have_value("0.1")
    expect(page.locator("#epoch")).to_have_text(str(moment["epoch"]))
    page.wait_for_function("() => location.hash.includes('learning_rate=0.1&')")
    # The page now drives the branch: a step trains the new session.
    page.click("#step")
    expect(page.locator("#epoch")).to_have_text(str(moment["epoch"] + 1))
    assert session_state(page, server.url, new_id)["state"]["epoch"] == moment["epoch"] + 1


def test_rescue_rewinds_a_divergence_and_halves_the_step_size(
    page: Page, server: LiveServer
) -> None:
    session_id = open_playground(page, server.url + "/#dataset=plane&learning_rate=10")
    page.click("#play")
    expect(page.locator("#app")).to_have_attribute("data-status", "diverged")
    expect(page.locator("#rescue")).to_be_visible()
    expect(page.locator("#halve-reset")).to_be_visible()  # starting over is the other choice
    page.click("#rescue")
    expect(page.locator("#app")).to_have_attribute("data-status", "idle")
    expect(page.locator("#run-status")).to_be_hidden()
    expect(page.locator("#lr-value")).to_have_value("5")
    expect(page.locator("#play")).to_be_enabled()
    body = session_state(page, server.url, session_id)
    assert body["config"]["learning_rate"] == 5
    assert body["state"]["status"] == "idle"
    assert body["state"]["metrics"]["train_loss"] is not None
