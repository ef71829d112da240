"""HttpxTransport: error mapping through httpx.MockTransport, pooling against a local server."""

from __future__ import annotations

import asyncio
import importlib
import sys
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async._http import Request
from meta_cloud_async.errors import APIConnectionError, APITimeoutError, ConnectError, ResponseTooLargeError
from meta_cloud_async.middleware import RateLimitPolicy
from meta_cloud_async.testing import FakeClock
from meta_cloud_async.transports import HttpxTransport, Transport

URL = "https://graph.test/v23.0/111"


def get(url: str = URL, timeout: float | None = 10.0) -> Request:
    return Request(method="GET", url=url, headers={"Authorization": "Bearer t"}, timeout=timeout)


def mocked(handler: Any) -> tuple[HttpxTransport, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return HttpxTransport(client), client


def test_is_a_transport() -> None:
    assert isinstance(HttpxTransport(), Transport)


def test_missing_httpx_is_a_clear_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    monkeypatch.delitem(sys.modules, "meta_cloud_async.transports.httpx_transport")
    with pytest.raises(ImportError, match=r"pip install 'meta-cloud-async\[httpx\]'"):
        importlib.import_module("meta_cloud_async.transports.httpx_transport")


async def test_success_returns_status_lowercased_headers_and_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, content=b'{"id":"111"}', headers={"X-Business-Use-Case-Usage": "{}", "X-FB-Trace-ID": "abc"}
        )

    transport, client = mocked(handler)
    async with client:
        request = Request(
            method="POST",
            url=URL,
            headers={"Content-Type": "application/json"},
            content=b'{"pin":"1"}',
            timeout=3,
        )
        response = await transport.send(request)
    assert response.status_code == 201
    assert response.content == b'{"id":"111"}'
    assert response.headers["x-business-use-case-usage"] == "{}"
    assert response.headers["x-fb-trace-id"] == "abc"
    assert response.request is request
    (sent,) = seen
    assert sent.method == "POST"
    assert str(sent.url) == URL
    assert sent.content == b'{"pin":"1"}'
    assert sent.headers["content-type"] == "application/json"
    assert sent.extensions["timeout"] == {"connect": 3, "read": 3, "write": 3, "pool": 3}


async def test_redirects_are_not_followed() -> None:
    transport, client = mocked(
        lambda request: httpx.Response(302, headers={"Location": "https://elsewhere.test/"})
    )
    async with client:
        response = await transport.send(get())
    assert response.status_code == 302
    assert response.headers["location"] == "https://elsewhere.test/"


@pytest.mark.parametrize(
    ("raised", "expected", "request_sent"),
    [
        (httpx.ConnectError("refused"), ConnectError, False),
        (httpx.ConnectTimeout("slow connect"), ConnectError, False),
        (httpx.PoolTimeout("pool full"), ConnectError, False),
        (httpx.ProxyError("proxy down"), ConnectError, False),
        (httpx.ReadTimeout("slow read"), APITimeoutError, True),
        (httpx.WriteTimeout("slow write"), APITimeoutError, True),
        (httpx.RemoteProtocolError("server hung up"), APIConnectionError, True),
        (httpx.ReadError("reset"), APIConnectionError, True),
        (httpx.WriteError("broken pipe"), APIConnectionError, True),
        (httpx.DecodingError("bad gzip"), APIConnectionError, True),
    ],
)
async def test_errors_are_mapped_and_chained(
    raised: Exception, expected: type[APIConnectionError], request_sent: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    transport, client = mocked(handler)
    async with client:
        with pytest.raises(expected) as info:
            await transport.send(get())
    assert type(info.value) is expected
    assert info.value.request_sent is request_sent
    assert info.value.__cause__ is raised


async def test_unsupported_scheme_is_a_value_error() -> None:
    transport = HttpxTransport()
    try:
        with pytest.raises(ValueError, match="invalid URL"):
            await transport.send(get("ftp://graph.test/x"))
    finally:
        await transport.aclose()


async def test_a_token_in_the_query_never_rides_along_as_cause() -> None:
    secret = "EAAGsecretTOKEN"

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout(f"timed out on {request.url}")

    transport, client = mocked(handler)
    async with client:
        with pytest.raises(ConnectError) as info:
            await transport.send(get(f"{URL}/phone_numbers?after=X&access_token={secret}"))
    assert info.value.__cause__ is None
    assert secret not in str(info.value)


async def test_cancellation_propagates() -> None:
    started = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    transport, client = mocked(handler)
    async with client:
        task = asyncio.create_task(transport.send(get()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_passed_in_client_is_never_closed() -> None:
    transport, client = mocked(lambda request: httpx.Response(200, content=b"ok"))
    async with client:
        assert (await transport.send(get())).content == b"ok"
        assert transport.client is client
        await transport.aclose()
        assert not client.is_closed


async def test_own_client_is_created_lazily_with_limits_and_closed(graph: Any) -> None:
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    transport = HttpxTransport(limits=limits)
    assert transport.client is None
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
            assert (response.status_code, response.content) == (200, body)
            assert response.headers["x-app-usage"] == '{"call_count":1}'
        responses = await asyncio.gather(
            *(transport.send(get(graph.url("/x"), timeout=5.0)) for _ in range(10))
        )
        client = transport.client
        assert client is not None and not client.is_closed
    finally:
        await transport.aclose()
    assert client.is_closed
    assert [r.status_code for r in responses] == [200] * 10
    assert len(set(graph.peers[:5])) == 1  # keep-alive: one connection for sequential calls
    assert len(set(graph.peers)) <= 2  # the pool limit holds under concurrency


async def test_refused_connection_is_connect_error(graph: Any) -> None:
    url = graph.url("/x")
    await graph.server.close()  # nobody listens on that port any more
    transport = HttpxTransport()
    try:
        with pytest.raises(ConnectError) as info:
            await transport.send(get(url))
    finally:
        await transport.aclose()
    assert isinstance(info.value.__cause__, httpx.ConnectError)


async def test_real_server_cancellation_propagates(graph: Any) -> None:
    transport = HttpxTransport()
    try:
        task = asyncio.create_task(transport.send(get(graph.url("/hang"))))
        await graph.hanging.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await transport.aclose()


async def test_client_end_to_end_on_httpx(graph: Any) -> None:
    clock = FakeClock()
    transport = HttpxTransport()
    async with WhatsApp(
        access_token="tok",
        phone_number_id="111",
        business_account_id="222",
        base_url=graph.url(""),
        transport=transport,
        retry=None,
        rate_limit=RateLimitPolicy(per_waba_rate=1.0, per_waba_burst=1.0),
        clock=clock.time,
        sleep=clock.sleep,
    ) as wa:
        numbers = await asyncio.gather(wa.phone_numbers.get(), wa.phone_numbers.get())
    assert transport.client is not None and not transport.client.is_closed  # the caller's to close
    await transport.aclose()
    assert [n.id for n in numbers] == ["111", "111"]
    assert graph.auth == ["Bearer tok", "Bearer tok"]
    assert clock.sleeps == [1.0]


async def test_an_endless_gzip_body_stops_at_the_cap() -> None:
    """httpx streams and decodes the body; reading stops past the cap instead of inflating it all."""
    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        zip_ = zlib.compressobj(9, zlib.DEFLATED, 31)
        for _ in range(100_000):  # 100 GB inflated if read whole
            data = zip_.compress(b"\0" * (1 << 20)) + zip_.flush(zlib.Z_SYNC_FLUSH)
            produced += 1
            yield data

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-encoding": "gzip"}, content=endless())

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    transport = HttpxTransport(client, max_response_bytes=4 << 20)
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes") as info:
        await transport.send(get())
    await client.aclose()
    assert info.value.may_have_applied is True and info.value.http_status == 200
    assert produced <= 6


async def test_a_body_within_the_cap_is_read_whole() -> None:
    transport, client = mocked(lambda request: httpx.Response(200, content=b"x" * 1000))
    transport.max_response_bytes = 1000
    assert len((await transport.send(get())).content) == 1000
    transport.max_response_bytes = 999
    with pytest.raises(ResponseTooLargeError):
        await transport.send(get())
    await client.aclose()


def test_max_response_bytes_is_checked() -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        HttpxTransport(max_response_bytes=0)
