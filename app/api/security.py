"""Security headers on every answer (the page's policies on all but static files); only /embed
may be framed, and only by allowed origins."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'"
)

STATIC = "/static/"


def frame_ancestors(allowed: str) -> str:
    origins = allowed.split()
    if not origins or "*" in origins:
        return "*"
    return " ".join(["'self'", *origins])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, allowed_embedders: str) -> None:
        self.app = app
        self.embedders = frame_ancestors(allowed_embedders)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        embed = path == "/embed"
        # A policy and a framing rule govern documents; scripts and styles ignore them, and on
        # each of a page's many static files they would be a third of its headers' bytes. A
        # static file without a referrer policy of its own follows its page's (same-origin).
        document = not path.startswith(STATIC)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if document:
                    headers["Referrer-Policy"] = "same-origin"
                    ancestors = self.embedders if embed else "'none'"
                    headers["Content-Security-Policy"] = f"{POLICY}; frame-ancestors {ancestors}"
                if document and not embed:
                    headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, with_headers)
