"""Helpers for the classroom pages' browser tests: open a page, read its numbers, ask the API."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.conftest import LiveServer


def collect_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of `page`, gathered as they happen."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def open_run_page(page: Page, url: str) -> str:
    """Open a classroom page, wait for its run and a first painted frame; return the run's id."""
    page.goto(url)
    page.wait_for_function("() => window.__stepwise && window.__stepwise.run.id")
    page.wait_for_function("() => window.__stepwise.stats.paints > 0")
    return str(page.evaluate("window.__stepwise.run.id"))


def shown(page: Page, name: str, scope: str = "") -> int:
    """A counter the page shows (data-v="epoch", …) as a number."""
    text = page.inner_text(f'{scope} [data-v="{name}"]'.strip())
    return int(text.replace(",", ""))


def session(page: Page, server: LiveServer, session_id: str) -> dict[str, Any]:
    response = page.request.get(f"{server.url}/api/sessions/{session_id}")
    assert response.status == 200
    body: dict[str, Any] = response.json()
    return body


def wait_for_session(
    page: Page, server: LiveServer, session_id: str, check: Any, tries: int = 200
) -> dict[str, Any]:
    """Polls the session until check(body) holds (the server acts on socket messages later)."""
    for _ in range(tries):
        body = session(page, server, session_id)
        if check(body):
            return body
        page.wait_for_timeout(25)
    raise AssertionError(f"the session never got there: {body['config']} {body['state']}")


def create_session(page: Page, server: LiveServer, **config: Any) -> tuple[str, str]:
    response = page.request.post(f"{server.url}/api/sessions", data=config)
    assert response.status == 201
    body = response.json()
    return body["id"], body["token"]


def train(page: Page, server: LiveServer, session_id: str, token: str, epochs: int) -> None:
    response = page.request.post(
        f"{server.url}/api/sessions/{session_id}/step",
        data={"epochs": epochs},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200


def wait_for_shown_above(page: Page, name: str, value: int) -> None:
    """Waits until the counter data-v=`name` shows more than `value`."""
    page.wait_for_function(
        "([name, value]) => Number(document.querySelector(`[data-v=${name}]`)"
        ".textContent.replace(/,/g, '')) > value",
        arg=[name, value],
    )
