"""Embeds for course sites: locked by their URL, driven by the host page through postMessage,
framed only where the settings allow; and the builder that writes their code."""

from pathlib import Path

from playwright.sync_api import Page, expect

from app.config import Settings
from app.main import create_app
from tests.browser.classroom import collect_errors, wait_for_session
from tests.browser.course import heard, host_page, send
from tests.conftest import LiveServer, serve

QUERY = "dataset=xor&hidden_layers=4,4&learning_rate=0.1&controls=play,learning_rate"


def test_the_embed_answers_its_host_page(
    page: Page, server: LiveServer, course_port: int, artifacts: Path
) -> None:
    errors = collect_errors(page)  # the embed's console errors too
    page.set_viewport_size({"width": 500, "height": 700})
    host_page(page, f"http://localhost:{course_port}", f"{server.url}/embed?{QUERY}")
    ready = heard(page, "ready")
    assert ready["origin"] == server.url
    assert ready["config"]["dataset"] == "xor" and ready["config"]["hidden_layers"] == [4, 4]
    assert ready["config"]["learning_rate"] == 0.1
    assert ready["controls"] == ["play", "learning_rate"]
    assert "token" not in str(page.evaluate("heard"))
    height = heard(page, "height", "m.height > 200")["height"]

    frame = page.frame_locator("#f")
    expect(frame.locator("#play")).to_be_visible()
    expect(frame.locator("#lr")).to_be_visible()
    for hidden in [
        '[data-act="step"]',
        '[data-act="reset"]',
        '[data-act="new-start"]',
        "#show-test",
    ]:
        expect(frame.locator(hidden)).to_be_hidden()
    embed = next(f for f in page.frames if f.url.startswith(server.url))
    assert embed.evaluate("document.documentElement.scrollWidth") <= 320
    oembed = embed.locator('link[rel="alternate"][type="application/json+oembed"]')
    assert "/oembed?url=" in (oembed.get_attribute("href") or "")

    since = send(page, "{stepwise: 1, type: 'play'}")
    heard(page, "state", "m.status === 'running'", since)
    heard(page, "progress", "m.epoch > 2", since)
    since = send(page, "{stepwise: 1, type: 'pause'}")
    heard(page, "state", "m.status === 'idle'", since)
    session_id = embed.evaluate("window.__stepwise.run.id")
    paused = wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "idle")
    since = send(page, "{stepwise: 1, type: 'step', epochs: 5}")
    heard(page, "progress", f"m.epoch === {paused['state']['epoch'] + 5}", since)
    since = send(page, "{stepwise: 1, type: 'set', config: {learning_rate: 0.3}}")
    assert heard(page, "config", since=since)["config"]["learning_rate"] == 0.3
    expect(frame.locator("#lr-out")).to_have_text("0.3")
    since = send(page, "{stepwise: 1, type: 'reset'}")
    heard(page, "progress", "m.epoch === 0", since)

    since = send(page, "{stepwise: 1, type: 'explode'}")  # refused, and said why
    assert "type must be one of" in heard(page, "error", since=since)["message"]
    since = send(page, "{stepwise: 1, type: 'set', config: {token: 'x'}}")
    assert "unknown config field token" in heard(page, "error", since=since)["message"]
    since = send(page, "{stepwise: 1, type: 'step', epochs: 0}")
    assert "epochs" in heard(page, "error", since=since)["message"]
    page.evaluate(f"document.getElementById('f').height = {height}")
    page.locator("#f").screenshot(path=artifacts / "embed-320.png")
    assert errors == []


def test_an_embed_whose_run_ended_tells_its_host_and_starts_again(
    page: Page, server: LiveServer, course_port: int
) -> None:
    host_page(page, f"http://localhost:{course_port}", f"{server.url}/embed?{QUERY}", width=500)
    heard(page, "ready")
    embed = next(f for f in page.frames if f.url.startswith(server.url))
    since = send(page, "{stepwise: 1, type: 'play'}")
    heard(page, "progress", "m.epoch > 2", since)
    session_id, token = embed.evaluate("[window.__stepwise.run.id, window.__stepwise.run.token]")
    response = page.request.delete(
        f"{server.url}/api/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 204  # as after an idle expiry: the server closes the socket
    heard(page, "ready", since=since + 1)
    told = page.evaluate("heard.filter((m) => ['ready', 'state'].includes(m.type))")[1:]
    kinds = [m["type"] if m["type"] == "ready" else f"state:{m['status']}" for m in told]
    assert kinds.count("state:ended") == 1
    ended = kinds.index("state:ended")
    assert "ready" not in kinds[:ended]  # "ended" came before the new run's "ready"
    assert kinds[ended + 1 :] == ["ready"]
    assert told[-1]["status"] == "idle" and told[-1]["config"]["dataset"] == "xor"
    frame = page.frame_locator("#f")
    expect(frame.locator("#ended")).to_be_visible()
    expect(frame.locator("#ended p")).to_have_text(
        "This run ended (the server restarted, or it sat idle for 30 minutes)."
        " Started again from the link."
    )
    expect(frame.locator("#play")).to_have_attribute("aria-pressed", "false")
    expect(frame.locator('[data-v="epoch"]')).to_have_text("0")
    assert embed.evaluate("window.__stepwise.run.id") != session_id


def test_only_allowed_sites_may_frame_the_embed(page: Page, course_port: int) -> None:
    allowed = f"http://localhost:{course_port}"
    for strict in serve(create_app(Settings(allowed_embedders=allowed))):
        host_page(page, allowed, f"{strict.url}/embed")
        heard(page, "ready")
        host_page(page, f"http://127.0.0.1:{course_port}", f"{strict.url}/embed")  # not listed
        page.wait_for_function("() => document.getElementById('f').dataset.loaded === '1'")
        frame = page.frames[1]
        assert not frame.url.startswith(strict.url)  # the browser refused to show it
        assert page.evaluate("heard") == []


def test_the_builder_writes_the_code_and_previews_it(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server.url + "/embed/builder")
    code = page.locator("#code")
    page.select_option("#f-dataset", "circle")
    page.fill("#f-hidden_layers", "6,3")
    page.locator('input[name="control"][value="step"]').uncheck()
    page.locator('input[name="control"][value="test_points"]').check()
    expected = (
        "/embed?dataset=circle&amp;hidden_layers=6,3"
        "&amp;controls=play,reset,learning_rate,test_points"
    )
    page.wait_for_function("(e) => document.querySelector('#code').value.includes(e)", arg=expected)
    value = code.input_value()
    assert value.startswith(f'<iframe src="{server.url}') and 'title="' in value
    preview = page.frame_locator("#preview")
    expect(preview.locator("#show-test")).to_be_visible()
    expect(preview.locator('[data-act="step"]')).to_be_hidden()
    expect(page.locator("#log strong", has_text="ready")).to_have_count(1)
    page.click('[data-send="play"]')
    expect(page.locator("#log strong", has_text="state").first).to_be_visible()
    page.click('[data-send="pause"]')
    page.fill("#f-hidden_layers", "40")
    expect(page.locator("#form-error")).to_contain_text("Hidden layers")
    page.fill("#f-hidden_layers", "6,3")
    page.wait_for_function("() => location.hash.includes('hidden_layers=6,3')")
    page.screenshot(path=artifacts / "builder.png", full_page=True)
    assert errors == []
