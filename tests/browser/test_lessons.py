"""Guided lessons: seven scenes, each loading its preset, stepped through forward and back."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.classroom import (
    collect_errors,
    open_run_page,
    wait_for_session,
    wait_for_shown_above,
)
from tests.browser.helpers import end_run
from tests.conftest import LiveServer

SCENES = [
    ("Random start", "circle"),
    ("Error is a number", "gauss"),
    ("Small steps", None),  # a comparison of three step sizes
    ("Repetition", "xor"),
    ("Stable behaviour", "moons"),
    ("New data", "xor"),
    ("Cramming", "circle"),
]


def test_every_scene_loads_forward_and_back(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    session_id = open_run_page(page, server.url + "/lessons")
    for n, (title, dataset) in enumerate(SCENES, start=1):
        if n > 1:
            page.click("#next")
        expect(page.locator("#lesson-title")).to_have_text(title)
        expect(page.locator("#lesson-count")).to_have_text(f"Scene {n} of 7")
        page.wait_for_function("(n) => location.hash === `#scene=${n}`", arg=n)
        expect(page.locator("#lesson-try")).not_to_be_empty()
        if dataset is None:
            expect(page.locator("#strip .run-card")).to_have_count(3)
            expect(page.locator("#strip .run-value")).to_have_text(["0.001", "0.03", "3"])
            page.click('[data-act="step"]')
            expect(page.locator("#strip .run-epoch")).to_have_text(["epoch 1"] * 3)
            continue
        expect(page.locator("#strip")).to_be_hidden()
        wait_for_session(
            page,
            server,
            session_id,
            lambda s, d=dataset: s["config"]["dataset"] == d and s["state"]["step"] == 0,
        )
        page.click('[data-act="step"]')  # every scene trains
        wait_for_session(page, server, session_id, lambda s: s["state"]["epoch"] == 1)
        expect(page.locator('[data-v="epoch"]')).to_have_text("1")
    expect(page.locator("#next")).to_be_disabled()

    expect(page.locator("#show-test")).to_be_checked()  # cramming is about the test points
    page.click("#play")
    wait_for_shown_above(page, "epoch", 60)
    page.click("#play")
    page.screenshot(path=artifacts / "lessons.png", full_page=True)

    page.click("#prev")  # and back
    expect(page.locator("#lesson-title")).to_have_text("New data")
    wait_for_session(page, server, session_id, lambda s: s["config"]["noise"] == 0.3)
    page.keyboard.press("1")
    expect(page.locator("#lesson-title")).to_have_text("Random start")
    expect(page.locator("#prev")).to_be_disabled()
    assert errors == []


def test_a_lesson_whose_run_ended_starts_the_scene_again_and_says_so(
    page: Page, server: LiveServer
) -> None:
    session_id = open_run_page(page, server.url + "/lessons#scene=2")
    token = page.evaluate("window.__stepwise.run.token")
    end_run(page, server.url, session_id, token)  # as after an idle expiry
    # a new run, not the moment between two runs when the page has none (its id is null)
    page.wait_for_function(f"() => (window.__stepwise.run.id || {session_id!r}) !== {session_id!r}")
    expect(page.locator("#notice")).to_have_text(
        "This run ended (the server restarted, or it sat idle for 30 minutes)."
        " Started again from the link."
    )
    expect(page.locator("#notice")).to_be_visible()
    new_id = page.evaluate("window.__stepwise.run.id")
    wait_for_session(page, server, new_id, lambda s: s["config"]["dataset"] == "gauss")
