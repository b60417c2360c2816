"""A new dataset starts a new run and the page says so; a divergence explains itself on the plot."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.classroom import open_run_page, wait_for_session
from tests.browser.helpers import counter, open_playground, session_state
from tests.conftest import LiveServer


def rescue_text(plan: dict[str, Any]) -> str:
    """The rescue button's words, with step sizes as JavaScript writes them (5, 0.015)."""
    x, y = (f"{plan[k]:g}" for k in ("learning_rate", "from_learning_rate"))
    return (
        f"Rewind to epoch {plan['epoch']:,} and continue with step size {x}"
        f" (half of {y}, the last step size that was stable)"
    )


def blow_up(
    page: Page, server: LiveServer, path: str, opener: Callable[[Page, str], str]
) -> tuple[str, dict[str, Any]]:
    """Open `path` at 1280 x 800 with a step size of 10 and play until the run blows up; return
    the run's id and its rescue plan."""
    page.set_viewport_size({"width": 1280, "height": 800})
    session_id = opener(page, f"{server.url}{path}#dataset=plane&learning_rate=10")
    page.click("#play")
    body = wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "diverged")
    plan: dict[str, Any] = body["state"]["rescue"]
    return session_id, plan


def test_switching_the_dataset_starts_a_new_run_and_says_so(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    session_id = open_playground(page, server.url + "/#dataset=circle&learning_rate=0.1")
    for _ in range(3):
        page.click("#step")
    expect(page.locator("#epoch")).to_have_text("3")
    expect(page.locator("#chart-readout")).to_contain_text("epoch 3")
    expect(page.locator("#new-run")).to_be_hidden()

    page.click('label[data-dataset="xor"]')
    line = page.locator("#new-run")
    expect(line).to_be_visible()
    box = line.bounding_box()
    assert box and box["y"] + box["height"] <= 800  # seen without scrolling, over the chart
    expect(page.locator("#new-run")).to_have_text("New run from epoch 0: the data changed.")
    expect(page.locator("#epoch")).to_have_text("0")
    expect(page.locator("#steps")).to_have_text("0")
    expect(page.locator("#examples")).to_have_text("0")
    page.wait_for_function(
        """() => { const track = window.__stepwise.display.chart.tracks[0];
          return track.length === 1 && track.points[0].step === 0; }"""
    )
    expect(page.locator("#chart-readout")).to_contain_text("epoch 0 ·")
    expect(page.locator("#timeline-scrubber")).to_have_attribute("max", "0")
    body = session_state(page, server.url, session_id)
    assert body["config"]["dataset"] == "xor"
    assert (body["state"]["step"], body["state"]["epoch"]) == (0, 0)
    metric = body["state"]["metrics"]["test_accuracy"]
    expect(page.locator("#test-metric")).to_have_text(f"{100 * metric:.1f} %")
    entries = page.request.get(f"{server.url}/api/sessions/{session_id}/timeline").json()
    assert [e["step"] for e in entries["entries"]] == [0]
    page.screenshot(path=artifacts / "playground-new-run.png")

    page.click("#step")  # the new run goes on from there
    expect(page.locator("#epoch")).to_have_text("1")
    # A step size keeps the run: the line about the new run goes with the next change.
    page.fill("#lr-value", "0.3")
    page.press("#lr-value", "Enter")
    expect(page.locator("#new-run")).to_be_hidden()
    page.wait_for_function(
        "() => window.__stepwise.page.served && window.__stepwise.page.served.learning_rate === 0.3"
    )
    expect(page.locator("#epoch")).to_have_text("1")


def test_a_divergence_explains_itself_on_the_plot_and_its_rescue_does_what_it_says(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    session_id, plan = blow_up(page, server, "/", open_playground)
    expect(page.locator("#app")).to_have_attribute("data-status", "diverged")
    assert plan["from_learning_rate"] == 10 and plan["learning_rate"] == 5

    overlay = page.locator("#run-status")
    expect(overlay).to_be_visible()
    expect(page.locator("#run-message")).to_contain_text("steps were too large")
    expect(page.locator("#rescue")).to_have_text(rescue_text(plan))
    box, plot = overlay.bounding_box(), page.locator("#plot").bounding_box()
    assert box and plot
    assert plot["x"] <= box["x"] and box["x"] + box["width"] <= plot["x"] + plot["width"]
    assert plot["y"] <= box["y"] and box["y"] + box["height"] <= plot["y"] + plot["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800  # where the user is looking
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    page.screenshot(path=artifacts / "playground-diverged-1280.png")
    for held in ("#play", "#step"):
        expect(page.locator(held)).to_be_disabled()
        expect(page.locator(held)).to_have_attribute("aria-describedby", "run-message")
        expect(page.locator(held)).to_have_attribute(
            "title", "Stopped: the run blew up. See the message on the plot."
        )

    page.click("#rescue")
    expect(page.locator("#app")).to_have_attribute("data-status", "idle")
    expect(overlay).to_be_hidden()
    expect(page.locator("#epoch")).to_have_text(f"{plan['epoch']:,}")
    expect(page.locator("#lr-value")).to_have_value(f"{plan['learning_rate']:g}")
    expect(page.locator("#play")).to_be_enabled()
    expect(page.locator("#play")).not_to_have_attribute("aria-describedby", "run-message")
    body = session_state(page, server.url, session_id)
    assert body["state"]["epoch"] == plan["epoch"] and body["state"]["rescue"] is None
    assert body["config"]["learning_rate"] == plan["learning_rate"]
    assert counter(page, "epoch") == plan["epoch"]


def test_the_presenter_sees_a_divergence_and_its_rescue(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    session_id, plan = blow_up(page, server, "/present", open_run_page)
    overlay = page.locator('#live [data-v="plot"] .run-status')
    expect(overlay).to_be_visible()
    expect(overlay.locator("p")).to_contain_text("steps were too large")
    expect(overlay.locator("button")).to_have_text(rescue_text(plan))
    expect(page.locator("#play")).to_be_disabled()
    page.screenshot(path=artifacts / "present-diverged-1280.png")
    overlay.locator("button").click()
    wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "idle")
    expect(overlay).to_be_hidden()
    expect(page.locator("#present-lr")).to_have_text(f"{plan['learning_rate']:g}")
    expect(page.locator('[data-v="epoch"]')).to_have_text(f"{plan['epoch']:,}")


def test_the_words_for_a_new_run_and_a_rescue(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/static/css/style.css")  # same origin, no page scripts
    result = page.evaluate(
        """async () => {
        const { newRunLine } = await import('/static/js/views/new-run.js');
        const { rescueText } = await import('/static/js/views/rescue.js');
        const base = { dataset: 'circle', noise: 0, data_seed: 0, seed: 0, points: null,
          features: ['x1', 'x2'], hidden_layers: [8, 8], activation: 'tanh', learning_rate: 0.03 };
        const line = (change, applied) => newRunLine(base, { ...base, ...change }, applied);
        return [
          line({ learning_rate: 0.1 }, 'live'),
          line({ dataset: 'xor' }, 'data'),
          line({ data_seed: 7 }, 'data'),
          line({ dataset: 'plane' }, 'rebuild'),
          line({ hidden_layers: [4] }, 'rebuild'),
          line({ seed: 9 }, 'rebuild'),
          line({ noise: 0.2, activation: 'relu', seed: 3 }, 'rebuild'),
          newRunLine(null, base, 'data'),
          rescueText({ epoch: 1234, learning_rate: 0.015, from_learning_rate: 0.03 }),
          rescueText({ epoch: 0, learning_rate: 1e-5, from_learning_rate: 1.5e-5 }),
        ];
      }"""
    )
    assert result == [
        None,
        "New run from epoch 0: the data changed.",
        "New run from epoch 0: the data changed.",
        "New run from epoch 0: the data changed.",
        "New run from epoch 0: the network changed.",
        "New run from epoch 0: the starting weights changed.",
        "New run from epoch 0: the data, the network and the starting weights changed.",
        "New run from epoch 0: the data changed.",
        "Rewind to epoch 1,234 and continue with step size 0.015"
        " (half of 0.03, the last step size that was stable)",
        "Rewind to epoch 0 and continue with step size 0.00001"
        " (the smallest there is; 0.000015 was the last step size that was stable)",
    ]


def test_a_lesson_shows_a_divergence_on_its_board(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    session_id = open_run_page(page, server.url + "/lessons#scene=1")
    wait_for_session(page, server, session_id, lambda s: s["config"]["seed"] == 3)
    page.evaluate("window.__stepwise.run.set({ dataset: 'plane', learning_rate: 10 })")
    wait_for_session(page, server, session_id, lambda s: s["config"]["learning_rate"] == 10)
    page.click("#play")
    body = wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "diverged")
    overlay = page.locator('#live [data-v="plot"] .run-status')
    expect(overlay).to_be_visible()
    expect(overlay.locator("button")).to_have_text(rescue_text(body["state"]["rescue"]))
    for held in ("#play", '[data-act="step"]'):
        expect(page.locator(held)).to_be_disabled()
        expect(page.locator(held)).to_have_attribute("aria-describedby", "live-diverged")
    overlay.locator("button").click()
    wait_for_session(page, server, session_id, lambda s: s["state"]["status"] == "idle")
    expect(overlay).to_be_hidden()
    expect(page.locator("#play")).to_be_enabled()
