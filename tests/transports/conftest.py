"""A small Graph-like HTTP server on 127.0.0.1 shared by the transport tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

PHONE_JSON = b'{"id":"111","display_phone_number":"+1 555-0100","verified_name":"Acme"}'


class LocalGraph:
    """Answers ``GET /<version>/111`` with a phone number, ``/hang`` never, anything else with an echo.

    ``peers`` records the client address of every request, so tests can tell
    kept-alive connections from new ones; ``hanging`` is set when a request
    reached ``/hang``.
    """

    def __init__(self) -> None:
        self.peers: list[object] = []
        self.auth: list[str] = []
        self.hanging = asyncio.Event()
        app = web.Application()
        app.router.add_route("GET", "/hang", self._hang)
        app.router.add_route("GET", "/{version}/111", self._phone)
        app.router.add_route("*", "/{tail:.*}", self._echo)
        self.server = TestServer(app, host="127.0.0.1")

    def url(self, path: str = "") -> str:
        return str(self.server.make_url(path))

    def _seen(self, request: web.Request) -> None:
        transport = request.transport
        self.peers.append(transport.get_extra_info("peername") if transport is not None else None)
        self.auth.append(request.headers.get("Authorization", ""))

    async def _phone(self, request: web.Request) -> web.Response:
        self._seen(request)
        return web.Response(body=PHONE_JSON, content_type="application/json")

    async def _echo(self, request: web.Request) -> web.Response:
        self._seen(request)
        body = await request.read()
        return web.Response(body=body or b"{}", headers={"X-App-Usage": '{"call_count":1}'})

    async def _hang(self, request: web.Request) -> web.Response:
        self._seen(request)
        self.hanging.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


@pytest.fixture
async def graph() -> AsyncIterator[LocalGraph]:
    local = LocalGraph()
    await local.server.start_server()
    yield local
    await local.server.close()
