"""The socket reconnects after a drop, and a session the server forgot is made again."""

from playwright.sync_api import Page, expect

from app.config import Settings
from app.main import create_app
from tests.browser.helpers import counter, end_run, open_playground, session_state
from tests.conftest import LiveServer, serve

DROP = "() => window.__stepwise.link.socket.ws.close()"
# The browser suite's server keeps the default idle expiry: 1800 s.
ENDED = "This run ended (the server restarted, or it sat idle for 30 minutes)."


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
    expect(page.locator("#ended")).to_be_hidden()  # the same run: nothing ended
    assert session_state(page, server.url, session_id)["state"]["epoch"] == 2


def test_a_forgotten_session_is_made_again_from_the_page_state(
    page: Page, server: LiveServer
) -> None:
    session_id = open_playground(page, server.url + "/#dataset=xor&learning_rate=0.1&seed=3")
    token = page.evaluate("() => window.__stepwise.link.token")
    end_run(page, server.url, session_id, token)  # as after an idle expiry
    expect(page.locator("#app")).not_to_have_attribute("data-session-id", session_id)
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    # The page says so, once: the run ended, why it may have, and that it started again.
    expect(page.locator("#ended")).to_be_visible()
    expect(page.locator("#ended p")).to_have_text(ENDED + " Started again from the link.")
    assert page.locator("#ended, #notice").filter(has_text="This run ended").count() == 1
    new_id = page.locator("#app").get_attribute("data-session-id")
    assert new_id
    config = session_state(page, server.url, new_id)["config"]
    assert (config["dataset"], config["learning_rate"], config["seed"]) == ("xor", 0.1, 3)
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("1")
    assert counter(page, "steps") > 0
    page.click("#ended .ended-close")
    expect(page.locator("#ended")).to_be_hidden()


def test_the_notice_names_the_servers_idle_expiry(page: Page) -> None:
    for other in serve(create_app(Settings(idle_expiry_seconds=90.0))):
        for path in ("/", "/compare", "/embed", "/present", "/lessons"):
            response = page.request.get(other.url + path)
            assert response.status == 200
            assert 'data-idle-expiry="90 seconds"' in response.text(), path
        session_id = open_playground(page, other.url + "/")
        token = page.evaluate("() => window.__stepwise.link.token")
        response = page.request.delete(
            f"{other.url}/api/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 204
        expect(page.locator("#ended p")).to_have_text(
            "This run ended (the server restarted, or it sat idle for 90 seconds)."
            " Started again from the link."
        )
