"""Framework adapters: each only turns its request into (method, query, headers, body).

aiohttp.web and ASGI objects stay in here; the router never sees them. Bodies are read with
the router's cap, so an oversized POST is refused (413) without being buffered whole.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import web

if TYPE_CHECKING:
    from meta_cloud_async.webhooks.router import WebhookResponse, WebhookRouter

__all__ = ["AsgiApp", "aiohttp_app"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_TOO_LARGE = b"payload too large"


def _aiohttp_response(resp: WebhookResponse) -> web.Response:
    return web.Response(status=resp.status, body=resp.body, headers={"Content-Type": resp.content_type})


def aiohttp_app(router: WebhookRouter, path: str, *, app: web.Application | None = None) -> web.Application:
    cap = router.max_body_bytes

    async def endpoint(request: web.Request) -> web.Response:
        body = b""
        if request.method == "POST":
            length = request.content_length
            if length is not None and length > cap:
                return web.Response(status=413, body=_TOO_LARGE)
            if length is not None:
                body = await request.content.read(length) if length else b""
                while len(body) < length:
                    more = await request.content.read(length - len(body))
                    if not more:
                        break
                    body += more
            else:
                buf = bytearray()
                async for chunk in request.content.iter_any():
                    buf += chunk
                    if len(buf) > cap:
                        return web.Response(status=413, body=_TOO_LARGE)
                body = bytes(buf)
        resp = await router.handle(request.method, request.query, request.headers, body)
        return _aiohttp_response(resp)

    async def cleanup(_: web.Application) -> None:
        await router.aclose()

    target = app if app is not None else web.Application()
    target.router.add_route("GET", path, endpoint)
    target.router.add_route("POST", path, endpoint)
    target.on_cleanup.append(cleanup)
    return target


class AsgiApp:
    """An ASGI 3 application around a router; handles ``lifespan`` (shutdown drains the router)."""

    def __init__(self, router: WebhookRouter, path: str | None) -> None:
        self.router = router
        self.path = None if path is None else (path.rstrip("/") or "/")

    def _matches(self, scope: Scope) -> bool:
        if self.path is None:
            return True
        path = scope.get("path", "/")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return (path.rstrip("/") or "/") == self.path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        if not self._matches(scope):
            await self._send(send, 404, b"not found")
            return
        method = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        body = b""
        if method == "POST":
            cap = self.router.max_body_bytes
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > cap:
                await self._send(send, 413, _TOO_LARGE)
                return
            chunks = []
            size = 0
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > cap:
                    await self._send(send, 413, _TOO_LARGE)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        resp = await self.router.handle(method, dict(query), headers, body)
        await self._send(send, resp.status, resp.body, resp.content_type)

    @staticmethod
    async def _send(
        send: Send, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8"
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode("latin-1")),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.router.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return
