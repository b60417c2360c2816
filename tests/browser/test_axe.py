"""axe-core finds no accessibility violations on any page, on a laptop and on a phone, before
and after some training. axe comes from node_modules (`make test-browser` installs it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import LiveServer

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = [(1280, 800), (375, 812)]
# The builder's preview is /embed, checked on its own; the preview's frame is left out there.
RUN_AXE = """async () => {
  const result = await axe.run(document, { iframes: false, resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
}"""


def readable(violations: list[dict[str, Any]]) -> str:
    """The violations as a report a person can act on: rule, impact, and each element."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join(str(node["summary"]).split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def check(page: Page, where: str) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    assert violations == [], f"axe on {where}:\n{readable(violations)}"


def play_for_a_while(page: Page, epoch: str, play: Callable[[], None]) -> None:
    """Plays until the page's epoch readout passes 20, then pauses."""
    play()
    page.wait_for_function(
        "(sel) => Number(document.querySelector(sel).textContent.replace(/,/g, '')) > 20", arg=epoch
    )
    play()
    page.wait_for_function(
        "() => document.querySelector('#play').getAttribute('aria-pressed') !== 'true'"
    )


def create_run(page: Page, server: LiveServer) -> tuple[str, str]:
    response = page.request.post(f"{server.url}/api/sessions", data={"n_samples": 60})
    assert response.status == 201
    body = response.json()
    return str(body["id"]), str(body["token"])


@pytest.fixture(params=VIEWPORTS, ids=lambda v: f"{v[0]}px")
def axe_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A page of the given width; the pages' CSP would refuse the injected axe script."""
    assert AXE.exists(), "axe-core is not installed: run `npm install` (make test-browser does)"
    width, height = request.param
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    yield context.new_page()
    context.close()


def click(page: Page, selector: str) -> Callable[[], None]:
    return lambda: page.click(selector)


def key(page: Page, name: str) -> Callable[[], None]:
    return lambda: page.keyboard.press(name)


PLAYED = [
    ("/", "#epoch", "#play"),
    ("/compare", "#group-epoch", "#play"),
    ("/lessons", '[data-v="epoch"]', "#play"),
    ("/present", '[data-v="epoch"]', "Space"),
    ("/embed", '[data-v="epoch"]', "#play"),
]


@pytest.mark.parametrize(("path", "epoch", "control"), PLAYED, ids=[p[0] for p in PLAYED])
def test_pages_have_no_violations_before_and_after_training(
    axe_page: Page, server: LiveServer, path: str, epoch: str, control: str
) -> None:
    page = axe_page
    page.goto(server.url + path)
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
    check(page, f"{path} before training")
    act = key(page, control) if control == "Space" else click(page, control)
    play_for_a_while(page, epoch, act)
    check(page, f"{path} after training")


def test_watch_page_has_no_violations_before_and_after_training(
    axe_page: Page, server: LiveServer
) -> None:
    page = axe_page
    session_id, token = create_run(page, server)
    page.goto(f"{server.url}/watch/{session_id}")
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
    check(page, "/watch before training")
    stepped = page.request.post(
        f"{server.url}/api/sessions/{session_id}/step",
        data={"epochs": 40},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert stepped.status == 200
    page.wait_for_function(
        "() => document.querySelector('[data-v=\"epoch\"]').textContent === '40'"
    )
    check(page, "/watch after training")


def test_builder_has_no_violations_before_and_after_its_preview_trains(
    axe_page: Page, server: LiveServer
) -> None:
    page = axe_page
    page.goto(f"{server.url}/embed/builder")
    preview = page.frame_locator("#preview")
    preview.locator("#app[data-connection]").wait_for()
    check(page, "/embed/builder before training")
    page.click('[data-send="play"]')
    page.wait_for_function(
        "() => [...document.querySelectorAll('#log li strong')]"
        ".some((name) => name.textContent === 'progress')"
    )
    page.click('[data-send="pause"]')
    check(page, "/embed/builder after training")
