"""The playground on one screen: what the first minute needs, visible without scrolling,
read left to right (data → network → output); on a phone one column, the plot first."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import open_playground
from tests.conftest import LiveServer

# What a first-time visitor must see at once: the controls, the data, the network, the output.
FIRST_LOOK = [
    "#play",
    "#step",
    "#reset",
    "#lr-slider",
    "#lr-value",
    "#dataset-picker",
    "#network",
    "#plot",
    "#chart",
]


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width} px)"


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768), (1920, 1080)])
def test_the_first_look_fits_one_screen(
    browser: Browser, server: LiveServer, size: tuple[int, int]
) -> None:
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        open_playground(page, server.url + "/")
        for selector in FIRST_LOOK:
            b = box(page, selector)
            assert b["y"] >= 0 and b["y"] + b["height"] <= height, f"{selector} is cut: {b}"
            assert b["x"] >= 0 and b["x"] + b["width"] <= width, f"{selector} is cut: {b}"
        data, network, plot, chart = (
            box(page, s) for s in ("#dataset-picker", "#network", "#plot", "#chart")
        )
        # Data → network → output, left to right.
        assert data["x"] + data["width"] <= network["x"]
        assert network["x"] + network["width"] <= plot["x"]
        assert plot["x"] + plot["width"] <= chart["x"]
        no_sideways_scroll(page)
    finally:
        page.close()


def test_a_phone_shows_the_plot_then_play_then_the_loss(
    browser: Browser, server: LiveServer
) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        open_playground(page, server.url + "/")
        plot, play, step_size, chart = (
            box(page, s) for s in ("#plot", "#play", "#lr-value", "#chart")
        )
        assert plot["y"] + plot["height"] <= play["y"]
        assert play["y"] <= step_size["y"] < chart["y"]
        assert plot["y"] < 800, "the plot is the first thing under the page's name"
        for b in (plot, play, chart):
            assert b["x"] >= 0 and b["x"] + b["width"] <= 375
        no_sideways_scroll(page)
    finally:
        page.close()


def test_folded_sections_remember_their_state(page: Page, server: LiveServer) -> None:
    open_playground(page, server.url + "/")
    inputs = page.locator('details[data-fold="inputs"]')
    expect(inputs).not_to_have_attribute("open", "")
    expect(page.locator("#features")).to_be_hidden()
    inputs.locator("summary").click()
    expect(page.locator("#features")).to_be_visible()
    page.locator('details[data-fold="timeline"] summary').click()  # open by default: fold it
    expect(page.locator("#timeline")).to_be_hidden()
    open_playground(page, server.url + "/")
    expect(page.locator("#features")).to_be_visible()
    expect(page.locator("#timeline")).to_be_hidden()


def test_hovering_a_neuron_shows_it_large_beside_it(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_playground(page, server.url + "/")
    page.click("#step")
    page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) >= 1")
    neuron = page.locator(".neuron.hidden").nth(2)
    neuron.hover()
    zoom = page.locator(".net-zoom")
    expect(zoom).to_be_visible()
    big, small = box(page, ".net-zoom"), box(page, ".neuron.hidden >> nth=2")
    assert big["width"] >= 4 * small["width"]
    assert big["y"] >= 0 and big["y"] + big["height"] <= 800, "the large view is on screen"
    gap = max(big["x"] - (small["x"] + small["width"]), small["x"] - (big["x"] + big["width"]))
    assert gap < 40, "the large view sits beside the neuron"
    # It shows the neuron's own map: not blank paper.
    colours: Any = page.evaluate(
        """() => {
          const c = document.querySelector('.net-zoom');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
          return seen.size;
        }"""
    )
    assert colours > 3
    page.mouse.move(5, 5)
    expect(zoom).to_be_hidden()
