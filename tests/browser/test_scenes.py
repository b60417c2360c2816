"""The lesson scenes on /lessons and /present: texts that name only what the page shows, the
hash that moves between scenes, the presenter's new start, and scene 4 ("Repetition") learning
one example at a time."""

import itertools
import re

from playwright.sync_api import Page, WebSocket, expect

from tests.browser.classroom import collect_errors, open_run_page, session, wait_for_session
from tests.conftest import LiveServer

SCENES = 7
# What a scene's text may ask for: buttons and checkboxes by their label (as written, capitals
# included), and readouts by their label (any case: the page sets them in capitals).
CONTROLS = ["Play", "Pause", "Step", "Reset", "New start", "Show the test points"]
READOUTS = ["Examples seen", "Boundary moved", "Training loss", "Test loss", "Epoch"]
TEXT = {"lessons": "#lesson-text, #lesson-try", "present": "#scene-try"}


def named_in(text: str) -> tuple[list[str], list[str]]:
    controls = [c for c in CONTROLS if re.search(rf"\b{c}\b", text)]
    readouts = [r for r in READOUTS if re.search(rf"\b{r}\b", text, re.IGNORECASE)]
    return controls, readouts


def shows_control(page: Page, label: str) -> bool:
    pattern = re.compile(rf"^\W*{re.escape(label)}\b")
    buttons = page.get_by_role("button", name=pattern).filter(visible=True)
    return buttons.count() > 0 or page.get_by_label(label).filter(visible=True).count() > 0


def shows_readout(page: Page, label: str) -> bool:
    terms = page.locator("dt").filter(has_text=re.compile(re.escape(label), re.IGNORECASE))
    return terms.filter(visible=True).count() > 0


def test_every_scene_text_names_only_controls_its_page_shows(
    page: Page, server: LiveServer
) -> None:
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    checked = 0
    for name in ("lessons", "present"):
        open_run_page(page, f"{server.url}/{name}#scene=1")
        for n in range(1, SCENES + 1):
            page.keyboard.press(str(n))
            page.wait_for_function("(n) => location.hash === `#scene=${n}`", arg=n)
            if n == 3:  # the comparison: its runs on show, the single run's numbers hidden
                expect(page.locator("#strip .run-card")).to_have_count(3)
            text = " ".join(page.locator(TEXT[name]).all_inner_texts())
            assert text.strip(), (name, n)
            controls, readouts = named_in(text)
            for label in controls:
                assert shows_control(page, label), f"/{name} scene {n} asks for {label!r}"
            for label in readouts:
                assert shows_readout(page, label), f"/{name} scene {n} points at {label!r}"
            checked += len(controls) + len(readouts)
    assert checked >= 20  # every scene names something to press or to read
    assert errors == []


def test_the_check_fails_for_a_control_the_page_lacks(page: Page, server: LiveServer) -> None:
    open_run_page(page, f"{server.url}/present#scene=2")
    assert named_in("Press Rewind, then read the epoch") == ([], ["Epoch"])
    assert not shows_control(page, "Rewind")
    assert not shows_readout(page, "Weights seen")
    assert shows_control(page, "New start") and shows_readout(page, "Epoch")


def test_a_new_hash_moves_to_its_scene(page: Page, server: LiveServer) -> None:
    errors = collect_errors(page)
    for name, title in (("present", "#scene-title"), ("lessons", "#lesson-title")):
        session_id = open_run_page(page, f"{server.url}/{name}#scene=2")
        expect(page.locator(title)).to_contain_text("Error is a number")
        page.evaluate("location.hash = '#scene=5'")  # as when the address bar is edited
        expect(page.locator(title)).to_contain_text("Stable behaviour")
        wait_for_session(
            page,
            server,
            session_id,
            lambda s: s["config"]["dataset"] == "moons" and s["state"]["step"] == 0,
        )
        page.evaluate("location.hash = '#scene=99'")  # no such scene: nothing moves
        page.wait_for_timeout(200)
        expect(page.locator(title)).to_contain_text("Stable behaviour")
    assert errors == []


def test_the_presenter_n_key_and_button_give_a_new_start(page: Page, server: LiveServer) -> None:
    errors = collect_errors(page)
    session_id = open_run_page(page, f"{server.url}/present#scene=1")
    expect(page.locator(".present-keys")).to_contain_text("n new start")
    first = wait_for_session(page, server, session_id, lambda s: s["config"]["seed"] == 3)
    assert first["config"]["dataset"] == "circle"
    page.keyboard.press("ArrowRight")
    wait_for_session(page, server, session_id, lambda s: s["state"]["epoch"] == 1)
    expect(page.locator('[data-v="epoch"]')).to_have_text("1")

    seeds = {3}
    for press in ("key", "button"):
        if press == "key":
            page.keyboard.press("n")
        else:
            page.get_by_role("button", name="New start").click()
        body = wait_for_session(
            page, server, session_id, lambda s: s["config"]["seed"] not in seeds
        )
        assert body["state"]["epoch"] == 0 and body["state"]["step"] == 0
        assert body["config"]["dataset"] == "circle"  # the same setup, new weights
        seeds.add(body["config"]["seed"])
        expect(page.locator('[data-v="epoch"]')).to_have_text("0")
        page.keyboard.press("ArrowRight")
        wait_for_session(page, server, session_id, lambda s: s["state"]["epoch"] == 1)
    assert len(seeds) == 3
    assert errors == []


def test_repetition_learns_one_example_at_a_time(page: Page, server: LiveServer) -> None:
    errors = collect_errors(page)
    sent: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(str(payload)))

    page.on("websocket", on_socket)
    page.set_viewport_size({"width": 1280, "height": 800})
    session_id = open_run_page(page, f"{server.url}/lessons#scene=4")
    start = wait_for_session(
        page,
        server,
        session_id,
        lambda s: s["config"]["batch_size"] == 1 and s["config"]["dataset"] == "xor",
    )
    assert start["state"]["step"] == 0
    # It plays at a pace the eye follows, in steps (one example each), not epochs.
    assert any('"steps_per_second":20' in m.replace(" ", "") for m in sent)
    # The examples counter is the prominent one: first, and larger than the epoch.
    examples = page.locator('[data-v="examples"]')
    epoch = page.locator('[data-v="epoch"]')
    box, epoch_box = examples.bounding_box(), epoch.bounding_box()
    assert box and epoch_box and box["y"] < epoch_box["y"] and box["height"] > epoch_box["height"]

    token = page.evaluate("window.__stepwise.run.token")
    losses = [start["state"]["metrics"]["train_loss"]]
    for steps, seen in ((1, 1), (99, 100), (100, 200), (100, 300), (100, 400), (100, 500)):
        response = page.request.post(
            f"{server.url}/api/sessions/{session_id}/step",
            data={"steps": steps},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200
        expect(examples).to_have_text(f"{seen:,}")
        body = session(page, server, session_id)
        assert body["state"]["examples_seen"] == seen
        if steps == 100:
            losses.append(body["state"]["metrics"]["train_loss"])
    # Every hundred single-example steps the loss falls, and after 500 it is half what it was.
    assert all(later < earlier for earlier, later in itertools.pairwise(losses)), losses
    assert losses[-1] < 0.5 * losses[0]
    assert errors == []
