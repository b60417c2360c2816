"""The pace a run plays at: a time-lapse by default (chaos at a speed the eye can follow, then
faster), full speed and fixed speeds one choice away, the choice kept in the URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.helpers import counter, open_playground
from tests.browser.test_compare import comparison, open_compare
from tests.conftest import LiveServer

# The speed a session's socket greets a new viewer with: what the server plays it at.
SERVER_SPEED = """async (id) => new Promise((resolve) => {
  const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/sessions/${id}/ws`);
  ws.onmessage = (event) => {
    if (typeof event.data !== 'string') return;
    const message = JSON.parse(event.data);
    if (message.type === 'hello') { ws.close(); resolve(message.speed); }
  };
})"""


def server_speed(page: Page, session_id: str) -> dict[str, Any]:
    speed: dict[str, Any] = page.evaluate(SERVER_SPEED, session_id)
    return speed


def settled(
    page: Page,
    read: Callable[[], dict[str, Any]],
    done: Callable[[dict[str, Any]], bool] = lambda _: True,
) -> dict[str, Any]:
    """What `read` returns once `done` holds (a choice reaches the server a moment after it is
    made), or after a few seconds of asking, for the caller to check."""
    body = read()
    for _ in range(50):
        if done(body):
            break
        page.wait_for_timeout(100)
        body = read()
    return body


def epochs_over(page: Page, milliseconds: int) -> tuple[int, int]:
    """The epoch counter before and after `milliseconds` of play."""
    before = counter(page, "epoch")
    page.wait_for_timeout(milliseconds)
    return before, counter(page, "epoch")


def test_the_default_pace_is_a_time_lapse_that_speeds_up(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/")
    expect(page.locator("#speed")).to_have_value("timelapse")
    expect(page.locator("#speed-value")).to_have_text("Time-lapse")
    page.click("#play")
    expect(page.locator("#app")).to_have_attribute("data-status", "running")
    assert server_speed(page, session_id)["timelapse"] is True  # sent before Play was enabled
    start, early = epochs_over(page, 2_000)
    assert 10 <= early - start <= 100  # the chaotic start at a speed the eye can follow
    expect(page.locator("#speed-value")).to_have_text(
        re.compile(r"^Time-lapse · [\d.,]+ epochs/s$")
    )
    page.wait_for_timeout(11_000)
    before, after = epochs_over(page, 2_000)  # from ~13 s: well past the chaos, and faster
    assert before > 100
    assert after - before > 3 * (early - start)  # it rose with the epoch
    assert "speed=" not in page.evaluate("location.hash")  # the default goes unsaid


def test_full_speed_is_one_choice_and_the_url_keeps_it(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/")
    page.select_option("#speed", "full")
    page.wait_for_function("() => location.hash.endsWith('&speed=full')")
    speed = settled(page, lambda: server_speed(page, session_id), lambda s: not s["timelapse"])
    assert speed == {
        "epochs_per_second": None,
        "steps_per_second": None,
        "timelapse": False,
    }
    page.reload()
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.frames > 0")
    expect(page.locator("#speed")).to_have_value("full")
    page.click("#play")
    expect(page.locator("#speed-value")).to_have_text(
        re.compile(r"^Full speed · [\d.,]+ epochs/s$")
    )
    start, after = epochs_over(page, 2_000)
    assert after - start > 150  # past what the time-lapse plays in its first seconds
    assert page.evaluate("location.hash").endswith("&speed=full")


def test_a_fixed_speed_in_mini_batches_is_kept_in_the_url(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/#dataset=circle&speed=20")
    expect(page.locator("#speed")).to_have_value("20")
    expect(page.locator("#speed-value")).to_have_text("20 mini-batches / s")
    speed = settled(page, lambda: server_speed(page, session_id), lambda s: s["steps_per_second"])
    assert speed["steps_per_second"] == 20
    page.select_option("#speed", "timelapse")
    page.wait_for_function("() => !location.hash.includes('speed=')")
    speed = settled(page, lambda: server_speed(page, session_id), lambda s: s["timelapse"])
    assert speed["timelapse"] is True


def test_a_comparison_plays_in_time_lapse_unless_told(page: Page, server: LiveServer) -> None:
    comparison_id = open_compare(page, server.url + "/compare")
    expect(page.locator("#speed")).to_have_value("timelapse")
    read = lambda: comparison(page, server.url, comparison_id)  # noqa: E731
    assert settled(page, read, lambda body: body["timelapse"])["timelapse"] is True
    page.select_option("#speed", "full")
    body = settled(page, read, lambda body: not body["timelapse"])
    assert body["timelapse"] is False and body["epochs_per_second"] is None
    page.wait_for_function("() => location.hash.includes('speed=full')")  # the URL keeps it
    shared = page.url
    page.goto("about:blank")
    comparison_id = open_compare(page, shared)  # opened again: a new comparison, the same pace
    expect(page.locator("#speed")).to_have_value("full")
    page.select_option("#speed", "10")
    page.wait_for_function("() => location.hash.includes('speed=10')")
    body = settled(page, read, lambda body: body["epochs_per_second"] == 10)
    assert body["epochs_per_second"] == 10 and body["timelapse"] is False


def test_a_watcher_sees_the_pace_the_run_plays_at(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/")
    page.click("#play")
    watcher = page.context.new_page()
    watcher.goto(f"{server.url}/watch/{session_id}")
    expect(watcher.locator("#pace")).to_have_text(re.compile(r"^Time-lapse · [\d.,]+ epochs/s$"))
    page.select_option("#speed", "20")
    expect(watcher.locator("#pace")).to_have_text(
        re.compile(r"^20 mini-batches / s · [\d.,]+ epochs/s$")
    )
    page.click("#play")  # pause: the name stays, the rate goes
    expect(watcher.locator("#pace")).to_have_text("20 mini-batches / s")
    watcher.close()
