"""The presenter: keys and clickers drive the run, number keys change scene, f goes full screen."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.classroom import (
    collect_errors,
    open_run_page,
    session,
    shown,
    wait_for_session,
    wait_for_shown_above,
)
from tests.browser.helpers import end_run
from tests.conftest import LiveServer


def test_presenter_keys_play_step_look_back_and_change_scene(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1600, "height": 900})
    session_id = open_run_page(page, server.url + "/present#scene=6")
    expect(page.locator("#scene-title")).to_contain_text("New data")
    wait_for_session(page, server, session_id, lambda s: s["config"]["dataset"] == "xor")

    page.keyboard.press("Space")  # plays
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "running")
    wait_for_shown_above(page, "epoch", 5)
    page.keyboard.press("Space")  # pauses
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    paused = wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "idle")
    epoch = paused["state"]["epoch"]
    expect(page.locator('[data-v="epoch"]')).to_have_text(f"{epoch:,}")

    page.keyboard.press("ArrowRight")  # one step
    wait_for_session(page, server, session_id, lambda s: s["state"]["epoch"] == epoch + 1)
    expect(page.locator('[data-v="epoch"]')).to_have_text(f"{epoch + 1:,}")
    page.screenshot(path=artifacts / "present.png")

    page.keyboard.press("ArrowLeft")  # back through the timeline, for this viewer only
    expect(page.locator("#seek-badge")).to_be_visible()
    expect(page.locator("#live")).to_have_attribute("data-status", "past")
    assert shown(page, "epoch") < epoch + 1
    for _ in range(50):  # a clicker's "back" goes further, checkpoint by checkpoint
        if shown(page, "epoch") < epoch:
            break
        page.keyboard.press("PageUp")
        page.wait_for_timeout(50)
    assert shown(page, "epoch") < epoch
    assert wait_for_session(page, server, session_id, lambda s: True)["state"]["epoch"] == epoch + 1
    for _ in range(200):  # forward again, checkpoint by checkpoint, until live
        if page.locator("#seek-badge").is_hidden():
            break
        page.keyboard.press("PageDown")
    expect(page.locator("#seek-badge")).to_be_hidden()
    expect(page.locator('[data-v="epoch"]')).to_have_text(f"{epoch + 1:,}")

    page.keyboard.press("f")
    expect(page.locator("#app")).to_have_attribute("data-fullscreen", "true")

    page.keyboard.press("2")  # a lesson scene, on the same session
    expect(page.locator("#scene-title")).to_contain_text("Error is a number")
    page.wait_for_function("() => location.hash === '#scene=2'")
    wait_for_session(
        page,
        server,
        session_id,
        lambda s: s["config"]["dataset"] == "gauss" and s["state"]["step"] == 0,
    )
    expect(page.locator('[data-v="epoch"]')).to_have_text("0")
    assert errors == []


def test_scene_three_shows_the_step_sizes_side_by_side(page: Page, server: LiveServer) -> None:
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    open_run_page(page, server.url + "/present")
    page.keyboard.press("3")
    expect(page.locator("#strip .run-card")).to_have_count(3)
    expect(page.locator("#strip .run-value")).to_have_text(["0.001", "0.03", "3"])
    page.keyboard.press("ArrowRight")  # steps every run at once
    expect(page.locator("#strip .run-epoch")).to_have_text(["epoch 1"] * 3)
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#strip .run-epoch')]"
        ".every((e) => Number(e.textContent.split(' ')[1]) > 3)"
    )
    page.keyboard.press("Space")
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")

    # The server forgets the comparison: the scene is set up again, and the presenter told.
    group_id, token = page.evaluate(
        "[window.__stepwise.stage.group.id, window.__stepwise.stage.group.token]"
    )
    response = page.request.delete(
        f"{server.url}/api/comparisons/{group_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 204
    expect(page.locator("#notice")).to_have_text(
        "This run ended (the server restarted, or it sat idle for 30 minutes)."
        " Started again from the link."
    )
    page.wait_for_function(f"() => window.__stepwise.stage.group?.id !== {group_id!r}")
    expect(page.locator("#strip .run-card")).to_have_count(3)
    expect(page.locator("#strip .run-epoch")).to_have_text(["epoch 0"] * 3)
    assert errors == []


def test_a_run_that_ended_is_started_again_and_the_presenter_is_told(
    page: Page, server: LiveServer
) -> None:
    session_id = open_run_page(page, server.url + "/present#scene=2")
    token = page.evaluate("window.__stepwise.run.token")
    end_run(page, server.url, session_id, token)  # as after an idle expiry
    # a new run, not the moment between two runs when the page has none (its id is null)
    page.wait_for_function(f"() => (window.__stepwise.run.id || {session_id!r}) !== {session_id!r}")
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#notice")).to_have_text(
        "This run ended (the server restarted, or it sat idle for 30 minutes)."
        " Started again from the link. The watch link changes."
    )
    expect(page.locator("#app")).to_have_attribute("data-status", "idle")
    new_id = page.evaluate("window.__stepwise.run.id")
    assert session(page, server, new_id)["state"]["epoch"] == 0


# Each number and control on /present, with whether its text overflows its own box.
BOXES = """() => [...document.querySelectorAll(
    '.present-counters dd, .present-counters dt, .present-watchers, .present-lr output,'
    + ' .present-controls button, .present-tools button, .present-scene h1, .present-try')]
  .filter((e) => e.offsetParent)
  .map((e) => { const r = e.getBoundingClientRect();
    return { name: e.dataset.v || e.textContent.trim().slice(0, 20), left: r.left, top: r.top,
             right: r.right, bottom: r.bottom, overflows: e.scrollWidth > e.clientWidth + 1 }; })"""
# The largest numbers a long run shows, written in place to test the room they get.
LONG_RUN = {
    "epoch": "123,456",
    "examples": "12,345,678",
    "train-loss": "0.00123",
    "test-loss": "1.234",
    "test-metric": "99.5 %",
    "change": "0.05 %",
}


def test_presenter_numbers_fit_on_projectors_and_phones(page: Page, server: LiveServer) -> None:
    errors = collect_errors(page)
    for width, height in ((1280, 800), (1366, 768), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        for scene in (1, 4):  # scene 4 makes the examples counter the large one
            open_run_page(page, f"{server.url}/present#scene={scene}")
            page.evaluate(
                "(values) => { for (const [k, v] of Object.entries(values))"
                " document.querySelector(`[data-v=${k}]`).textContent = v; }",
                LONG_RUN,
            )
            where = f"{width}x{height} scene {scene}"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{where}: scrolls sideways ({scroll} px)"
            boxes = page.evaluate(BOXES)
            assert len(boxes) >= 20
            for box in boxes:
                assert not box["overflows"], f"{where}: {box['name']} is cut"
                assert box["left"] >= 0 and box["right"] <= width, f"{where}: {box['name']}"
            for i, a in enumerate(boxes):
                for b in boxes[i + 1 :]:
                    apart = (
                        a["right"] <= b["left"]
                        or b["right"] <= a["left"]
                        or a["bottom"] <= b["top"]
                        or b["bottom"] <= a["top"]
                    )
                    assert apart, f"{where}: {a['name']} overlaps {b['name']}"
            if width > 1000:  # a projector: one screen, nothing below the fold
                assert page.evaluate("document.documentElement.scrollHeight") <= height
                for box in boxes:
                    assert box["bottom"] <= height, f"{where}: {box['name']} below the fold"
    assert errors == []
