"""HEAD wherever GET works: link checkers and monitors ask with HEAD and expect GET's headers.

The routes declare GET only, so a pure ASGI middleware answers HEAD by running the request as
a GET and dropping the body on the way out. Every header, Content-Length included, is the one
GET would send, as HTTP asks; the server sees a HEAD request and sends no body bytes itself.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                more = bool(message.get("more_body", False))
                if more:
                    return  # one empty closing message is enough
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
