"""A course site for the embed's browser tests: one page holding an iframe of the embed, which
records every message the embed posts (`heard`) and can post commands to it (`send`)."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from playwright.sync_api import Page

COURSE_PAGE = """<!doctype html><html><body>
  <iframe id="f" src="{src}" width="{width}" height="400" title="Stepwise"
          onload="this.dataset.loaded = '1'"></iframe>
  <script>
    window.heard = [];
    addEventListener("message", (event) => {{
      const data = event.data;
      if (data && data.stepwise === 1) heard.push({{...data, origin: event.origin}});
    }});
    window.send = (message) => document.getElementById("f").contentWindow.postMessage(message, "*");
  </script></body></html>"""


class CoursePage(BaseHTTPRequestHandler):
    """A course site: one page holding an iframe of ?src=…, recording what the embed says."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/":  # the browser's favicon request: nothing to see
            self.send_response(204)
            self.end_headers()
            return
        query = parse_qs(url.query)
        body = COURSE_PAGE.format(
            src=html.escape(query["src"][0]), width=int(query.get("width", ["320"])[0])
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def course_site() -> Iterator[int]:
    """Serves the course site on 127.0.0.1 until closed; as http://localhost:PORT it is another
    origin than the server under test. Yields its port."""
    site = ThreadingHTTPServer(("127.0.0.1", 0), CoursePage)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield site.server_address[1]
    site.shutdown()


def host_page(page: Page, origin: str, src: str, width: int = 320) -> None:
    page.goto(f"{origin}/?src={quote(src, safe='')}&width={width}")


def heard(page: Page, kind: str, check: str = "true", since: int = 0) -> Any:
    """Waits for a message of `kind`, after the first `since`, for which `check` (over m) holds."""
    found = f"heard.slice({since}).filter((m) => m.type === '{kind}' && ({check}))"
    page.wait_for_function(f"() => {found}.length > 0")
    return page.evaluate(f"() => {found}.at(-1)")


def send(page: Page, message: str) -> int:
    """Posts `message` (a JS object literal) to the embed; returns how many were heard before."""
    count: int = page.evaluate("heard.length")
    page.evaluate(f"send({message})")
    return count
