"""Streaming through every transport: bodies as async iterables, answers read as they arrive."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from meta_cloud_async import MockTransport, Response, WhatsApp
from meta_cloud_async._http import Request, is_replayable, open_content
from meta_cloud_async.errors import APIConnectionError, ServerError
from meta_cloud_async.transports import AiohttpTransport, HttpxTransport

BLOB = os.urandom(3 * 65536 + 17)


async def chunks(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def make_app(received: dict[str, Any]) -> web.Application:
    async def upload(request: web.Request) -> web.Response:
        h = hashlib.sha256()
        n = 0
        async for chunk in request.content.iter_any():
            h.update(chunk)
            n += len(chunk)
        received.update(sha=h.hexdigest(), n=n, length=request.headers.get("Content-Length"))
        return web.json_response({"ok": True})

    async def download(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = len(BLOB)
        await resp.prepare(request)
        for i in range(0, len(BLOB), 65536):
            await resp.write(BLOB[i : i + 65536])
        return resp

    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        received["open"] = received.get("open", 0) + 1
        try:
            while True:
                await resp.write(b"x" * 65536)
                await asyncio.sleep(0)
        finally:
            received["open"] -= 1

    async def chunked(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()  # no content length: chunked transfer encoding
        await resp.prepare(request)
        for i in range(0, len(BLOB), 50_000):
            await resp.write(BLOB[i : i + 50_000])
        await resp.write_eof()
        return resp

    async def error(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": 2, "message": "down", "is_transient": True}}, status=503)

    app = web.Application()
    app.router.add_post("/up", upload)
    app.router.add_get("/down", download)
    app.router.add_get("/endless", endless)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/error", error)
    return app


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, dict[str, Any]]]:
    received: dict[str, Any] = {}
    runner = web.AppRunner(make_app(received))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", received
    await runner.cleanup()


def transports() -> list[Callable[[], Any]]:
    return [AiohttpTransport, HttpxTransport]


def test_content_kinds() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"a"

    assert is_replayable(b"x")
    assert is_replayable(lambda: gen())
    assert not is_replayable(gen())
    assert open_content(b"x") == b"x"
    assert "stream" in repr(Request(method="POST", url="https://x/", content=gen()))


@pytest.mark.parametrize("factory", transports(), ids=["aiohttp", "httpx"])
async def test_streamed_request_body_arrives_exact(server: tuple[str, dict[str, Any]], factory: Any) -> None:
    base, received = server
    t = factory()
    try:
        for content in (chunks(BLOB), lambda: chunks(BLOB)):
            resp = await t.send(Request(method="POST", url=f"{base}/up", content=content, timeout=10))
            assert resp.status_code == 200
            assert received["n"] == len(BLOB)
            assert received["sha"] == hashlib.sha256(BLOB).hexdigest()
    finally:
        await t.aclose()


@pytest.mark.parametrize("factory", transports(), ids=["aiohttp", "httpx"])
async def test_streamed_response_reads_chunkwise(server: tuple[str, dict[str, Any]], factory: Any) -> None:
    base, _ = server
    t = factory()
    try:
        resp = await t.send(Request(method="GET", url=f"{base}/down", timeout=10, stream=True))
        assert resp.stream is not None and resp.content == b""
        got = bytearray()
        async with resp:
            async for chunk in resp.aiter_bytes():
                got += chunk
        assert bytes(got) == BLOB
        # The connection went back to the pool and serves the next request.
        again = await t.send(Request(method="GET", url=f"{base}/down", timeout=10))
        assert again.content == BLOB
    finally:
        await t.aclose()


async def test_aiohttp_stream_of_a_chunked_body_is_exact_and_has_no_empty_chunk(
    server: tuple[str, dict[str, Any]],
) -> None:
    # The stream hands over aiohttp's pieces as received; HTTP chunk ends show up there as b"".
    base, _ = server
    t = AiohttpTransport()
    try:
        resp = await t.send(Request(method="GET", url=f"{base}/chunked", timeout=10, stream=True))
        assert resp.stream is not None
        pieces = [piece async for piece in resp.stream]
        await resp.aclose()
        assert b"".join(pieces) == BLOB and all(pieces)
    finally:
        await t.aclose()


@pytest.mark.parametrize("factory", transports(), ids=["aiohttp", "httpx"])
async def test_streamed_error_status_is_read_for_the_error_mapping(
    server: tuple[str, dict[str, Any]], factory: Any
) -> None:
    base, _ = server
    t = factory()
    try:
        resp = await t.send(Request(method="GET", url=f"{base}/error", timeout=10, stream=True))
        assert resp.status_code == 503 and resp.stream is None
        assert resp.json()["error"]["code"] == 2
    finally:
        await t.aclose()


@pytest.mark.parametrize("factory", transports(), ids=["aiohttp", "httpx"])
async def test_closing_a_stream_early_drops_the_connection(
    server: tuple[str, dict[str, Any]], factory: Any
) -> None:
    base, received = server
    t = factory()
    try:
        resp = await t.send(Request(method="GET", url=f"{base}/endless", timeout=10, stream=True))
        async with resp:
            async for _ in resp.aiter_bytes():
                break
        for _ in range(200):
            if not received.get("open"):
                break
            await asyncio.sleep(0.01)
        assert received.get("open") == 0, "the server still writes to a closed stream"
    finally:
        await t.aclose()


async def test_mock_handler_may_answer_with_a_stream() -> None:
    def handler(request: Request) -> Response:
        return Response(status_code=200, stream=chunks(BLOB))  # type: ignore[arg-type]

    t = MockTransport(handler)
    streamed = await t.send(Request(method="GET", url="https://x/", stream=True))
    assert await streamed.aread() == BLOB
    plain = await t.send(Request(method="GET", url="https://x/"))
    assert plain.content == BLOB and plain.stream is None


async def test_mock_reads_a_streamed_request_body() -> None:
    seen: list[bytes] = []

    def handler(request: Request) -> Response:
        assert isinstance(request.content, bytes)
        seen.append(request.content)
        return Response(status_code=200, content=b"{}")

    await MockTransport(handler).send(Request(method="POST", url="https://x/", content=chunks(BLOB)))
    assert seen == [BLOB]


async def test_retries_never_replay_a_one_shot_stream_but_reopen_a_factory() -> None:
    calls: list[bytes] = []

    def handler(request: Request) -> Response:
        assert isinstance(request.content, bytes)
        calls.append(request.content)
        return Response(status_code=503, content=b'{"error":{"code":2,"message":"down","is_transient":true}}')

    async def no_sleep(_: float) -> None:
        return None

    async with WhatsApp(
        access_token="t", transport=MockTransport(handler), sleep=no_sleep, rate_limit=None
    ) as wa:
        from meta_cloud_async._http import RequestMeta

        meta = RequestMeta(operation="x", idempotent=True)
        with pytest.raises(ServerError):
            resp = await wa._shared.handler(
                Request(
                    method="POST", url="https://graph.facebook.com/v23.0/1", content=chunks(b"abc"), meta=meta
                )
            )
            wa._decode(resp, dict)
        assert calls == [b"abc"]
        calls.clear()
        with pytest.raises(ServerError):
            resp = await wa._shared.handler(
                Request(
                    method="POST",
                    url="https://graph.facebook.com/v23.0/1",
                    content=lambda: chunks(b"abc"),
                    meta=meta,
                )
            )
            wa._decode(resp, dict)
        assert calls == [b"abc"] * 3  # first try plus the default two retries, each a fresh stream


async def test_two_hundred_cancelled_streams_leak_no_socket(server: tuple[str, dict[str, Any]]) -> None:
    base, received = server
    t = AiohttpTransport()
    try:
        for _ in range(200):

            async def read() -> None:
                resp = await t.send(Request(method="GET", url=f"{base}/endless", timeout=10, stream=True))
                async with resp:
                    async for _ in resp.aiter_bytes():
                        await asyncio.sleep(0)

            task = asyncio.create_task(read())
            for _ in range(5):
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        session = t.session
        assert session is not None
        connector = session.connector
        assert isinstance(connector, aiohttp.TCPConnector)
        for _ in range(300):
            if not received.get("open") and not connector._acquired:
                break
            await asyncio.sleep(0.01)
        assert not connector._acquired
        assert received.get("open", 0) == 0
    finally:
        await t.aclose()


async def test_a_cut_stream_is_an_api_connection_error() -> None:
    async def cut(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = 1_000_000
        await resp.prepare(request)
        await resp.write(b"x" * 1000)
        assert request.transport is not None
        request.transport.abort()
        return resp

    app = web.Application()
    app.router.add_get("/cut", cut)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    t = AiohttpTransport()
    try:
        resp = await t.send(
            Request(method="GET", url=f"http://127.0.0.1:{port}/cut", timeout=10, stream=True)
        )
        with pytest.raises(APIConnectionError):
            async with resp:
                async for _ in resp.aiter_bytes():
                    pass
    finally:
        await t.aclose()
        await runner.cleanup()
