"""Pause always pauses, under load: while ten other runs play at full speed, a page plays and
pauses its own run again and again. After every pause the page shows "idle" within 250 ms of
the click (timed in the page, from the click to the status change the server's message makes),
stays idle after its next paints, and the server says idle with an epoch that no longer moves.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Frame, Page, expect
from websockets.sync.client import connect

from tests.browser.classroom import open_run_page
from tests.browser.course import heard, host_page
from tests.browser.helpers import open_playground
from tests.conftest import LiveServer

LOAD = 10  # other sessions playing at full speed meanwhile
BOUND_MS = 250  # click to "idle" shown, for every pause
SETTLE_MS = 80  # after the pause shows: more than two frame periods, and a few paints

# One cycle in the page: play, wait until it shows running, hold, pause; time the pause from
# the click to the data-status change, which happens as the server's message is handled.
CYCLE = """async ([root, play, hold, limit]) => {
  const node = document.querySelector(root);
  const until = (want) => new Promise((resolve, reject) => {
    if (node.dataset.status === want) { resolve(performance.now()); return; }
    const timer = setTimeout(() => {
      seen.disconnect();
      reject(new Error(`still ${node.dataset.status}, waited for ${want}`));
    }, limit);
    const seen = new MutationObserver(() => {
      if (node.dataset.status !== want) return;
      const now = performance.now();
      clearTimeout(timer);
      seen.disconnect();
      resolve(now);
    });
    seen.observe(node, { attributes: true, attributeFilter: ["data-status"] });
  });
  const click = () => document.querySelector(play).click();
  click();
  await until("running");
  await new Promise((resolve) => setTimeout(resolve, hold));
  // For a failure's message: how long the page itself was busy, and what it received meanwhile.
  let blocked = 0;
  const busy = new PerformanceObserver((list) => {
    for (const task of list.getEntries()) blocked += task.duration;
  });
  busy.observe({ type: "longtask" });
  const frames = window.__stepwise.stats.frames;
  const start = performance.now();
  click();
  const ms = (await until("idle")) - start;
  for (const task of busy.takeRecords()) blocked += task.duration;
  busy.disconnect();
  return { ms, blocked, frames: window.__stepwise.stats.frames - frames };
}"""

# The same from a course page holding the embed: commands by postMessage, answers heard back.
HOST_CYCLE = """async ([hold, limit]) => {
  const until = (want) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no state ${want} heard`)), limit);
    const hear = (event) => {
      if (event.data?.type !== "state" || event.data.status !== want) return;
      const now = performance.now();
      clearTimeout(timer);
      removeEventListener("message", hear);
      resolve(now);
    };
    addEventListener("message", hear);
  });
  const running = until("running");
  send({ stepwise: 1, type: "play" });
  await running;
  await new Promise((resolve) => setTimeout(resolve, hold));
  const idle = until("idle");
  const start = performance.now();
  send({ stepwise: 1, type: "pause" });
  return (await idle) - start;
}"""

# After the pause: the page still shows idle once it has painted what came before, and the
# server's run is idle and does not move on.
SETTLED = """async ([root, path, settle]) => {
  const read = async () => {
    const body = await (await fetch(path)).json();
    const state = body.state ?? { status: body.status, epoch: body.runs[0].state.epoch };
    return { status: state.status, epoch: state.epoch };
  };
  const first = await read();
  await new Promise((resolve) => setTimeout(resolve, settle));
  const shown = document.querySelector(root).dataset.status;
  return { first, shown, later: await read() };
}"""


def holds(cycles: int) -> list[int]:
    """How long each cycle plays before the pause, 0 to 90 ms: right after play, and later."""
    return [(37 * i) % 91 for i in range(cycles)]


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        result: dict[str, Any] = json.load(response)
        return result


def delete(url: str, token: str) -> None:
    request = urllib.request.Request(
        url, method="DELETE", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def play_and_watch(ws_url: str, token: str, ready: threading.Event, stop: threading.Event) -> None:
    """A viewer that drives one session at full speed and keeps reading its frames."""
    with connect(ws_url, max_size=2**22) as socket:
        for message in ({"type": "auth", "token": token}, {"type": "speed"}, {"type": "play"}):
            socket.send(json.dumps(message))
        while not stop.is_set():
            try:
                message = socket.recv(timeout=0.5)
            except TimeoutError:
                continue
            if isinstance(message, str) and '"running"' in message:
                ready.set()


@pytest.fixture(scope="module")
def load(server: LiveServer) -> Iterator[list[str]]:
    """Ten sessions playing at full speed, each with a viewer, for the whole module."""
    stop = threading.Event()
    made = [post_json(f"{server.url}/api/sessions", {}) for _ in range(LOAD)]
    readies = [threading.Event() for _ in made]
    threads = [
        threading.Thread(
            target=play_and_watch,
            args=(f"{server.ws_url}/api/sessions/{m['id']}/ws", m["token"], ready, stop),
            daemon=True,
        )
        for m, ready in zip(made, readies, strict=True)
    ]
    for thread in threads:
        thread.start()
    assert all(ready.wait(10) for ready in readies), "the load did not start playing"
    yield [m["id"] for m in made]
    stop.set()
    for thread in threads:
        thread.join(5)
    for m in made:
        delete(f"{server.url}/api/sessions/{m['id']}", m["token"])


def check_playing(server: LiveServer, ids: list[str]) -> None:
    for session_id in ids:
        with urllib.request.urlopen(f"{server.url}/api/sessions/{session_id}") as response:
            assert json.load(response)["state"]["status"] == "running"


def settled(context: Page | Frame, root: str, path: str) -> None:
    """After a pause: idle on the page and on the server, and the epoch stays where it was."""
    after = context.evaluate(SETTLED, [root, path, SETTLE_MS])
    assert after["shown"] == "idle", after
    assert after["first"]["status"] == after["later"]["status"] == "idle", after
    assert after["later"]["epoch"] == after["first"]["epoch"], after


def cycle_page(page: Page, root: str, play: str, path: str, cycles: int) -> list[float]:
    times = []
    for i, hold in enumerate(holds(cycles)):
        cycle = page.evaluate(CYCLE, [root, play, hold, 5000])
        times.append(cycle["ms"])
        settled(page, root, path)
        assert cycle["ms"] <= BOUND_MS, (
            f"pause {i + 1} showed after {cycle['ms']:.0f} ms; meanwhile the page was busy for"
            f" {cycle['blocked']:.0f} ms in long tasks and received {cycle['frames']} frames"
        )
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    print(
        f"\n{name}: {len(times)} pauses, click to idle median {ordered[len(ordered) // 2]:.0f} ms,"
        f" 95th {ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms, max {ordered[-1]:.0f} ms"
    )


def test_the_playground_pauses_every_time(page: Page, server: LiveServer, load: list[str]) -> None:
    session_id = open_playground(page, server.url + "/")
    times = cycle_page(page, "#app", "#play", f"/api/sessions/{session_id}", 200)
    expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    check_playing(server, load)  # the load was there all along
    report("playground", times)


def test_compare_pauses_every_time(page: Page, server: LiveServer, load: list[str]) -> None:
    page.goto(server.url + "/compare")
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.frames > 0")
    expect(page.locator("#server-status")).to_have_attribute("data-state", "ready")
    comparison_id = page.evaluate("window.__stepwise.link.id")
    times = cycle_page(page, "#compare", "#play", f"/api/comparisons/{comparison_id}", 30)
    check_playing(server, load)
    report("compare", times)


def test_present_pauses_every_time(page: Page, server: LiveServer, load: list[str]) -> None:
    session_id = open_run_page(page, server.url + "/present")
    times = cycle_page(page, "#app", "#play", f"/api/sessions/{session_id}", 30)
    check_playing(server, load)
    report("present", times)


def test_the_embed_pauses_at_its_hosts_word_every_time(
    page: Page, server: LiveServer, course_port: int, load: list[str]
) -> None:
    host_page(page, f"http://localhost:{course_port}", f"{server.url}/embed?dataset=xor")
    heard(page, "ready")
    embed = next(f for f in page.frames if f.url.startswith(server.url))
    embed.wait_for_function("() => window.__stepwise.stats.paints > 0")
    session_id = embed.evaluate("window.__stepwise.run.id")
    times = []
    for i, hold in enumerate(holds(30)):
        ms = float(page.evaluate(HOST_CYCLE, [hold, 5000]))
        times.append(ms)
        settled(embed, "#app", f"/api/sessions/{session_id}")
        assert ms <= BOUND_MS, f"pause {i + 1} was heard after {ms:.0f} ms"
    check_playing(server, load)
    report("embed", times)
