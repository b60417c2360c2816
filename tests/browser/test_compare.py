"""The compare page: runs from one start in lock-step, their outcomes, the URL, a phone."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import LiveServer

RUNS = ".run[data-run-id]"
PANELS = "() => [...document.querySelectorAll('.run')]"
# Every panel's fingerprint of its boundary canvas, computed in the page.
HEATS = f"""() => ({PANELS})().map((run) => {{
  const canvas = run.querySelector('canvas.heat');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let hash = 2166136261;
  for (let i = 0; i < data.length; i += 1) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
  return hash;
}})"""


def open_compare(page: Page, url: str, count: int = 3, errors: list[str] | None = None) -> str:
    """Open /compare, wait until every run has shown a frame; return the comparison's id."""
    if errors is not None:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    expect(page.locator(RUNS)).to_have_count(count)
    page.wait_for_function(f"() => ({PANELS})().every((r) => r.dataset.trainLoss)")
    comparison_id = page.locator("#compare").get_attribute("data-comparison-id")
    assert comparison_id
    return comparison_id


def comparison(page: Page, base_url: str, comparison_id: str) -> dict[str, Any]:
    response = page.request.get(f"{base_url}/api/comparisons/{comparison_id}")
    assert response.status == 200
    body: dict[str, Any] = response.json()
    return body


def panels(page: Page) -> list[dict[str, str]]:
    result: list[dict[str, str]] = page.evaluate(
        f"() => ({PANELS})().map((r) => ({{ ...r.dataset, "
        "epoch: r.querySelector('.run-epoch').textContent }))"
    )
    return result


def test_three_step_sizes_from_one_start_end_three_ways(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    errors: list[str] = []
    page.set_viewport_size({"width": 1500, "height": 950})
    comparison_id = open_compare(page, server.url + "/compare", errors=errors)
    start = panels(page)
    assert [p["value"] for p in start] == ["0.0001", "0.03", "3"]
    assert len({p["trainLoss"] for p in start}) == 1  # the same data and the same weights

    page.click("#play")
    expect(page.locator("#compare")).to_have_attribute("data-status", "running")
    page.wait_for_function(
        "() => Number(document.querySelector('#group-epoch').value.replace(/,/g, '')) >= 150"
    )
    page.click("#play")
    expect(page.locator("#compare")).to_have_attribute("data-status", "idle")
    # Lock-step: once the last frames are in, every panel shows the same epoch, and verdicts.
    page.wait_for_function(
        f"""() => {{ const runs = ({PANELS})();
          return new Set(runs.map((r) => r.querySelector('.run-epoch').textContent)).size === 1
            && runs.every((r) => r.dataset.verdict && r.dataset.verdict !== 'ready'); }}"""
    )
    tiny, moderate, big = panels(page)
    first = float(start[0]["trainLoss"])
    assert tiny["verdict"] == "crawling"
    assert float(tiny["trainLoss"]) > 0.75 * first  # tiny steps barely moved
    assert moderate["verdict"] in ("settled", "learning")
    assert float(moderate["trainLoss"]) < 0.2 * first  # moderate steps settled lower
    # Big steps never settle; whether the page has yet called it oscillating depends on how
    # many epochs each history point spans, so only "not settled" is certain.
    assert big["verdict"] not in ("settled", "learning")
    assert float(big["trainLoss"]) > float(moderate["trainLoss"])  # big steps never settled
    body = comparison(page, server.url, comparison_id)
    assert {run["state"]["epoch"] for run in body["runs"]} == {int(tiny["epoch"].split()[1])}
    shared = [{k: v for k, v in r["config"].items() if k != "learning_rate"} for r in body["runs"]]
    assert shared[0] == shared[1] == shared[2]  # they differ only in the step size
    expect(page.locator(".marker-list .mark").first).to_be_visible()  # markers came by themselves
    page.screenshot(path=artifacts / "compare-wide.png", full_page=True)

    # The shared scrubber: every panel shows the start, then live again.
    live = page.evaluate(HEATS)
    page.focus("#timeline-scrubber")
    page.keyboard.press("Home")
    page.wait_for_function(f"() => ({PANELS})().every((r) => r.dataset.shown.startsWith('past'))")
    page.wait_for_function(f"(live) => ({HEATS})().every((h, i) => h !== live[i])", arg=live)
    page.click("#timeline-live")
    page.wait_for_function(f"() => ({PANELS})().every((r) => r.dataset.shown === 'live')")
    page.wait_for_function(f"(live) => ({HEATS})().every((h, i) => h === live[i])", arg=live)
    assert errors == []


def test_stepped_to_600_epochs_the_default_shows_a_crawl_a_settle_and_a_swing_at_once(
    page: Page, server: LiveServer
) -> None:
    comparison_id = open_compare(page, server.url + "/compare")
    token = page.evaluate("window.__stepwise.link.token")
    for _ in range(60):  # epoch by epoch would take long; 10 at a time is one history point each
        response = page.request.post(
            f"{server.url}/api/comparisons/{comparison_id}/step",
            data={"epochs": 10},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 200
    expect(page.locator("#group-epoch")).to_have_text("600")
    tiny, moderate, big = (page.locator(f".run[data-index='{i}']") for i in range(3))
    expect(tiny).to_have_attribute("data-verdict", "crawling")
    expect(moderate).to_have_attribute("data-verdict", "settled")
    expect(big).to_have_attribute("data-verdict", "oscillating")
    expect(tiny.locator(".verdict")).to_have_text("Crawling: the loss falls, but slowly")
    expect(moderate.locator(".verdict")).to_have_text("Settled: the boundary has stopped moving")
    # All three at the same moment, as a visitor sees them.
    kinds = page.evaluate(f"() => ({PANELS})().map((r) => r.dataset.verdict)")
    assert kinds == ["crawling", "settled", "oscillating"]


def test_changing_what_varies_keeps_four_runs_and_renames_the_page(
    page: Page, server: LiveServer
) -> None:
    open_compare(page, server.url + "/compare")
    tagline = page.locator(".masthead .brand p")
    expect(tagline).to_have_text(
        "One start, different step sizes: small steps settle, tiny steps crawl, big steps never"
        " settle."
    )
    expect(page).to_have_title("Stepwise — compare step sizes")
    page.click("#add-run")
    expect(page.locator(RUNS)).to_have_count(4)
    page.select_option("#vary", "optimizer")
    page.wait_for_function("() => location.hash.includes('vary=optimizer')")
    expect(page.locator(RUNS)).to_have_count(4)
    page.wait_for_function(
        f"() => ({PANELS})().map((r) => r.dataset.value).join() === 'sgd,momentum,adam,rmsprop'"
    )
    comparison_id = page.locator("#compare").get_attribute("data-comparison-id")
    assert comparison_id
    body = comparison(page, server.url, comparison_id)
    assert body["vary"] == "optimizer"
    assert body["values"] == ["sgd", "momentum", "adam", "rmsprop"]
    expect(tagline).to_have_text(
        "One start, different optimizers: different rules for turning the error into a step."
    )
    expect(page).to_have_title("Stepwise — compare optimizers")
    page.select_option("#vary", "batch_size")  # four again, from the new field's values
    page.wait_for_function("() => location.hash.includes('values=1;10;250;50')")
    expect(page.locator(RUNS)).to_have_count(4)
    expect(page).to_have_title("Stepwise — compare batch sizes")


def test_a_value_edited_in_place_and_the_url_rebuild_the_comparison(
    page: Page, server: LiveServer
) -> None:
    comparison_id = open_compare(page, server.url + "/compare#dataset=xor&seed=4")
    page.click("#step")
    expect(page.locator("#group-epoch")).to_have_text("1")
    editor = page.locator(".run[data-index='2'] .value-input")
    editor.fill("0.3")
    editor.press("Enter")
    page.wait_for_function("() => location.hash.includes('values=0.0001;0.03;0.3')")
    expect(page.locator("#group-epoch")).to_have_text("0")  # a fair restart from the shared start
    body = comparison(page, server.url, comparison_id)
    assert body["values"] == [0.0001, 0.03, 0.3]
    assert [run["config"]["learning_rate"] for run in body["runs"]] == [0.0001, 0.03, 0.3]
    assert {run["config"]["dataset"] for run in body["runs"]} == {"xor"}
    losses = [p["trainLoss"] for p in panels(page)]

    # The URL holds the whole comparison: opened again, it makes the same runs from the same start.
    url = page.url
    other = page.context.new_page()
    other_id = open_compare(other, url)
    assert other_id != comparison_id
    again = comparison(other, server.url, other_id)
    assert again["values"] == [0.0001, 0.03, 0.3]
    assert again["runs"][0]["config"]["seed"] == 4
    assert [p["trainLoss"] for p in panels(other)] == losses

    # Up to four runs; each can be removed again down to two.
    other.click("#add-run")
    expect(other.locator(RUNS)).to_have_count(4)
    expect(other.locator("#add-run")).to_be_disabled()
    other.click(".run[data-index='0'] .run-remove")
    expect(other.locator(RUNS)).to_have_count(3)
    other.wait_for_function("() => location.hash.includes('values=0.03;0.3;')")
    other.close()


def test_a_phone_sees_the_runs_stacked_without_horizontal_scroll(
    page: Page, server: LiveServer, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_compare(page, server.url + "/compare")
    page.click("#step")
    expect(page.locator("#group-epoch")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    boxes = [page.locator(f".run[data-index='{i}']").bounding_box() for i in range(3)]
    assert all(box is not None for box in boxes)
    lefts = {round(box["x"]) for box in boxes if box}
    assert len(lefts) == 1  # stacked, one above the other
    page.screenshot(path=artifacts / "compare-narrow.png", full_page=True)


def test_a_comparison_the_server_forgot_is_made_again_and_the_page_says_so(
    page: Page, server: LiveServer
) -> None:
    errors: list[str] = []
    comparison_id = open_compare(page, server.url + "/compare#dataset=xor&seed=4", errors=errors)
    page.click("#step")
    expect(page.locator("#group-epoch")).to_have_text("1")
    expect(page.locator("#ended")).to_be_hidden()
    token = page.evaluate("window.__stepwise.link.token")
    response = page.request.delete(
        f"{server.url}/api/comparisons/{comparison_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 204  # as after an idle expiry: the server closes the socket
    expect(page.locator("#compare")).not_to_have_attribute("data-comparison-id", comparison_id)
    expect(page.locator("#ended")).to_be_visible()
    expect(page.locator("#ended p")).to_have_text(
        "This run ended (the server restarted, or it sat idle for 30 minutes)."
        " Started again from the link."
    )
    expect(page.locator("#group-epoch")).to_have_text("0")  # from the start, and it says so
    new_id = page.locator("#compare").get_attribute("data-comparison-id")
    assert new_id
    assert comparison(page, server.url, new_id)["runs"][0]["config"]["seed"] == 4
    assert errors == []
