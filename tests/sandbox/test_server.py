"""The network door, checked with plain aiohttp (not the SDK) so the sandbox is tested independently."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from meta_cloud_async.sandbox import Sandbox, VirtualClock


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _auth(sandbox: Sandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sandbox.access_token}"}


async def test_serve_yields_a_local_base_url(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with sandbox.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        port = int(base_url.rsplit(":", 1)[1])
        assert port > 0
        async with http.get(f"{base_url}/v23.0/{sandbox.phone_number_ids[0]}", headers=_auth(sandbox)) as r:
            assert r.status == 200
            assert r.headers["Content-Type"] == "application/json; charset=UTF-8"


async def test_auth_and_unknown_ids(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    pid = sandbox.phone_number_ids[0]
    async with sandbox.serve() as base_url:
        async with http.post(f"{base_url}/v23.0/{pid}", json={"pin": "135790"}) as r:
            assert r.status == 401
            assert (await r.json())["error"]["code"] == 190
            assert "X-App-Usage" in r.headers
        async with http.post(
            f"{base_url}/v23.0/{pid}", json={"pin": "135790"}, headers={"Authorization": "Bearer nope"}
        ) as r:
            assert r.status == 401
            assert (await r.json())["error"]["type"] == "OAuthException"
        async with http.post(f"{base_url}/v23.0/123/register", json={}, headers=_auth(sandbox)) as r:
            assert r.status == 400
            error = (await r.json())["error"]
            assert (error["code"], error["error_subcode"]) == (100, 33)
    assert sandbox.state(pid).pin != "135790"


async def test_two_step_and_registration_over_http(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    pid = sandbox.phone_number_ids[0]
    async with sandbox.serve() as base_url:
        async with http.post(f"{base_url}/v23.0/{pid}", json={"pin": "428915"}, headers=_auth(sandbox)) as r:
            assert (r.status, await r.json()) == (200, {"success": True})
        body = {"messaging_product": "whatsapp", "pin": "000111"}
        async with http.post(f"{base_url}/v21.0/{pid}/register", json=body, headers=_auth(sandbox)) as r:
            assert r.status == 400
            error = (await r.json())["error"]
            assert error["code"] == 133005
            assert error["message"] == "(#133005) Two step verification PIN Mismatch"
            assert error["error_data"]["messaging_product"] == "whatsapp"
            assert error["is_transient"] is False
            assert error["fbtrace_id"]
        async with http.post(f"{base_url}/v23.0/{pid}/deregister", headers=_auth(sandbox)) as r:
            assert (r.status, await r.json()) == (200, {"success": True})
        async with http.post(f"{base_url}/v23.0/{pid}/deregister", headers=_auth(sandbox)) as r:
            assert (await r.json())["error"]["error_subcode"] == 2207051
    assert sandbox.state(pid).pin == "428915"
    assert sandbox.state(pid).registration_attempts == 3


async def test_paging_next_is_absolute_on_the_server(
    clock: VirtualClock, http: aiohttp.ClientSession
) -> None:
    sandbox = Sandbox(phone_numbers=12, clock=clock)
    waba = sandbox.waba_ids[0]
    seen: list[str] = []
    async with sandbox.serve() as base_url:
        url: str | None = f"{base_url}/v23.0/{waba}/phone_numbers?limit=5&fields=id,status"
        while url is not None:
            assert url.startswith(base_url)
            async with http.get(url, headers=_auth(sandbox)) as r:
                page = await r.json()
            seen += [item["id"] for item in page["data"]]
            assert all(set(item) == {"id", "status"} for item in page["data"])
            url = page.get("paging", {}).get("next")
    assert seen == sandbox.phone_number_ids


async def test_usage_headers_rise(clock: VirtualClock, http: aiohttp.ClientSession) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, app_budget="4/1h", waba_budget="100/1h")
    pid, waba = sandbox.phone_number_ids[0], sandbox.waba_ids[0]
    app_usage = []
    async with sandbox.serve() as base_url:
        for _ in range(5):
            async with http.get(f"{base_url}/v23.0/{pid}", headers=_auth(sandbox)) as r:
                app_usage.append(json.loads(r.headers["X-App-Usage"])["call_count"])
                buc = json.loads(r.headers["X-Business-Use-Case-Usage"])
                status = r.status
                code = (await r.json()).get("error", {}).get("code")
    assert app_usage == [25, 50, 75, 100, 100]
    assert (status, code) == (429, 4)
    assert buc[waba][0]["call_count"] == 4


async def test_admin_surface(sandbox: Sandbox, http: aiohttp.ClientSession, clock: VirtualClock) -> None:
    pid = sandbox.phone_number_ids[1]
    async with sandbox.serve() as base_url:
        admin = f"{base_url}/_sandbox"
        async with http.get(f"{admin}/phone_numbers") as r:
            assert r.status == 401
        async with http.get(f"{admin}/phone_numbers", headers=_auth(sandbox)) as r:
            listed = (await r.json())["data"]
        assert listed == [{"id": p, "waba_id": sandbox.waba_ids[0]} for p in sandbox.phone_number_ids]
        async with http.post(f"{base_url}/v23.0/{pid}", json={"pin": "428915"}, headers=_auth(sandbox)) as r:
            assert r.status == 200
        async with http.post(
            f"{base_url}/v23.0/{pid}/request_code",
            json={"code_method": "SMS", "language": "en_US"},
            headers=_auth(sandbox),
        ) as r:
            assert r.status == 200
        async with http.get(f"{admin}/phone_numbers/{pid}", headers=_auth(sandbox)) as r:
            state = await r.json()
        assert state["pin"] == "428915"
        assert state["verification_code"] == sandbox.state(pid).verification_code
        assert state["registered"] is True
        async with http.get(f"{admin}/requests", headers=_auth(sandbox)) as r:
            text = await r.text()
            entries = json.loads(text)["data"]
        assert [e["route"] for e in entries] == ["set_pin", "request_code"]
        assert "428915" not in text and sandbox.access_token not in text
        async with http.get(f"{admin}/requests?limit=1", headers=_auth(sandbox)) as r:
            assert [e["route"] for e in (await r.json())["data"]] == ["request_code"]
        async with http.post(f"{admin}/clock", json={"advance": 90}, headers=_auth(sandbox)) as r:
            assert (await r.json())["now"] == 1_000_090.0
        assert clock() == 1_000_090.0
        async with http.post(f"{admin}/reset", headers=_auth(sandbox)) as r:
            assert (await r.json()) == {"success": True}
        async with http.get(f"{admin}/phone_numbers/{pid}", headers=_auth(sandbox)) as r:
            assert (await r.json())["pin"] != "428915"
        async with http.get(f"{admin}/phone_numbers/42", headers=_auth(sandbox)) as r:
            assert r.status == 404
    assert sandbox.request_log == []


async def test_reset_faults_close_the_connection(clock: VirtualClock, http: aiohttp.ClientSession) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, faults="set_pin.reset_after=1,register.reset_before=1")
    pid = sandbox.phone_number_ids[0]
    async with sandbox.serve() as base_url:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            async with http.post(
                f"{base_url}/v23.0/{pid}", json={"pin": "428915"}, headers=_auth(sandbox)
            ) as r:
                await r.read()
        assert sandbox.state(pid).pin == "428915"  # applied, then dropped
        body = {"messaging_product": "whatsapp", "pin": "000000"}
        with pytest.raises(aiohttp.ServerDisconnectedError):
            async with http.post(f"{base_url}/v23.0/{pid}/register", json=body, headers=_auth(sandbox)) as r:
                await r.read()
        assert sandbox.state(pid).registration_attempts == 0  # dropped before it was applied
        async with http.get(f"{base_url}/v23.0/{pid}", headers=_auth(sandbox)) as r:
            assert r.status == 200  # the server itself is fine


async def test_transient_fault_over_http(clock: VirtualClock, http: aiohttp.ClientSession) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, faults="transient=1,seed=2")
    async with (
        sandbox.serve() as base_url,
        http.get(f"{base_url}/v23.0/{sandbox.phone_number_ids[0]}", headers=_auth(sandbox)) as r,
    ):
        error = (await r.json())["error"]
        status = r.status
    assert error["is_transient"] is True
    assert (error["code"], status) in {(1, 400), (2, 503), (131000, 500)}


async def test_slow_body_is_written_in_chunks(clock: VirtualClock, http: aiohttp.ClientSession) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, faults="slow_body=1,slow_chunks=4,slow_chunk_delay=1s")
    pid = sandbox.phone_number_ids[0]
    start = clock()
    async with sandbox.serve() as base_url, http.get(f"{base_url}/v23.0/{pid}", headers=_auth(sandbox)) as r:
        body = await r.json()
        assert r.headers["Content-Length"] == str(len(json.dumps(body, separators=(",", ":"))))
    assert body["id"] == pid
    assert clock() - start == 4.0  # four chunks, one virtual second before each


# -- an exposed server ------------------------------------------------------------------


async def _raw(base_url: str, data: bytes, *, wait: float = 10.0) -> bytes:
    """Send raw bytes and read until the server closes (``wait`` only guards a regression that would hang)."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


def _post(sandbox: Sandbox, path: str, body: bytes, *headers: str) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: sandbox",
        f"Authorization: Bearer {sandbox.access_token}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _graph_error(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)["error"]


async def test_an_over_long_bearer_token_never_reaches_the_log(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    token = "EAAsecretTOKEN" * 1000  # past aiohttp's 8190-byte header limit
    request = f"GET /v23.0/1 HTTP/1.1\r\nHost: s\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    async with sandbox.serve() as base_url:
        answer = await _raw(base_url, request)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
    records = [r for r in caplog.records if r.name.startswith("aiohttp")]
    assert any("LineTooLong" in r.getMessage() for r in records)
    for record in records:
        assert "EAAsecret" not in record.getMessage() and record.exc_info is None
    assert "EAAsecret" not in caplog.text


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("gzip", b"not gzip at all"), ("deflate", b"\x00\x01 junk"), ("compress", b'{"pin":"123456"}')],
)
async def test_a_bad_content_encoding_is_a_graph_envelope(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, encoding: str, body: bytes
) -> None:
    pid = sandbox.phone_number_ids[0]
    async with sandbox.serve() as base_url:
        answer = await _raw(base_url, _post(sandbox, f"/v23.0/{pid}", body, f"Content-Encoding: {encoding}"))
    status, error = _graph_error(answer)
    assert (status, error["code"], error["type"]) == (400, 100, "OAuthException")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_gzip_body_is_still_accepted(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    body = gzip.compress(b'{"pin":"428915"}')
    async with sandbox.serve() as base_url:
        answer = await _raw(
            base_url, _post(sandbox, f"/v23.0/{pid}", body, "Content-Encoding: gzip", "Connection: close")
        )
    assert answer.startswith(b"HTTP/1.1 200")
    assert sandbox.state(pid).pin == "428915"


async def test_a_deeply_nested_body_over_http_is_400_code_100(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    async with sandbox.serve() as base_url:
        answer = await _raw(base_url, _post(sandbox, f"/v23.0/{pid}", b"[" * 200_000, "Connection: close"))
    status, error = _graph_error(answer)
    assert (status, error["code"]) == (400, 100)


async def test_a_body_too_large_is_a_graph_envelope(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    async with sandbox.serve(max_body=1 << 20) as base_url:
        # One byte past a 1 MiB cap: all of it is read before the refusal, so no reset races the answer.
        answer = await _raw(base_url, _post(sandbox, f"/v23.0/{pid}", b"{" + b" " * (1 << 20) + b"}")[:-1])
    status, error = _graph_error(answer)
    assert (status, error["code"]) == (413, 100)


async def test_a_body_that_never_arrives_times_out_with_408(sandbox: Sandbox) -> None:
    """The server's own timer ends the wait (real time, 50 ms): nothing in the test sleeps."""
    pid = sandbox.phone_number_ids[0]
    head = _post(sandbox, f"/v23.0/{pid}", b"x" * 100)[:-100]  # headers promise 100 bytes, none follow
    async with sandbox.serve(body_timeout=0.05) as base_url:
        answer = await _raw(base_url, head)
    status, error = _graph_error(answer)
    assert (status, error["code"]) == (408, 100)


@pytest.mark.parametrize("sent", [b"", b"GET /v23.0/1 HTTP/1.1\r\nHost: s\r\nX-Slow: dribbling"])
async def test_headers_that_never_complete_are_cut_off(sandbox: Sandbox, sent: bytes) -> None:
    async with sandbox.serve(header_timeout=0.05) as base_url:
        assert await _raw(base_url, sent) == b""  # closed without an answer


@pytest.mark.parametrize(("name", "value"), [("header_timeout", 0), ("body_timeout", float("inf"))])
async def test_timeouts_are_checked(sandbox: Sandbox, name: str, value: float) -> None:
    kwargs: dict[str, Any] = {name: value}
    with pytest.raises(ValueError, match=name):
        async with sandbox.serve(**kwargs):
            pass
