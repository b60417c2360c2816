"""Long runs put epochs on a log axis by themselves (the start as wide as the end), a remembered
toggle overrides that, and timeline markers that crowd together share one badge."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import counter, open_playground
from tests.conftest import LiveServer

CHARTS = ["#chart", "#change-chart"]


def expect_axis(page: Page, kind: str) -> None:
    for chart in CHARTS:
        expect(page.locator(chart)).to_have_attribute("data-x-axis", kind)


def test_a_long_run_goes_log_by_itself_and_the_toggle_is_remembered(
    page: Page, server: LiveServer
) -> None:
    errors: list[str] = []
    page.set_viewport_size({"width": 1280, "height": 800})
    open_playground(page, f"{server.url}/#dataset=spiral", errors)
    toggle = page.get_by_label("Log epochs")
    expect_axis(page, "linear")  # epoch 0 only: nothing to spread out
    expect(toggle).not_to_be_checked()
    expect(page.locator("#epoch-log-auto")).to_be_visible()  # the run's length decides

    page.click("#step")  # the first recorded epoch is 1: log once past 50
    page.wait_for_function("() => document.querySelector('#epoch').textContent === '1'")
    expect_axis(page, "linear")
    page.click("#play")
    page.wait_for_function(
        "() => Number(document.querySelector('#epoch').textContent.replace(/,/g, '')) > 80"
    )
    page.click("#play")
    expect_axis(page, "log")
    expect(toggle).to_be_checked()
    assert counter(page, "epoch") > 50

    toggle.click()  # the visitor's choice wins, and is kept
    expect_axis(page, "linear")
    expect(page.locator("#epoch-log-auto")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('stepwise.epochAxis')") == "linear"
    page.reload()
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
    expect(toggle).not_to_be_checked()
    expect(page.locator("#epoch-log-auto")).to_be_hidden()

    toggle.focus()  # by keyboard: a log axis even for a run at epoch 0
    page.keyboard.press("Space")
    expect(toggle).to_be_checked()
    expect_axis(page, "log")
    assert page.evaluate("localStorage.getItem('stepwise.epochAxis')") == "log"
    page.evaluate("localStorage.removeItem('stepwise.epochAxis')")
    assert errors == []


EARLY = ["oscillating", "settled", "best_test", "overfitting", "diverged", "settled"]


def with_early_markers(route: Route) -> None:
    """The server's timeline, plus markers at its first three moments (the left edge).

    Fixed moments, so the markers stay put from one fetch to the next as a long run's would.
    """
    answer = route.fetch()
    body: dict[str, Any] = answer.json()
    first = body["entries"][:3]
    early = [
        {
            "kind": kind,
            "step": first[i % len(first)]["step"],
            "epoch": first[i % len(first)]["epoch"],
        }
        for i, kind in enumerate(EARLY)
    ]
    body["markers"] = early + body["markers"]
    route.fulfill(response=answer, json=body)


def boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]


def test_crowded_markers_share_a_badge_that_lists_them(page: Page, server: LiveServer) -> None:
    errors: list[str] = []
    page.set_viewport_size({"width": 375, "height": 812})
    page.route("**/api/sessions/*/timeline*", with_early_markers)
    open_playground(page, f"{server.url}/#dataset=spiral", errors)
    page.click("#play")
    page.wait_for_function(
        "() => Number(document.querySelector('#epoch').textContent.replace(/,/g, '')) > 300"
    )
    # Paused, the moments and markers are fetched once more: the badge is clicked as soon as it
    # shows, so a refresh may land mid-click (the marks are updated in place, not replaced).
    page.click("#play")
    page.wait_for_function(
        f"() => Number(document.querySelector('.marks .mark.crowd')?.textContent) >= {len(EARLY)}"
    )
    badge = page.locator(".marks .mark.crowd").first
    expect(badge).to_be_visible()
    count = int(badge.inner_text())
    expect(badge).to_have_attribute("aria-expanded", "false")
    places = page.evaluate(  # measured at one moment: a refresh may rebuild the marks
        """() => [...document.querySelectorAll('.marks .mark')]
        .filter((b) => !b.hidden && b.offsetParent)
        .map((b) => { const r = b.getBoundingClientRect();
                      return {x: r.x, y: r.y, width: r.width, height: r.height}; })"""
    )
    assert places  # the badge at least
    for i, a in enumerate(places):  # nothing draws over anything else
        for b in places[i + 1 :]:
            assert not boxes_overlap(a, b)

    badge.click()
    crowd = page.locator("#timeline-crowd")
    expect(crowd).to_be_visible()
    expect(badge).to_have_attribute("aria-expanded", "true")
    items = crowd.locator("button.mark")
    expect(items).to_have_count(count)
    expect(items.nth(0)).to_be_focused()
    expect(items.nth(0)).to_contain_text("Oscillating · epoch")
    items.nth(2).click()  # each one still seeks to its moment
    expect(page.locator("#timeline")).to_have_attribute("data-view", "past")
    at = page.locator("#timeline").get_attribute("data-at")
    expect(page.locator("#app")).to_have_attribute("data-shown", f"past:{at}")
    items.nth(0).focus()
    page.keyboard.press("Escape")
    expect(crowd).to_be_hidden()
    expect(badge).to_be_focused()
    expect(badge).to_have_attribute("aria-expanded", "false")
    page.unroute_all(behavior="ignoreErrors")
    assert errors == []


def test_the_auto_rule_the_ticks_and_the_grouping_as_pure_functions(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url + "/static/css/style.css")  # same origin, no page scripts
    result = page.evaluate(
        """async () => {
        const axis = await import('/static/js/charts/epoch-axis.js');
        const { crowds } = await import('/static/js/views/marks.js');
        const px = (e) => 100 * axis.toAxis(e);  // 100 px per decade of 1 + epoch
        return {
          short: axis.autoLog([0, 1, 2, 50]),
          long: axis.autoLog([0, 1, 2, 51]),
          sub_epoch: axis.autoLog([0, 0.04, 0.08, 49]),  // below one epoch counts as one
          late_start: axis.autoLog([0, 10, 400]),
          epoch0: axis.toAxis(0),
          round_trip: axis.fromAxis(axis.toAxis(999)),
          ticks: axis.logTicks(0, 5000, px, 40),
          branched: axis.logTicks(300, 4000, px, 20),
          groups: crowds([0, 0.01, 0.02, 0.5, 0.51, 0.9], 300),
        };
      }"""
    )
    assert result["short"] is False and result["long"] is True
    assert result["sub_epoch"] is False and result["late_start"] is False
    assert result["epoch0"] == 0
    assert abs(result["round_trip"] - 999) < 1e-9
    assert result["ticks"] == [0, 10, 100, 1000, 5000]  # 1 is 30 px from 0: too close
    assert result["branched"] == [500, 1000, 2000]
    assert result["groups"] == [[0, 1, 2], [3, 4], [5]]
