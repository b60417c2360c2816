from fastapi.testclient import TestClient

from app import __version__


def test_healthz_reports_ok_and_version(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_playground_page_loads_its_module(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    base = client.app.state.assets.base  # type: ignore[attr-defined]
    assert f'<script type="module" src="{base}/js/pages/playground.js"' in response.text
    module = client.get(f"{base}/js/pages/playground.js")
    assert module.status_code == 200
    assert "javascript" in module.headers["content-type"]
