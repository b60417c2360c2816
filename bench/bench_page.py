"""How lean the playground page is, on "spiral-8-8" at full speed: the first load's bytes over the
wire, how soon the first boundary is painted, how busy the main thread is while playing at
1280x800, and paints and visible epochs per second with and without 4x CPU throttling. Each figure
is the median of several runs, printed next to the figure measured before the page was made lean.

Run from the project root: .venv/bin/python bench/bench_page.py [--runs 3] [--seconds 8]
It serves its own app on a free loopback port and drives Debian's chromium through Playwright.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.api.assets import BROTLI
from app.config import Settings
from app.main import create_app

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [  # the same as tests/browser/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SPIRAL_8_8 = (
    "dataset=spiral&n_samples=500&train_fraction=0.5&features=x1,x2&hidden_layers=8,8"
    "&activation=tanh&optimizer=sgd&learning_rate=0.03&batch_size=10&speed=full"
)
VIEWPORT = {"width": 1280, "height": 800}
READ = """() => {
  const s = window.__stepwise.stats;
  return { epoch: Number(document.querySelector('#epoch').textContent.replace(/,/g, '')),
           paints: s.paints, frames: s.frames, times: [...s.times] };
}"""
FIRST_BOUNDARY = """() => {
  const mark = performance.getEntriesByName('stepwise:first-boundary')[0];
  return mark ? mark.startTime : null;
}"""
FIRST_BOUNDARY_SEEN = "() => performance.getEntriesByName('stepwise:first-boundary').length > 0"
# The figures measured before the page was made lean (issue 13), shown beside today's.
BEFORE = {
    "load_kb": 164.0,
    "requests": 25,
    "first_boundary_s": 1.3,
    "busy": 0.84,
    "paints_4x": 6.5,
}


@contextmanager
def serve() -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread, until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(Settings()), log_level="warning", server_header=False)
    server = uvicorn.Server(config)  # served as app/cli.py serves it
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the bench server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def first_load(browser: Browser, url: str) -> dict[str, float]:
    """A cold load in a fresh context: bytes and requests over the wire (as compressed as the
    browser negotiated, headers included, the WebSocket left out, and the data: URLs of images
    drawn in the page too: they never cross the wire) and when the first boundary was painted,
    in seconds after navigation started."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    schemes: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: schemes.__setitem__(e["requestId"], e["request"]["url"].partition(":")[0]),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(f"{url}/#{SPIRAL_8_8}")
    page.wait_for_function(FIRST_BOUNDARY_SEEN)
    page.wait_for_load_state("networkidle")
    first = page.evaluate(FIRST_BOUNDARY)
    context.close()
    wire = [size for key, size in sizes.items() if schemes.get(key) in ("http", "https")]
    return {
        "load_kb": sum(wire) / 1000,
        "requests": len(wire),
        "first_boundary_s": first / 1000,
    }


def server_epoch(url: str, session: str) -> int:
    with urllib.request.urlopen(f"{url}/api/sessions/{session}", timeout=10) as answer:
        return int(json.load(answer)["state"]["epoch"])


def task_seconds(cdp: Any) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "TaskDuration"))


def playing(browser: Browser, url: str, seconds: float, throttle: float) -> dict[str, Any]:
    """Plays spiral-8-8 at full speed for `seconds` and reads what the page showed meanwhile."""
    context = browser.new_context(viewport=VIEWPORT)
    page: Page = context.new_page()
    cdp = context.new_cdp_session(page)
    page.goto(f"{url}/#{SPIRAL_8_8}")
    page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
    page.click("#play")
    # Counts are grouped ("1,234"): a page slow to paint may first show a four-digit epoch.
    page.wait_for_function(
        "() => Number(document.querySelector('#epoch').textContent.replace(/,/g, '')) > 0"
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
    page.wait_for_timeout(1000)  # let the throttled page settle into its pace
    session = page.evaluate("() => document.getElementById('app').dataset.sessionId")
    trained0 = server_epoch(url, session)
    start, busy0, t0 = page.evaluate(READ), task_seconds(cdp), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    end, busy1, t1 = page.evaluate(READ), task_seconds(cdp), time.perf_counter()
    trained1 = server_epoch(url, session)
    context.close()
    wall = t1 - t0
    paints = end["paints"] - start["paints"]
    return {
        "epochs": (end["epoch"] - start["epoch"]) / wall,
        # What the server trained meanwhile: tells a page that falls behind from a server that
        # trains less (both share this machine's cores).
        "trained": (trained1 - trained0) / wall,
        "frames": (end["frames"] - start["frames"]) / wall,
        "paints": paints / wall,
        # TaskDuration counts the renderer main thread's busy time, throttling included.
        "busy": (busy1 - busy0) / wall,
        "ms": statistics.median(end["times"][-paints:] if paints else [0.0]),
    }


def median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def num(runs: list[dict[str, Any]], key: str, digits: int) -> str:
    return f"{median(runs, key):.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    loads: list[dict[str, float]] = []
    plays: dict[float, list[dict[str, Any]]] = {1.0: [], 4.0: []}
    with serve() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for _ in range(args.runs):
            loads.append(first_load(browser, url))
        for _ in range(args.runs):
            for throttle, runs in plays.items():
                runs.append(playing(browser, url, args.seconds, throttle))
        browser.close()
    one, four = plays[1.0], plays[4.0]
    same = median(four, "epochs") / max(median(one, "epochs"), 1e-9)
    kept = median(four, "epochs") / max(median(four, "trained"), 1e-9)
    load = os.getloadavg()[0]
    coding = "brotli" if BROTLI else "gzip (the brotli package is not installed)"
    print(f"spiral-8-8, full speed, 1280x800; medians of {args.runs} runs; load average {load:.1f}")
    print(f"  static files sent as {coding}")
    print(f"  {'':40} {'before':>9} {'now':>9}   goal")
    b = BEFORE
    rows = [
        ("first load, KB over the wire", f"{b['load_kb']:.0f}", num(loads, "load_kb", 1), "<= 60"),
        ("first load, requests", f"{b['requests']}", num(loads, "requests", 0), ""),
        (
            "first boundary, s after navigation",
            f"{b['first_boundary_s']:.1f}",
            num(loads, "first_boundary_s", 2),
            "<= 0.6",
        ),
        (
            "main thread busy while playing",
            f"{b['busy']:.0%}",
            f"{median(one, 'busy'):.0%}",
            "<= 45 %",
        ),
        ("paints per second", "", num(one, "paints", 1), ""),
        ("median ms per paint", "", num(one, "ms", 2), ""),
        ("epochs per second shown", "", num(one, "epochs", 0), ""),
        ("frames per second arrived", "", num(one, "frames", 1), ""),
        ("epochs per second trained (server)", "", num(one, "trained", 0), ""),
        ("4x throttled: paints per second", f"{b['paints_4x']}", num(four, "paints", 1), ">= 20"),
        ("4x throttled: main thread busy", "", f"{median(four, 'busy'):.0%}", ""),
        ("4x throttled: frames per second arrived", "", num(four, "frames", 1), ""),
        ("4x throttled: epochs per second shown", "", num(four, "epochs", 0), ""),
        ("4x throttled: epochs per second trained", "", num(four, "trained", 0), ""),
        ("4x / 1x epochs per second shown", "", f"{same:.2f}", "0.8 - 1.2"),
        ("4x: shown / trained (page keeps up)", "", f"{kept:.2f}", ""),
    ]
    for label, before, now, goal in rows:
        print(f"  {label:40} {before:>9} {now:>9}   {goal}")


if __name__ == "__main__":
    main()
