"""The static files, served lean: read, stripped of comments (scripts and styles) and gzipped once
(again only when a file changes on disk), under a URL that names the content of the whole tree,
so a browser may keep them for a year.

`/static/<version>/css/style.css` carries `Cache-Control: immutable`: the version is a hash of
every file under static/, so any change to any file gives every file a new URL. One version for
the tree rather than one per file keeps ES modules' relative imports working without a build
step — a module under the versioned prefix imports its neighbours under the same prefix. The
plain `/static/css/style.css` still answers, with `no-cache`, for links kept from elsewhere. A
page names its modules with `modulepreload` links (`Assets.modules`), read from the modules'
static imports, so they all arrive in one round trip instead of one per level of imports.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

from app.api.lean import lean_css, lean_js

LEAN: dict[str, Callable[[str], str]] = {
    ".js": lean_js,
    ".css": lean_css,
}  # served without comments
COMPRESSIBLE = {".js", ".css", ".html", ".json", ".svg", ".txt", ".csv"}
IMMUTABLE = "max-age=31536000, immutable"  # kept a year and never asked about: no ETag needed
REVALIDATE = "no-cache"  # kept, but asked about again (an ETag makes that a 304)
VERSION = re.compile(r"[0-9a-f]{12}")
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']""", re.MULTILINE)
SIDE_IMPORT = re.compile(r"""^\s*import\s*["']([^"']+)["']""", re.MULTILINE)


def brotli_or_none() -> Callable[[bytes], bytes] | None:
    """Brotli's compress when the package is installed: a fifth smaller than gzip on our modules."""
    try:
        module = importlib.import_module("brotli")
    except ImportError:  # a server without it still sends gzip
        return None
    return lambda body: bytes(module.compress(body, quality=11))


BROTLI = brotli_or_none()


@dataclass
class Asset:
    """One file as found on disk; its lean and compressed bodies are made when first asked for
    (an app made for a test serves few files, a server each page's once)."""

    source: bytes
    suffix: str
    media_type: str
    etag: str
    stamp: tuple[int, int]  # (mtime_ns, size): read again when it changes
    imports: tuple[str, ...]  # for modules: the paths (under static/) it imports statically
    bodies: dict[str, bytes] | None = None  # Content-Encoding ("" for none) -> body

    def encoded(self, codings: set[str]) -> tuple[bytes, str]:
        """The smallest body the client accepts, and its Content-Encoding ("" for none)."""
        if self.bodies is None:
            self.bodies = pack(self.source, self.suffix)
        for coding in ("br", "gzip"):
            if coding in codings and coding in self.bodies:
                return self.bodies[coding], coding
        return self.bodies[""], ""


def pack(source: bytes, suffix: str) -> dict[str, bytes]:
    body = LEAN[suffix](source.decode("utf-8")).encode("utf-8") if suffix in LEAN else source
    bodies = {"": body}
    if suffix in COMPRESSIBLE:
        bodies["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
        if BROTLI:
            bodies["br"] = BROTLI(body)
    # A coding that would not make it smaller is not offered.
    return {coding: data for coding, data in bodies.items() if len(data) <= len(body)}


def accepted(header: str) -> set[str]:
    """The codings an Accept-Encoding header allows ("gzip, br;q=0" allows gzip only)."""
    codings = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            codings.add(name.strip().lower())
    return codings


def read(path: Path, name: str) -> Asset:
    stat = path.stat()
    source = path.read_bytes()
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media.startswith("text/") or path.suffix == ".js":
        # Modules are always read as UTF-8; a stylesheet is told.
        media = "text/javascript" if path.suffix == ".js" else media + "; charset=utf-8"
    imports: tuple[str, ...] = ()
    if path.suffix == ".js":  # the patterns match statements at the start of a line, not comments
        text = source.decode("utf-8")
        found = IMPORT.findall(text) + SIDE_IMPORT.findall(text)
        base = PurePosixPath(name).parent
        imports = tuple(sorted({resolve(base, spec) for spec in found if spec.startswith(".")}))
    return Asset(
        source=source,
        suffix=path.suffix,
        media_type=media,
        # Weak: one tag for the file however it is encoded on the way.
        etag='W/"' + hashlib.sha256(source).hexdigest()[:16] + '"',
        stamp=(stat.st_mtime_ns, stat.st_size),
        imports=imports,
    )


def resolve(base: PurePosixPath, spec: str) -> str:
    parts: list[str] = list(base.parts)
    for part in spec.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


class Assets:
    """Every file under `root`, by its path there ("js/pages/playground.js")."""

    def __init__(self, root: Path, prefix: str = "/static") -> None:
        self.root = root.resolve()
        self.prefix = prefix
        self.files: dict[str, Asset] = {}
        self.signature: tuple[tuple[str, int, int], ...] = ()
        self.version = ""
        self.refresh()

    def refresh(self) -> None:
        """Reads what changed on disk since the last look; the version follows the contents."""
        seen = []
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            stat = path.stat()
            seen.append((path.relative_to(self.root).as_posix(), stat.st_mtime_ns, stat.st_size))
        signature = tuple(seen)
        if signature == self.signature:
            return
        files = {}
        for name, mtime, size in signature:
            old = self.files.get(name)
            files[name] = (
                old if old and old.stamp == (mtime, size) else read(self.root / name, name)
            )
        digest = hashlib.sha256()
        for name, asset in files.items():
            digest.update(name.encode() + b"\0" + asset.etag.encode())
        self.files, self.signature, self.version = files, signature, digest.hexdigest()[:12]

    @property
    def base(self) -> str:
        """The versioned prefix every page's links start with: "/static/0123456789ab"."""
        self.refresh()
        return f"{self.prefix}/{self.version}"

    def modules(self, entry: str) -> list[str]:
        """The versioned URLs of every module `entry` imports, directly or not, for preloading."""
        base = self.base
        found: list[str] = []
        todo = [entry]
        while todo:
            name = todo.pop()
            asset = self.files.get(name)
            for child in asset.imports if asset else ():
                if child not in found:
                    found.append(child)
                    todo.append(child)
        return [f"{base}/{name}" for name in sorted(found)]

    def module(self, entry: str, early: str | None = None) -> Markup:
        """A page's entry module and a modulepreload link for each module it imports. An `early`
        module runs as soon as it arrives (async), and its imports are asked for first: the
        browser holds six connections to a server, and what the early module needs (the
        playground's session request) should not wait behind the page's other modules."""
        first = [f"{self.base}/{early}", *self.modules(early)] if early else []
        rest = [url for url in self.modules(entry) if url not in first]
        links = [f'<link rel="modulepreload" href="{url}">' for url in first + rest]
        scripts = [f'<script type="module" async src="{first[0]}"></script>'] if early else []
        scripts.append(f'<script type="module" src="{self.base}/{entry}"></script>')
        return Markup("\n".join([*scripts, *links]))

    def lookup(self, name: str) -> Asset | None:
        asset = self.files.get(name)
        if asset is None:
            return None
        path = self.root / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        if asset.stamp != (stat.st_mtime_ns, stat.st_size):
            asset = self.files[name] = read(path, name)
        return asset

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app mounted at the prefix: GET (HEAD is GET without a body, upstream)."""
        parts = scope["path"][len(scope.get("root_path", "")) :].lstrip("/").split("/", 1)
        cache = REVALIDATE
        if len(parts) == 2 and VERSION.fullmatch(parts[0]):
            # An old version is answered with today's file, but not kept: it is not that version.
            cache = IMMUTABLE if parts[0] == self.version else REVALIDATE
            name = parts[1]
        else:
            name = "/".join(parts)
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        asset = self.lookup(name)
        if asset is None:
            raise HTTPException(404, "no static file has this path")
        request = Headers(scope=scope)
        headers = [(b"cache-control", cache.encode()), (b"vary", b"Accept-Encoding")]
        if cache != IMMUTABLE:
            headers.append((b"etag", asset.etag.encode()))
        if asset.etag in request.get("if-none-match", ""):
            await answer(send, 304, b"", headers)
            return
        body, encoding = asset.encoded(accepted(request.get("accept-encoding", "")))
        if encoding:
            headers.append((b"content-encoding", encoding.encode()))
        headers.append((b"content-type", asset.media_type.encode()))
        await answer(send, 200, body, headers)


async def answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    if status != 304:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body if status != 304 else b""})


class GzipAnswers(GZipMiddleware):
    """Pages and API answers gzipped on the way out; static files pass by, compressed already
    (and by the client's choice: a second coder would ignore its q-values)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
