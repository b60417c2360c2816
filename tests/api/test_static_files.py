"""Static files: compressed when asked, kept a year under a versioned URL that changes with any
file, preloaded by the pages that import them, and served without their comments."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from app.api.assets import IMMUTABLE, Assets, accepted
from app.api.lean import lean_css, lean_js
from tests.api.helpers import assert_error

STATIC = Path(__file__).resolve().parents[2] / "static"


def base_of(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200
    found = re.search(
        r'<script type="module" src="(/static/[0-9a-f]{12})/js/pages/playground', page.text
    )
    assert found, page.text[:500]
    return found.group(1)


def test_a_module_comes_gzipped_when_asked_and_plain_when_not(client: TestClient) -> None:
    url = f"{base_of(client)}/js/views/run-view.js"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == 200
    assert packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.content == plain.content  # the client undid the gzip: the same module
    assert plain.headers["content-type"] == "text/javascript"
    assert b"// " not in plain.content.split(b"\n")[0]  # served lean: no opening comment
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_brotli_is_preferred_when_the_package_is_there(client: TestClient) -> None:
    pytest.importorskip("brotli")
    url = f"{base_of(client)}/css/style.css"
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    identity = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.content == identity.content  # the client undid the brotli


def test_a_versioned_url_is_kept_a_year_and_a_plain_one_is_asked_about(client: TestClient) -> None:
    versioned = client.get(f"{base_of(client)}/js/pages/playground.js")
    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == IMMUTABLE
    assert "max-age=31536000" in versioned.headers["cache-control"]
    plain = client.get("/static/js/pages/playground.js")
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "no-cache"
    again = client.get(
        "/static/js/pages/playground.js", headers={"If-None-Match": plain.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_every_page_links_its_files_under_the_one_version(client: TestClient) -> None:
    base = base_of(client)
    for path in ["/", "/compare", "/present", "/embed", "/embed/builder", "/lessons"]:
        page = client.get(path)
        assert page.status_code == 200
        urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
        assert urls, path
        assert all(url.startswith(base + "/") for url in urls), (path, urls)
        assert "?v=" not in page.text


def test_the_playground_preloads_every_module_it_imports(client: TestClient) -> None:
    base = base_of(client)
    page = client.get("/").text
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', page))
    assert f"{base}/js/views/run-view.js" in preloaded
    assert f"{base}/js/net/early-session.js" in preloaded
    # Walk the imports as the browser would, from the served modules themselves.
    todo, seen = [f"{base}/js/pages/playground.js"], set()
    while todo:
        url = todo.pop()
        module = client.get(url)
        assert module.status_code == 200, url
        assert module.headers["cache-control"] == IMMUTABLE
        for spec in re.findall(r'from\s*"(\.[^"]+)"', module.text):
            child = os.path.normpath(os.path.join(os.path.dirname(url), spec))
            if child not in seen:
                seen.add(child)
                todo.append(child)
    assert seen == preloaded
    assert "compare-state.js" not in page  # the comparison's state is the compare page's own


def test_the_early_session_and_its_imports_are_asked_for_before_the_other_modules(
    client: TestClient,
) -> None:
    base = base_of(client)
    page = client.get("/").text
    early = f'<script type="module" async src="{base}/js/net/early-session.js"></script>'
    assert early in page
    assert page.index(early) < page.index(f'src="{base}/js/pages/playground.js"')
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)
    names = [url.removeprefix(base + "/") for url in preloaded[:4]]
    assert names == [
        "js/net/early-session.js",
        "js/lib/pace.js",
        "js/net/api.js",
        "js/state/state.js",
    ]
    assert len(preloaded) == len(set(preloaded))  # each once


def test_what_the_playground_imports_when_needed_is_not_preloaded_but_is_versioned(
    client: TestClient,
) -> None:
    base = base_of(client)
    page = client.get("/").text
    entry = client.get(f"{base}/js/pages/playground.js").text
    # Imported when needed (the landscape when seen, the editing helpers at a visitor's action),
    # relative to the entry module: under the same version as the rest, so kept a year too.
    later = re.findall(r'import\("(\.[^"]+)"\)', entry)
    assert sorted(later) == [
        "../lib/edit.js",
        "../views/ended.js",
        "../views/landscape-panel.js",
        "../views/new-run.js",
    ]
    for spec in later:
        url = os.path.normpath(os.path.join(f"{base}/js/pages", spec))
        assert url not in page
        module = client.get(url)
        assert module.status_code == 200, url
        assert module.headers["cache-control"] == IMMUTABLE
    assert "landscape.css" not in page  # the panel's box is sized by style.css


def tree(tmp_path: Path) -> tuple[TestClient, Assets]:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text('import { b } from "./b.js";\nexport const a = b;\n')
    (tmp_path / "js" / "b.js").write_text("// b\nexport const b = 1;\n")
    assets = Assets(tmp_path)
    return TestClient(Starlette(routes=[Mount("/static", app=assets)])), assets


def test_a_changed_file_gives_every_file_a_new_url(tmp_path: Path) -> None:
    client, assets = tree(tmp_path)
    before = assets.base
    old = client.get(f"{before}/js/b.js")
    assert old.status_code == 200
    assert old.text == "export const b = 1;\n"
    assert assets.modules("js/a.js") == [f"{before}/js/b.js"]
    b = tmp_path / "js" / "b.js"
    b.write_text("export const b = 2;\n")
    os.utime(b, ns=(b.stat().st_mtime_ns + 10**9, b.stat().st_mtime_ns + 10**9))
    after = assets.base
    assert after != before
    fresh = client.get(f"{after}/js/b.js")
    assert fresh.text == "export const b = 2;\n"
    assert fresh.headers["cache-control"] == IMMUTABLE
    # A page from before asks for the old version: today's file, but not to be kept.
    stale = client.get(f"{before}/js/b.js")
    assert stale.status_code == 200
    assert stale.text == "export const b = 2;\n"
    assert stale.headers["cache-control"] == "no-cache"


def test_a_missing_file_is_404_in_the_one_error_shape(client: TestClient) -> None:
    assert_error(client.get("/static/js/nowhere.js"), 404, "not_found")
    assert_error(client.get(f"{base_of(client)}/../app/main.py"), 404, "not_found")


def test_static_files_skip_the_page_policy_that_pages_carry(client: TestClient) -> None:
    module = client.get(f"{base_of(client)}/js/pages/playground.js")
    assert module.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in module.headers
    assert "referrer-policy" not in module.headers  # the page's holds for what it loads
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "same-origin"


def test_accept_encoding_reads_q_values() -> None:
    assert accepted("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert accepted("gzip;q=1.0, br;q=0") == {"gzip"}
    assert accepted("") == {""}


@pytest.mark.parametrize(
    ("source", "lean"),
    [
        ("const a = 1; // one\n\n  const b = 2;\n", "const a = 1;\nconst b = 2;\n"),
        ('const url = "http://x"; // not a comment inside\n', 'const url = "http://x";\n'),
        ("const re = /\\/\\/[a/]*/g; // a regex\n", "const re = /\\/\\/[a/]*/g;\n"),
        ("const half = a / 2 / b; /* c */ x();\n", "const half = a / 2 / b;   x();\n"),
        ("return /* inline */ x;\n", "return   x;\n"),
        ("f(a)\n/* line\nbreak */\ng(b)\n", "f(a)\ng(b)\n"),
        (
            "const t = `line\n    // kept ${a /* gone */ + `in${b}`}\n  end`;\n",
            "const t = `line\n    // kept ${a   + `in${b}`}\n  end`;\n",
        ),
        ("if (x) { return 'it\\'s // fine'; }\n", "if (x) { return 'it\\'s // fine'; }\n"),
    ],
)
def test_lean_scripts_lose_comments_and_indentation_only(source: str, lean: str) -> None:
    assert lean_js(source) == lean


def test_lean_styles_lose_comments_and_indentation() -> None:
    css = '/* colours */\n.a {\n  content: "/* kept */";\n  color: red; /* gone */\n}\n'
    assert lean_css(css) == '.a {\ncontent: "/* kept */";\ncolor: red;\n}\n'


@pytest.mark.skipif(shutil.which("node") is None, reason="node checks the syntax")
def test_every_lean_module_still_parses(tmp_path: Path) -> None:
    for path in sorted(STATIC.rglob("*.js")):
        target = tmp_path / (path.relative_to(STATIC).as_posix().replace("/", "_") + ".mjs")
        target.write_text(lean_js(path.read_text()))
        checked = subprocess.run(["node", "--check", str(target)], capture_output=True, text=True)
        assert checked.returncode == 0, (path, checked.stderr)
