"""The URL hash reproduces a run's start; custom points go to the server."""

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    FINGERPRINT_NOW,
    heat_fingerprint,
    open_playground,
    session_state,
    unfold,
)
from tests.conftest import LiveServer


def test_reloading_the_hash_gives_the_same_starting_boundary(
    page: Page, server: LiveServer
) -> None:
    open_playground(page, server.url + "/#dataset=circle&hidden_layers=6,3&seed=7")
    first = heat_fingerprint(page)
    unfold(page, "training")
    page.fill("#seed", "8")
    page.press("#seed", "Enter")
    page.wait_for_function("() => location.hash.includes('seed=8')")
    page.wait_for_function(
        "(first) => (" + FINGERPRINT_NOW + ") !== first", arg=first
    )  # a new seed, a new start
    eighth = heat_fingerprint(page)
    shared = page.url
    assert "dataset=circle" in shared and "hidden_layers=6,3" in shared

    page.goto("about:blank")
    open_playground(page, shared)
    expect(page.locator("#seed")).to_have_value("8")
    assert heat_fingerprint(page) == eighth


def test_clicking_the_plot_adds_a_point_and_shift_click_removes_it(
    page: Page, server: LiveServer
) -> None:
    session_id = open_playground(page, server.url + "/#dataset=gauss&n_samples=100")
    page.locator('#point-class-choices input[value="1"]').check()
    plot = page.locator("#plot canvas.points")
    box = plot.bounding_box()
    assert box
    # (x1, x2) = (-4.5, 4.5): far from both blobs, so the removal below finds this point.
    spot = {"x": box["width"] * (1.5 / 12), "y": box["height"] * (1.5 / 12)}
    plot.click(position=spot)
    expect(page.locator('input[name="dataset"][value="custom"]')).to_be_checked()
    page.wait_for_function("() => location.hash.includes('dataset=custom')")
    for _ in range(100):
        config = session_state(page, server.url, session_id)["config"]
        if config["dataset"] == "custom":
            break
        page.wait_for_timeout(50)
    assert config["dataset"] == "custom"
    assert len(config["points"]) == 101
    assert [-4.6, 4.4, 1] < config["points"][-1] < [-4.4, 4.6, 1]

    plot.click(position=spot, modifiers=["Shift"])
    for _ in range(100):
        config = session_state(page, server.url, session_id)["config"]
        if len(config["points"]) == 100:
            break
        page.wait_for_timeout(50)
    assert len(config["points"]) == 100
