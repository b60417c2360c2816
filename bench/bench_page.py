"""How fast the playground page shows training: epochs per second on its own counter, paints per
second, and the median cost of one paint, on "spiral-8-8" at full speed for 20 seconds.

Run from the project root: .venv/bin/python bench/bench_page.py [--seconds 20]
It serves its own app on a free loopback port and drives Debian's chromium through Playwright.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    "&activation=tanh&optimizer=sgd&learning_rate=0.03&batch_size=10"
)
READ = """() => {
  const s = window.__stepwise.stats;
  return { epoch: Number(document.querySelector('#epoch').textContent.replace(/,/g, '')),
           paints: s.paints, frames: s.frames, times: [...s.times] };
}"""


@contextmanager
def serve() -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread, until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings()), log_level="warning"))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with serve() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/#{SPIRAL_8_8}")
        page.wait_for_function("() => window.__stepwise && window.__stepwise.stats.paints > 0")
        page.click("#play")
        page.wait_for_function("() => Number(document.querySelector('#epoch').textContent) > 0")
        start, t0 = page.evaluate(READ), time.perf_counter()
        page.wait_for_timeout(args.seconds * 1000)
        end, t1 = page.evaluate(READ), time.perf_counter()
        browser.close()
    seconds = t1 - t0
    paints = end["paints"] - start["paints"]
    times = end["times"][-paints:] if paints else [0.0]
    print(f"spiral-8-8, full speed, {seconds:.1f} s of page time")
    print(f"  epochs per second shown   {(end['epoch'] - start['epoch']) / seconds:10.0f}")
    print(f"  frames per second arrived {(end['frames'] - start['frames']) / seconds:10.1f}")
    print(f"  paints per second         {paints / seconds:10.1f}")
    print(f"  median ms per paint       {statistics.median(times):10.2f}")
    print(f"  95th percentile ms        {sorted(times)[int(0.95 * (len(times) - 1))]:10.2f}")


if __name__ == "__main__":
    main()
