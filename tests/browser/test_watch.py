"""Following along: watchers see the instructor's run live, cannot drive it, and can copy it."""

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, WebSocket, expect

from tests.browser.classroom import (
    collect_errors,
    create_session,
    open_run_page,
    session,
    shown,
    train,
    wait_for_session,
    wait_for_shown_above,
)
from tests.conftest import LiveServer

WATCHERS = 3  # browser pages, each checked in full
CROWD = 25  # and a lecture hall of bare sockets that only watch
OPEN_CROWD = """([url, n]) => new Promise((resolve) => {
  window.crowd = Array.from({ length: n }, () => new WebSocket(url));
  const open = () => window.crowd.every((s) => s.readyState === 1);
  const check = () => (open() ? resolve() : setTimeout(check, 20));
  check();
})"""


def record_sent(page: Page) -> list[str]:
    """Every text message the page's WebSockets send."""
    sent: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(str(payload)))

    page.on("websocket", on_socket)
    return sent


def test_watchers_see_the_run_live_and_cannot_drive_it(
    page: Page, context: BrowserContext, server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    session_id = open_run_page(page, server.url + "/present")
    link = page.locator('#share [data-share="link"]')
    expect(link).to_have_attribute("href", re.compile(re.escape(server.url) + r"/w/\w+$"))
    short = link.get_attribute("href")
    assert short and "/w/" in short
    expect(page.locator('#share img[data-share="qr"]')).to_have_attribute(
        "src", f"/api/sessions/{session_id}/qr.svg"
    )

    watchers = []
    for _ in range(WATCHERS):
        watcher = context.new_page()
        watcher.set_viewport_size({"width": 390, "height": 844})
        errors = collect_errors(watcher)
        sent = record_sent(watcher)
        watcher.goto(short)  # the short link leads to /watch/{id}
        watcher.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
        assert watcher.url == f"{server.url}/watch/{session_id}"
        watchers.append((watcher, errors, sent))

    first = watchers[0][0]
    first.evaluate(OPEN_CROWD, [f"{server.ws_url}/api/sessions/{session_id}/ws", CROWD])
    # Read-only: no control that drives the run is shown.
    expect(first.locator("#drive")).to_be_hidden()
    assert first.locator("button:visible").all_inner_texts() == ["Take a copy"]

    page.keyboard.press("Space")  # the instructor plays
    for watcher, _, _ in watchers:
        wait_for_shown_above(watcher, "epoch", 3)
        expect(watcher.locator('[data-v="status"]')).to_have_text("Playing")
    expect(page.locator(".present-watchers")).to_have_text(f"{WATCHERS + CROWD} watching")
    for watcher, _, _ in watchers:  # every watcher counts just as the presenter does
        expect(watcher.locator("#viewers")).to_have_text(f"{WATCHERS + CROWD} watching")
    first.screenshot(path=artifacts / "watch.png", full_page=True)

    first.keyboard.press("Space")  # a watcher's keys do nothing to the run
    first.keyboard.press("ArrowRight")
    page.keyboard.press("Space")  # the instructor pauses
    wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "idle")
    for watcher, errors, sent in watchers:
        expect(watcher.locator('[data-v="status"]')).to_have_text("Paused")
        assert not any('"auth"' in message for message in sent)
        assert not any('"play"' in message or '"step"' in message for message in sent)
        assert errors == []
        watcher.close()


def test_presenter_and_watchers_count_alike_while_paused(
    page: Page, context: BrowserContext, server: LiveServer
) -> None:
    open_run_page(page, server.url + "/present")
    short = page.locator('#share [data-share="link"]')
    expect(short).to_have_attribute("href", re.compile(r"/w/\w+$"))
    counts = [page.locator(".present-watchers")]
    for n in (1, 2, 3):  # no frames while paused: the count comes with each arrival
        watcher = context.new_page()
        watcher.goto(str(short.get_attribute("href")))
        counts.append(watcher.locator("#viewers"))
        for count in counts:
            expect(count).to_have_text("1 watching" if n == 1 else f"{n} watching")
            expect(count).to_have_attribute("data-count", str(n))
    counts[-1].page.close()  # one leaves: the others hear of it
    for count in counts[:-1]:
        expect(count).to_have_text("2 watching")


def test_taking_a_copy_continues_from_the_moment_watched(page: Page, server: LiveServer) -> None:
    errors = collect_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    session_id, token = create_session(page, server, dataset="moons", n_samples=100)
    train(page, server, session_id, token, 30)
    watched = session(page, server, session_id)["state"]
    page.goto(f"{server.url}/watch/{session_id}")
    expect(page.locator('[data-v="epoch"]')).to_have_text("30")
    expect(page.locator("#drive")).to_be_hidden()

    page.click("#take-copy")
    page.wait_for_url(lambda url: "/watch/" in url and session_id not in url)
    copy_id = page.url.rsplit("/", 1)[-1]
    assert copy_id != session_id
    copy = session(page, server, copy_id)
    assert copy["state"]["step"] == watched["step"] and copy["state"]["epoch"] == 30
    assert copy["state"]["metrics"]["train_loss"] == watched["metrics"]["train_loss"]
    assert copy["config"] == session(page, server, session_id)["config"]

    # The copy is the student's own: it plays here, and the class run does not move.
    expect(page.locator("#drive")).to_be_visible()
    expect(page.locator("#watch-title")).to_have_text("Your copy")
    open_run_page(page, page.url)  # a reload keeps driving (the token stays in this tab)
    page.keyboard.press("ArrowRight")
    wait_for_session(page, server, copy_id, lambda s: s["state"]["epoch"] == 31)
    page.click("#play")
    wait_for_shown_above(page, "epoch", 33)
    page.click("#play")
    assert shown(page, "epoch") > 33
    assert session(page, server, session_id)["state"]["epoch"] == 30
    assert errors == []


def test_a_watcher_is_told_when_the_run_ends(page: Page, server: LiveServer) -> None:
    session_id, token = create_session(page, server, dataset="xor")
    open_run_page(page, f"{server.url}/watch/{session_id}")
    response = page.request.delete(
        f"{server.url}/api/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 204
    expect(page.locator("#connection")).to_have_text(
        "This run ended (the server restarted, or it sat idle for 30 minutes)."
    )
    expect(page.locator("#app")).to_have_attribute("data-connection", "closed")
