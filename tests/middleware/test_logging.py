"""Logging middleware: one debug line per attempt; method, safe URL, status, time; no secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from meta_cloud_async import APITimeoutError, Request, Response
from meta_cloud_async.middleware.logging import LoggingMiddleware, safe_url

URL = "https://graph.facebook.com/v23.0/5678/phone_numbers?access_token=EAAsecret&after=X#frag"


def ticking(*values: float) -> Iterator[float]:
    yield from values


def clock_of(*values: float) -> Callable[[], float]:
    it = ticking(*values)
    return lambda: next(it)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        (URL, "https://graph.facebook.com/v23.0/5678/phone_numbers"),
        ("https://g/x#a?b", "https://g/x"),
        ("https://g/x", "https://g/x"),
    ],
)
def test_safe_url(url: str, safe: str) -> None:
    assert safe_url(url) == safe


async def test_one_debug_line_per_call(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="meta_cloud_async")
    middleware = LoggingMiddleware(clock=clock_of(10.0, 10.0125))
    request = Request(method="GET", url=URL, headers={"Authorization": "Bearer EAAsecret"})

    async def call_next(req: Request) -> Response:
        return Response(status_code=200, content=b'{"pin": "428915"}')

    response = await middleware(request, call_next)
    assert response.status_code == 200
    assert [r.getMessage() for r in caplog.records] == [
        "GET https://graph.facebook.com/v23.0/5678/phone_numbers -> 200 in 12.5 ms"
    ]
    assert caplog.records[0].levelno == logging.DEBUG
    assert caplog.records[0].name == "meta_cloud_async"


async def test_failures_are_logged_by_type_and_reraised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="meta_cloud_async")
    middleware = LoggingMiddleware(clock=clock_of(0.0, 2.0))
    error = APITimeoutError("timed out after sending PIN 428915")

    async def call_next(req: Request) -> Response:
        raise error

    with pytest.raises(APITimeoutError) as info:
        await middleware(
            Request(method="POST", url="https://g/v23.0/1", content=b'{"pin":"428915"}'), call_next
        )
    assert info.value is error
    assert [r.getMessage() for r in caplog.records] == [
        "POST https://g/v23.0/1 failed after 2000.0 ms: APITimeoutError"
    ]


async def test_silent_and_clock_untouched_when_debug_is_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="meta_cloud_async")

    def no_clock() -> float:
        raise AssertionError("clock read while logging is off")

    middleware = LoggingMiddleware(clock=no_clock)

    async def call_next(req: Request) -> Response:
        return Response(status_code=204)

    assert (await middleware(Request(method="GET", url=URL), call_next)).status_code == 204
    assert caplog.records == []


async def test_non_sdk_exceptions_pass_through_unlogged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="meta_cloud_async")
    middleware = LoggingMiddleware(clock=clock_of(0.0, 1.0))

    async def call_next(req: Request) -> Response:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await middleware(Request(method="GET", url=URL), call_next)
    assert caplog.records == []


async def test_retries_and_long_holds_are_logged_at_info_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import json as _json

    from meta_cloud_async import MockTransport, RateLimitPolicy, Response, RetryPolicy, WhatsApp
    from meta_cloud_async.testing import FakeClock

    clock = FakeClock()
    answers = [
        Response(status_code=503, content=b"busy"),
        Response(status_code=200, content=b'{"success":true}'),
    ]
    throttle = _json.dumps({"error": {"code": 80007, "message": "x"}}).encode()

    def handler(request: Any) -> Response:
        return answers.pop(0) if answers else Response(status_code=200, content=b'{"success":true}')

    caplog.set_level(logging.INFO, logger="meta_cloud_async")
    async with WhatsApp(
        access_token="SECRETtoken123",
        phone_number_id="1",
        business_account_id="2",
        transport=MockTransport(handler),
        retry=RetryPolicy(jitter=0),
        rate_limit=RateLimitPolicy(usage_hold_seconds=30),
        clock=clock.time,
        sleep=clock.sleep,
    ) as wa:
        await wa.two_step_verification.set_pin("428915")
        answers[:] = [Response(status_code=400, content=throttle)]
        await wa.two_step_verification.set_pin("428915")
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(
        m.startswith("retrying SetPinRequest (retry 1 of 2) in 0.50 s after ServerError") for m in infos
    )
    assert any(m.startswith("pacing holds SetPinRequest for 29.50 s (budget waba)") for m in infos), infos
    for message in infos:
        assert "428915" not in message and "SECRETtoken123" not in message
