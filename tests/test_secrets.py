"""No token, PIN or code in any log record, repr or exception text our code produces."""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

import pytest

from meta_cloud_async import (
    APITimeoutError,
    ClientOptions,
    GraphAPIError,
    MockTransport,
    Request,
    Response,
    RetryAttempt,
    RetryPolicy,
    WhatsApp,
)
from meta_cloud_async.testing import FakeClock
from meta_cloud_async.types.phone_numbers import VerifyCodeRequest
from meta_cloud_async.types.registration import RegisterRequest
from meta_cloud_async.types.two_step_verification import SetPinRequest

TOKEN = "EAAsecretTOKENxyz987"
PIN = "428915"
CODE = "735194"
SECRETS = (TOKEN, PIN, CODE)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret leaked into: {text!r}"


def texts_of(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc)), *map(str, exc.args)]


def record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = []
    for record in caplog.records:
        out.append(record.getMessage())
        out.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            out.extend(texts_of(record.exc_info[1]))
    return out


class Server:
    """Emulates Graph: first a failure per path (to drive retries and errors), then success."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.failed: set[str] = set()

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        path = request.url.split("?")[0]
        if path not in self.failed:
            self.failed.add(path)
            if path.endswith("/1234"):
                raise APITimeoutError("timed out")
            return Response(status_code=503, content=b"<html>busy</html>")
        if path.endswith("/verify_code"):
            return Response(
                status_code=400,
                content=json.dumps(
                    {
                        "error": {
                            "message": "(#136025) Verify code error",
                            "type": "OAuthException",
                            "code": 136025,
                            "error_data": {"details": "The code you entered is wrong"},
                            "fbtrace_id": "F1",
                        }
                    }
                ).encode(),
            )
        if path.endswith("/phone_numbers"):
            return Response(
                status_code=200,
                content=json.dumps(
                    {
                        "data": [{"id": "1"}],
                        "paging": {
                            "next": f"https://graph.facebook.com/v23.0/5678/phone_numbers?access_token={TOKEN}&after=X"
                            if "after" not in request.url
                            else None
                        },
                    }
                ).encode(),
            )
        return Response(status_code=200, content=b'{"success": true}')


@pytest.fixture
def caplog_debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="meta_cloud_async")
    return caplog


async def test_nothing_secret_in_logs_reprs_or_errors(caplog_debug: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(0.0)
    attempts: list[RetryAttempt] = []
    server = Server()
    errors: list[BaseException] = []
    wa = WhatsApp(
        access_token=TOKEN,
        phone_number_id="1234",
        business_account_id="5678",
        transport=MockTransport(server),
        retry=RetryPolicy(on_retry=attempts.append),
        rate_limit=None,
        clock=clock.time,
        sleep=clock.sleep,
    )
    async with wa:
        await wa.two_step_verification.set_pin(PIN)  # timeout, retried
        try:
            await wa.registration.register(PIN, data_localization_region="DE")  # 503, not retried
        except GraphAPIError as exc:
            errors.append(exc)
        await wa.registration.register(PIN)
        try:
            await wa.phone_numbers.verify_code(CODE)  # 503
        except GraphAPIError as exc:
            errors.append(exc)
        try:
            await wa.phone_numbers.verify_code(CODE)  # Graph error with details
        except GraphAPIError as exc:
            errors.append(exc)
        assert [n.id async for n in wa.phone_numbers.list()] == ["1", "1"]
        for bad in ("42891", "4289155", PIN + " "):
            try:
                await wa.two_step_verification.set_pin(bad)
            except ValueError as exc:
                errors.append(exc)
        for bad_code in (CODE[:5], CODE + "0"):
            try:
                await wa.phone_numbers.verify_code(bad_code)
            except ValueError as exc:
                errors.append(exc)
        texts = [repr(wa), repr(wa.options), repr(wa.with_options(phone_number_id="9"))]

    assert len(errors) == 8
    assert attempts, "the retry path was exercised"
    texts += [repr(a) for a in attempts]
    texts += [repr(r) for r in server.requests]
    for error in errors:
        texts += texts_of(error)
    texts += record_texts(caplog_debug)
    assert any("POST" in t for t in record_texts(caplog_debug)), "debug logging was on and recorded calls"
    for text in texts:
        assert_clean(text)
    # The secrets did go out on the wire, where they belong.
    assert any(PIN.encode() in r.content for r in server.requests)
    assert any(CODE.encode() in r.content for r in server.requests)
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in server.requests)


def test_request_objects_never_show_secrets() -> None:
    for obj in (
        SetPinRequest(pin=PIN),
        RegisterRequest(pin=PIN, data_localization_region="DE"),
        VerifyCodeRequest(code=CODE),
        ClientOptions(access_token=TOKEN, phone_number_id="1"),
    ):
        assert_clean(repr(obj))
        assert_clean(str(obj))


def test_request_and_response_reprs() -> None:
    request = Request(
        method="POST",
        url=f"https://graph.facebook.com/v23.0/1?access_token={TOKEN}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        content=json.dumps({"pin": PIN}).encode(),
    )
    response = Response(status_code=200, content=json.dumps({"echo": PIN}).encode(), request=request)
    assert_clean(repr(request))
    assert_clean(repr(response))


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_token_errors_do_not_echo(bad: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUD_API_ACCESS_TOKEN", raising=False)
    with pytest.raises(ValueError) as info:
        WhatsApp(access_token=bad, transport=MockTransport(lambda r: Response(status_code=200)))
    assert "access token is required" in str(info.value)


def test_validation_errors_on_near_miss_secrets() -> None:
    for call in (
        lambda: SetPinRequest(pin=PIN + "0"),
        lambda: RegisterRequest(pin=PIN[:5]),
        lambda: VerifyCodeRequest(code=CODE + "1"),
        lambda: SetPinRequest(pin=int(PIN)),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError) as info:
            call()
        for text in texts_of(info.value):
            assert PIN[:5] not in text and CODE[:5] not in text


async def test_nothing_secret_logged_over_real_http(
    caplog_debug: pytest.LogCaptureFixture, serve_app: Any
) -> None:
    """The default aiohttp transport against a local server of ours, every logger at DEBUG."""
    from aiohttp import web

    received: list[bytes] = []

    async def endpoint(request: web.Request) -> web.Response:
        received.append(await request.read())
        if request.path.endswith("/verify_code"):
            return web.json_response(
                {
                    "error": {
                        "message": "(#136025) Verify code error",
                        "type": "OAuthException",
                        "code": 136025,
                    }
                },
                status=400,
            )
        return web.json_response({"success": True})

    app = web.Application()
    app.router.add_post("/v23.0/{tail:.*}", endpoint)
    async with (
        serve_app(app) as base_url,
        WhatsApp(access_token=TOKEN, phone_number_id="1234", base_url=base_url, rate_limit=None) as wa,
    ):
        await wa.two_step_verification.set_pin(PIN)
        await wa.registration.register(PIN)
        with pytest.raises(GraphAPIError) as info:
            await wa.phone_numbers.verify_code(CODE)
    assert len(received) == 3 and PIN.encode() in received[0] and CODE.encode() in received[2]
    texts = record_texts(caplog_debug) + texts_of(info.value)
    assert any("/v23.0/1234/register" in t for t in texts)
    for text in texts:
        assert_clean(text)
