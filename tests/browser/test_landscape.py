"""The loss landscape panel: drawn on the playground, following the timeline, shared on /compare;
fed over the run's socket, never read over REST by the pages."""

import json
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, WebSocket, expect

from tests.browser.classroom import collect_errors, open_run_page
from tests.browser.helpers import open_playground, take_scrubber, unfold
from tests.browser.test_compare import open_compare
from tests.browser.test_timeline import train
from tests.conftest import LiveServer

DRAWN = "() => document.querySelector('#landscape').dataset.paths === String({})"


def watch_landscape(page: Page) -> tuple[list[str], list[dict[str, object]]]:
    """(REST landscape requests, landscape asks sent on the page's sockets), as they happen."""
    reads: list[str] = []
    asks: list[dict[str, object]] = []
    page.on(
        "request",
        lambda r: reads.append(r.url) if "/api/" in r.url and "/landscape" in r.url else None,
    )

    def sent(payload: str | bytes) -> None:
        if isinstance(payload, str) and '"landscape"' in payload:
            asks.append(json.loads(payload))

    def socket(ws: WebSocket) -> None:
        ws.on("framesent", sent)

    page.on("websocket", socket)
    return reads, asks


def marked(page: Page) -> int:
    return int(page.eval_on_selector("#landscape", "c => JSON.parse(c.dataset.marked)[0]"))


def test_the_playground_draws_the_landscape_and_its_marked_point_follows_the_timeline(
    page: Page, server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1440, "height": 950})
    errors: list[str] = []
    reads, asks = watch_landscape(page)
    session_id = open_playground(page, server.url + "/#dataset=circle", errors)
    unfold(page, "landscape")
    train(page, server.url, session_id, calls=8, epochs=5)
    page.wait_for_function(DRAWN.format(1))
    expect(page.locator("#landscape-axes")).to_contain_text("of the path's spread")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#landscape').dataset.marked)[0] >= 8"
    )
    latest = marked(page)
    box = page.locator("#landscape").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    # The heatmap is painted: the canvas holds more than one colour.
    colours = page.eval_on_selector(
        "#landscape",
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  const seen = new Set(); for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i]);
                  return seen.size; }""",
    )
    assert colours > 5

    take_scrubber(page)
    page.keyboard.press("Home")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#landscape').dataset.marked)[0] === 0"
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#landscape').dataset.marked)[0] === 1"
    )
    page.click("#timeline-live")
    page.wait_for_function(
        f"() => JSON.parse(document.querySelector('#landscape').dataset.marked)[0] === {latest}"
    )
    # Hovering the marked (latest) point names its epoch and its real loss.
    page.locator("#landscape").hover()  # its centre: the weights now, the latest checkpoint
    expect(page.locator("#landscape-tip")).to_contain_text("epoch 40")
    assert errors == []
    assert reads == []  # drawn from the socket
    assert asks[0] == {"type": "landscape", "on": True, "resolution": 41}


def test_compare_shows_one_shared_plane_with_a_path_per_run(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1440, "height": 950})
    reads, _ = watch_landscape(page)
    comparison_id = open_compare(page, server.url + "/compare")
    token = page.evaluate("() => window.__stepwise.link.token")
    for _ in range(30):
        response = page.request.post(
            f"{server.url}/api/comparisons/{comparison_id}/step",
            data={"epochs": 5},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200
    unfold(page, "landscape")
    page.wait_for_function(DRAWN.format(3))
    expect(page.locator("#landscape-axes")).to_contain_text("the shared start")
    page.wait_for_function(  # every path has all 31 checkpoints: step 0 and each call
        "() => JSON.parse(document.querySelector('#landscape').dataset.marked)"
        ".every(at => at >= 30)"
    )
    page.locator("#landscape-panel").screenshot(path=artifacts / "compare-landscape.png")
    assert reads == []


def test_lesson_3_shows_every_runs_path_on_one_slice(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    errors = collect_errors(page)
    reads, asks = watch_landscape(page)
    open_run_page(page, server.url + "/lessons#scene=3")
    expect(page.locator("#strip .run-card")).to_have_count(3)
    expect(page.locator("#landscape-panel")).to_be_visible()
    for _ in range(3):
        page.click('[data-act="step"]')
    page.wait_for_function(DRAWN.format(3))
    expect(page.locator("#landscape-axes")).to_contain_text("the shared start")
    page.keyboard.press("4")  # a single-run scene: the panel goes
    expect(page.locator("#landscape-panel")).to_be_hidden()
    assert errors == [] and reads == []
    assert [ask["on"] for ask in asks] == [True]  # its socket closed with the scene: no "off"


def test_on_a_phone_the_panel_starts_folded_and_asks_for_nothing(
    page: Page, server: LiveServer
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    reads, asks = watch_landscape(page)
    open_playground(page, server.url + "/")
    fold = page.locator('details[data-fold="landscape"]')
    expect(fold).not_to_have_attribute("open", "")
    page.wait_for_timeout(1000)  # a few of the feed's looks
    assert asks == []
    unfold(page, "landscape")  # opened, it asks and draws
    page.wait_for_function(DRAWN.format(1))
    page.locator('details[data-fold="landscape"] > summary').click()  # folded again: no more
    page.wait_for_function("() => !document.querySelector('details[data-fold=landscape]').open")
    page.wait_for_timeout(500)
    assert [ask["on"] for ask in asks] == [True, False] and reads == []


def test_the_watch_page_shows_the_landscape_while_the_presenter_shows_scene_3(
    page: Page, context: BrowserContext, server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    session_id = open_run_page(page, server.url + "/present#scene=2")
    watcher = context.new_page()
    watcher.set_viewport_size({"width": 390, "height": 844})
    errors = collect_errors(watcher)
    reads, asks = watch_landscape(watcher)
    watcher.goto(f"{server.url}/watch/{session_id}")
    watcher.wait_for_function("() => window.__stepwise.stats.paints > 0")
    expect(watcher.locator("#landscape-panel")).to_be_hidden()
    page.bring_to_front()
    page.keyboard.press("3")  # the step sizes, side by side: the watchers see their landscape
    expect(page.locator("#strip .run-card")).to_have_count(3)
    page.keyboard.press("ArrowRight")
    expect(watcher.locator("#landscape-panel")).to_be_visible()
    watcher.wait_for_function(DRAWN.format(3))
    expect(watcher.locator("#landscape-axes")).to_contain_text("the shared start")
    page.keyboard.press("4")  # a single run again: the panel goes
    expect(watcher.locator("#landscape-panel")).to_be_hidden()
    assert errors == [] and reads == []
    assert asks and asks[0]["on"] is True


def test_the_panel_code_and_reads_wait_until_it_is_seen(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "landscape" in r.url else None)
    reads, asks = watch_landscape(page)
    errors: list[str] = []
    open_playground(page, server.url + "/", errors)
    fold = page.locator('details[data-fold="landscape"]')
    expect(fold).to_have_attribute("open", "")  # open, but below the first screen
    assert not page.locator("#landscape").evaluate(
        "c => c.getBoundingClientRect().top < innerHeight"
    )
    page.wait_for_timeout(1000)  # a few frames, were the panel there to ask
    assert fetched == [] and asks == []
    page.locator("#landscape").scroll_into_view_if_needed()
    page.wait_for_function(DRAWN.format(1))
    assert any(url.endswith("/js/views/landscape-panel.js") for url in fetched)
    assert asks and asks[0]["on"] is True and reads == []  # over the run's socket
    assert errors == []
