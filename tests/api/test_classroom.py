"""Sharing with a room: short watch links, QR codes, oEmbed, and who may frame the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.sessions.local import CODE_ALPHABET
from tests.api.helpers import assert_error, create


def test_a_short_watch_link_leads_to_the_session(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=50)
    response = client.get(f"/api/sessions/{session_id}/share")
    assert response.status_code == 200
    share = response.json()
    assert len(share["code"]) == 8 and set(share["code"]) <= set(CODE_ALPHABET)
    assert share["viewers"] == 0
    assert share["watch_url"].endswith(f"/w/{share['code']}")
    assert client.get(f"/api/sessions/{session_id}/share").json()["code"] == share["code"]
    hop = client.get(f"/w/{share['code']}", follow_redirects=False)
    assert hop.status_code == 307 and hop.headers["location"] == f"/watch/{session_id}"
    lower = client.get(f"/w/{share['code'].lower()}", follow_redirects=False)
    assert lower.headers["location"] == f"/watch/{session_id}"
    assert_error(client.get("/w/NOPE2345", follow_redirects=False), 404, "not_found", "code")


def test_the_qr_code_is_an_svg(client: TestClient) -> None:
    session_id, _, _ = create(client, n_samples=50)
    response = client.get(f"/api/sessions/{session_id}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg") and "path" in response.text


def test_oembed_answers_for_embed_urls_of_this_site(client: TestClient) -> None:
    url = "http://testserver/embed?dataset=xor&controls=play,learning_rate#seed=3"
    response = client.get("/oembed", params={"url": url, "maxwidth": 400})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "rich" and body["version"] == "1.0" and body["width"] == 400
    assert (
        'src="http://testserver/embed?dataset=xor&amp;controls=play%2Clearning_rate#seed=3"'
        in (body["html"])
    )
    assert 'title="' in body["html"]
    other = client.get("/oembed", params={"url": "http://elsewhere.example/embed"})
    assert_error(other, 404, "not_found", "url")
    xml = client.get("/oembed", params={"url": url, "format": "xml"})
    assert_error(xml, 501, "not_json", "format")


def test_pages_may_not_be_framed_but_the_embed_may() -> None:
    with TestClient(create_app(Settings())) as client:
        page = client.get("/")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        embed = client.get("/embed")
        assert "frame-ancestors *" in embed.headers["content-security-policy"]
        assert "x-frame-options" not in embed.headers
    allowed = "https://course.example https://lms.example"
    with TestClient(create_app(Settings(allowed_embedders=allowed))) as client:
        policy = client.get("/embed").headers["content-security-policy"]
        assert "frame-ancestors 'self' https://course.example https://lms.example" in policy


def test_every_page_renders_and_a_watch_page_needs_a_live_session(client: TestClient) -> None:
    for path in ["/", "/compare", "/present", "/embed", "/embed/builder", "/lessons"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<script type="module"' in response.text
    session_id, _, _ = create(client, n_samples=50)
    assert client.get(f"/watch/{session_id}").status_code == 200
    assert_error(client.get("/watch/gone"), 404, "not_found", "session_id")
    embed = client.get("/embed?dataset=xor").text
    assert 'type="application/json+oembed"' in embed
