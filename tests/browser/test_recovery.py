"""The socket reconnects after a drop, and a session the server forgot is made again."""

from playwright.sync_api import Page, expect

from tests.browser.helpers import counter, open_playground, session_state
from tests.conftest import LiveServer

DROP = "() => window.__stepwise.link.socket.ws.close()"


def test_a_dropped_socket_reconnects_to_the_same_session(page: Page, server: LiveServer) -> None:
    session_id = open_playground(page, server.url + "/")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("1")
    frames = page.evaluate("() => window.__stepwise.stats.frames")
    page.evaluate(DROP)
    page.wait_for_function(f"() => window.__stepwise.stats.frames > {frames}")  # hello + frame
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    assert page.locator("#app").get_attribute("data-session-id") == session_id
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("2")
    assert session_state(page, server.url, session_id)["state"]["epoch"] == 2


def test_a_forgotten_session_is_made_again_from_the_page_state(
    page: Page, server: LiveServer
) -> None:
    session_id = open_playground(page, server.url + "/#dataset=xor&learning_rate=0.1&seed=3")
    token = page.evaluate("() => window.__stepwise.link.token")
    response = page.request.delete(
        f"{server.url}/api/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 204  # the server closes the page's socket with 4404 itself
    expect(page.locator("#app")).not_to_have_attribute("data-session-id", session_id)
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    new_id = page.locator("#app").get_attribute("data-session-id")
    assert new_id
    config = session_state(page, server.url, new_id)["config"]
    assert (config["dataset"], config["learning_rate"], config["seed"]) == ("xor", 0.1, 3)
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("1")
    assert counter(page, "steps") > 0
