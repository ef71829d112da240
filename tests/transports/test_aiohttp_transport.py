"""AiohttpTransport: error mapping with aioresponses, pooling against a local server."""

from __future__ import annotations

import asyncio
import inspect
import socket
import zlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses

from meta_cloud_async import WhatsApp
from meta_cloud_async._http import Request
from meta_cloud_async.errors import APIConnectionError, APITimeoutError, ConnectError, ResponseTooLargeError
from meta_cloud_async.transports import AiohttpTransport, Transport
from meta_cloud_async.transports.base import DEFAULT_MAX_RESPONSE_BYTES

URL = "https://graph.test/v23.0/111"


class CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates the ``stream_writer`` argument of aiohttp 3.14's ClientResponse."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
            kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(*args, **kwargs)


def get(url: str = URL, timeout: float | None = 10.0) -> Request:
    return Request(method="GET", url=url, headers={"Authorization": "Bearer t"}, timeout=timeout)


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    t = AiohttpTransport()
    yield t
    await t.aclose()


def test_is_a_transport() -> None:
    assert isinstance(AiohttpTransport(), Transport)


@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"limit_per_host": -2}, {"keepalive_timeout": -1.0}])
def test_bad_pool_settings_are_value_errors(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AiohttpTransport(**kwargs)  # type: ignore[arg-type]


async def test_success_returns_status_lowercased_headers_and_body(transport: AiohttpTransport) -> None:
    body = b'{"id":"111"}'
    with aioresponses() as mocked:
        mocked.post(
            URL,
            response_class=CompatResponse,
            status=201,
            body=body,
            headers={"X-Business-Use-Case-Usage": "{}", "X-FB-Trace-ID": "abc"},
        )
        request = Request(
            method="POST",
            url=URL,
            headers={"Content-Type": "application/json"},
            content=b'{"pin":"1"}',
            timeout=5,
        )
        response = await transport.send(request)
        sent = next(iter(mocked.requests.values()))[0]
    assert response.status_code == 201
    assert response.content == body
    assert response.headers["x-business-use-case-usage"] == "{}"
    assert response.headers["x-fb-trace-id"] == "abc"
    assert all(k == k.lower() for k in response.headers)
    assert response.request is request
    assert sent.kwargs["data"] == b'{"pin":"1"}'
    assert sent.kwargs["headers"] == {"content-type": "application/json"}
    assert sent.kwargs["allow_redirects"] is False
    assert sent.kwargs["timeout"].total == 5


async def test_empty_body_is_sent_as_no_data_and_none_timeout_means_none(transport: AiohttpTransport) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, status=204, response_class=CompatResponse)
        response = await transport.send(get(timeout=None))
        sent = next(iter(mocked.requests.values()))[0]
    assert response.status_code == 204
    assert response.content == b""
    assert sent.kwargs["data"] is None
    assert sent.kwargs["timeout"].total is None


@pytest.mark.parametrize(
    ("raised", "expected", "request_sent"),
    [
        (asyncio.TimeoutError(), APITimeoutError, True),
        (aiohttp.ServerTimeoutError("read timeout"), APITimeoutError, True),
        (aiohttp.ConnectionTimeoutError("connect timeout"), ConnectError, False),
        (aiohttp.ServerDisconnectedError(), APIConnectionError, True),
        (aiohttp.ClientPayloadError("cut short"), APIConnectionError, True),
        (aiohttp.ClientOSError(104, "reset"), APIConnectionError, True),
        (aiohttp.ClientError("odd"), APIConnectionError, True),
        (ConnectionResetError(104, "reset"), APIConnectionError, True),
    ],
)
async def test_errors_are_mapped_and_chained(
    transport: AiohttpTransport, raised: Exception, expected: type[APIConnectionError], request_sent: bool
) -> None:
    with aioresponses() as mocked:
        mocked.get(URL, exception=raised)
        with pytest.raises(expected) as info:
            await transport.send(get())
    assert type(info.value) is expected
    assert info.value.request_sent is request_sent
    assert info.value.__cause__ is raised


async def test_refused_connection_is_connect_error(transport: AiohttpTransport) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConnectError) as info:
        await transport.send(get(f"http://127.0.0.1:{port}/v23.0/111"))
    assert info.value.request_sent is False
    assert isinstance(info.value.__cause__, aiohttp.ClientConnectorError)


async def test_invalid_url_is_a_value_error(transport: AiohttpTransport) -> None:
    with pytest.raises(ValueError, match="invalid URL"):
        await transport.send(get("ftp://graph.test/x"))


async def test_a_token_in_the_query_never_rides_along_as_cause(transport: AiohttpTransport) -> None:
    secret = "EAAGsecretTOKEN"
    url = f"{URL}/phone_numbers?limit=2&access_token={secret}&after=X"
    with aioresponses() as mocked:
        mocked.get(url, exception=aiohttp.ConnectionTimeoutError(f"Connection timeout to host {url}"))
        with pytest.raises(ConnectError) as info:
            await transport.send(get(url))
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ is True
    assert secret not in str(info.value) and secret not in repr(info.value)


async def test_cancellation_propagates(transport: AiohttpTransport) -> None:
    started = asyncio.Event()

    async def hang(url: object, **kwargs: object) -> None:
        started.set()
        await asyncio.Event().wait()

    with aioresponses() as mocked:
        mocked.get(URL, callback=hang)
        task = asyncio.create_task(transport.send(get()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert task.cancelled()


async def test_own_session_is_created_lazily_and_closed() -> None:
    transport = AiohttpTransport(limit=7, limit_per_host=3)
    assert transport.session is None
    with aioresponses() as mocked:
        mocked.get(URL, status=200, response_class=CompatResponse)
        await transport.send(get())
    session = transport.session
    assert session is not None and not session.closed
    connector = session.connector
    assert connector is not None and connector.limit == 7 and connector.limit_per_host == 3
    await transport.aclose()
    assert session.closed
    await transport.aclose()  # idempotent


async def test_an_owned_session_is_made_anew_after_aclose() -> None:
    # The session in use is remembered, not asked whether it is closed on every request; aclose
    # forgets it, so the next request opens a new pool rather than failing on the closed one.
    transport = AiohttpTransport()
    with aioresponses() as mocked:
        mocked.get(URL, status=200, body=b"1", response_class=CompatResponse, repeat=True)
        assert (await transport.send(get())).content == b"1"
        first = transport.session
        assert (await transport.send(get())).content == b"1"
        assert transport.session is first
        await transport.aclose()
        assert first is not None and first.closed
        assert (await transport.send(get())).content == b"1"
        second = transport.session
    assert second is not None and second is not first and not second.closed
    await transport.aclose()


async def test_passed_in_session_is_used_and_never_closed() -> None:
    async with aiohttp.ClientSession() as session:
        transport = AiohttpTransport(session)
        with aioresponses() as mocked:
            mocked.get(URL, status=200, body=b"ok", response_class=CompatResponse)
            response = await transport.send(get())
        assert response.content == b"ok"
        assert transport.session is session
        await transport.aclose()
        assert not session.closed


# -- a real server on 127.0.0.1 ----------------------------------------------------------


async def test_real_server_keep_alive_reuses_one_connection(graph: Any) -> None:
    transport = AiohttpTransport(limit=2)
    try:
        for i in range(5):
            body = b'{"n":%d}' % i
            response = await transport.send(
                Request(
                    method="POST",
                    url=graph.url("/echo"),
                    content=body,
                    headers={"Authorization": "Bearer t"},
                    timeout=5.0,
                )
            )
            assert response.status_code == 200
            assert response.content == body
            assert response.headers["x-app-usage"] == '{"call_count":1}'
        responses = await asyncio.gather(
            *(transport.send(get(graph.url("/x"), timeout=5.0)) for _ in range(10))
        )
    finally:
        await transport.aclose()
    assert [r.status_code for r in responses] == [200] * 10
    assert graph.auth[:5] == ["Bearer t"] * 5
    assert len(set(graph.peers[:5])) == 1  # sequential calls: one kept-alive connection
    assert len(set(graph.peers)) <= 2  # never more connections than the pool limit


async def test_real_server_cancellation_propagates(graph: Any) -> None:
    transport = AiohttpTransport()
    try:
        task = asyncio.create_task(transport.send(get(graph.url("/hang"))))
        await graph.hanging.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await transport.aclose()


async def test_client_end_to_end_on_the_default_transport(graph: Any) -> None:
    async with WhatsApp(access_token="tok", phone_number_id="111", base_url=graph.url(""), retry=None) as wa:
        number = await wa.phone_numbers.get()
    assert number.id == "111"
    assert graph.auth == ["Bearer tok"]


# -- the body cap --------------------------------------------------------------------


class Bomb:
    """A local server whose answers never end: plain bytes or a gzip stream of zeros, chunk after chunk.

    If the transport read a body whole, a call would never return; ``sent``
    counts the compressed bytes the server managed to write.
    """

    def __init__(self) -> None:
        self.sent = 0
        app = web.Application()
        app.router.add_route("GET", "/gzip", self._gzip)
        app.router.add_route("GET", "/plain", self._plain)
        app.router.add_route("GET", "/declared", self._declared)
        self.server = TestServer(app, host="127.0.0.1")

    async def _endless(self, request: web.Request, encoding: str | None) -> web.StreamResponse:
        headers = {"Content-Type": "application/json"}
        if encoding:
            headers["Content-Encoding"] = encoding
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        zip_ = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
        chunk = b"\0" * (1 << 20)
        try:
            for _ in range(100_000):  # 100 GB inflated: bounded, but never read whole
                data = zip_.compress(chunk) + zip_.flush(zlib.Z_SYNC_FLUSH) if encoding else chunk
                await response.write(data)
                self.sent += len(data)
                await asyncio.sleep(0)  # small gzip writes never block: let the client run
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def _gzip(self, request: web.Request) -> web.StreamResponse:
        return await self._endless(request, "gzip")

    async def _plain(self, request: web.Request) -> web.StreamResponse:
        return await self._endless(request, None)

    async def _declared(self, request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000, content_type="application/json")


@pytest.fixture
async def bomb() -> AsyncIterator[Bomb]:
    server = Bomb()
    await server.server.start_server()
    yield server
    await server.server.close()


@pytest.mark.parametrize("path", ["/gzip", "/plain"])
async def test_an_endless_body_stops_at_the_cap(bomb: Bomb, path: str) -> None:
    transport = AiohttpTransport(max_response_bytes=4 << 20)
    try:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=4194304") as info:
            # wait_for only guards the suite against a regression that would hang.
            await asyncio.wait_for(transport.send(get(str(bomb.server.make_url(path)))), 60)
    finally:
        await transport.aclose()
    assert info.value.http_status == 200 and info.value.may_have_applied is True
    if path == "/gzip":
        assert bomb.sent < 4 << 20  # the cap counts inflated bytes, not what crossed the wire


async def test_a_declared_length_over_the_cap_is_refused_unread(bomb: Bomb) -> None:
    transport = AiohttpTransport(max_response_bytes=4096)
    try:
        with pytest.raises(ResponseTooLargeError):
            await transport.send(get(str(bomb.server.make_url("/declared"))))
        ok = AiohttpTransport(max_response_bytes=5000)
        response = await ok.send(get(str(bomb.server.make_url("/declared"))))
        await ok.aclose()
        assert len(response.content) == 5000
    finally:
        await transport.aclose()


async def test_whatsapp_max_response_bytes_sets_the_default_transports_cap(bomb: Bomb) -> None:
    base = str(bomb.server.make_url("")).rstrip("/")
    async with WhatsApp(
        access_token="T", phone_number_id="1", base_url=base, max_response_bytes=1 << 20, retry=None
    ) as wa:
        transport = wa._shared.transport
        assert isinstance(transport, AiohttpTransport) and transport.max_response_bytes == 1 << 20
    async with WhatsApp(access_token="T") as wa:
        assert wa._shared.transport.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "exc"), [(0, ValueError), ("1", TypeError), (1.5, TypeError), (True, TypeError)]
)
def test_max_response_bytes_is_checked(value: Any, exc: type[Exception]) -> None:
    with pytest.raises(exc, match="max_response_bytes"):
        AiohttpTransport(max_response_bytes=value)
