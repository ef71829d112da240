"""Retries: exact backoff, server hints, budgets, hooks, and what may be repeated at all."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from meta_cloud_async import (
    APIConnectionError,
    APITimeoutError,
    ConnectError,
    GraphAPIError,
    MockTransport,
    RateLimitError,
    RegistrationLimitError,
    Request,
    RequestMeta,
    Response,
    RetryAttempt,
    RetryPolicy,
    ServerError,
    WhatsApp,
)
from meta_cloud_async.middleware.retry import RetryMiddleware, server_wait_hint
from meta_cloud_async.testing import FakeClock, disable_retries

START = 1000.0


def graph_error(
    code: int, status: int = 400, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {"error": {"message": f"(#{code}) error", "type": "OAuthException", "code": code, **extra}}
    return Response(status_code=status, headers=headers or {}, content=json.dumps(body).encode())


SUCCESS = Response(status_code=200, content=b'{"success": true}')
HTML_502 = Response(
    status_code=502, headers={"content-type": "text/html"}, content=b"<html>Bad Gateway</html>"
)


class Script:
    """A handler that plays a script of responses or exceptions, then succeeds."""

    def __init__(
        self, *steps: Response | Exception, clock: FakeClock | None = None, latency: float = 0.0
    ) -> None:
        self.steps = list(steps)
        self.requests: list[Request] = []
        self.clock = clock
        self.latency = latency

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.clock is not None and self.latency:
            self.clock.advance(self.latency)
        if self.steps:
            step = self.steps.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        return SUCCESS


def randoms(*values: float) -> Callable[[], float]:
    it: Iterator[float] = iter(values)
    return lambda: next(it)


def client(
    script: Script,
    clock: FakeClock,
    *,
    retry: RetryPolicy | None = None,
    rand: Callable[[], float] = lambda: 0.0,
    **kwargs: Any,
) -> WhatsApp:
    return WhatsApp(
        access_token="EAAretryTOKEN",
        phone_number_id="1234",
        business_account_id="5678",
        transport=MockTransport(script),
        retry=retry or RetryPolicy(),
        rate_limit=None,
        clock=clock.time,
        sleep=clock.sleep,
        random=rand,
        **kwargs,
    )


# -- backoff arithmetic ------------------------------------------------------------------------


def test_backoff_formula() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.25)
    assert [policy.backoff(n, 0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.backoff(0, 0.5) == pytest.approx(0.5 * (1 - 0.25 * 0.5))
    assert policy.backoff(3, 0.999) == pytest.approx(4.0 * (1 - 0.25 * 0.999))
    assert RetryPolicy(jitter=0.0).backoff(2, 0.9) == 2.0


def test_policy_defaults_and_validation() -> None:
    policy = RetryPolicy()
    assert (policy.max_retries, policy.initial_delay, policy.max_delay) == (2, 0.5, 8.0)
    for bad in (
        {"max_retries": -1},
        {"initial_delay": -0.1},
        {"max_delay": -1},
        {"jitter": 1.5},
        {"jitter": -0.1},
    ):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)


async def test_exact_delays_through_the_client() -> None:
    clock = FakeClock(START)
    script = Script(HTML_502, HTML_502, HTML_502, HTML_502, clock=clock)
    policy = RetryPolicy(max_retries=4, initial_delay=0.5, max_delay=3.0, jitter=0.25, total_timeout=None)
    async with client(script, clock, retry=policy, rand=randoms(0.0, 0.5, 1.0, 0.2)) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert clock.sleeps == pytest.approx([0.5, 1.0 * 0.875, 2.0 * 0.75, 3.0 * 0.95])
    assert len(script.requests) == 5
    assert clock.now == pytest.approx(START + sum(clock.sleeps))


async def test_max_retries_respected_and_last_error_raised() -> None:
    clock = FakeClock(START)
    script = Script(*[graph_error(1, status=500)] * 10)
    async with client(script, clock, retry=RetryPolicy(max_retries=3)) as wa:
        with pytest.raises(ServerError) as info:
            await wa.two_step_verification.set_pin("428915")
    assert info.value.code == 1
    assert len(script.requests) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_retries_can_be_off() -> None:
    clock = FakeClock(START)
    script = Script(HTML_502)
    async with WhatsApp(
        access_token="t",
        phone_number_id="1",
        transport=MockTransport(script),
        retry=None,
        rate_limit=None,
        sleep=clock.sleep,
        clock=clock.time,
    ) as wa:
        with pytest.raises(ServerError):
            await wa.two_step_verification.set_pin("428915")
    assert len(script.requests) == 1 and clock.sleeps == []


async def test_max_retries_zero() -> None:
    clock = FakeClock(START)
    script = Script(HTML_502)
    async with client(script, clock, retry=RetryPolicy(max_retries=0)) as wa:
        with pytest.raises(ServerError):
            await wa.two_step_verification.set_pin("428915")
    assert len(script.requests) == 1 and clock.sleeps == []


async def test_disable_retries_switch() -> None:
    clock = FakeClock(START)
    script = Script(HTML_502, HTML_502)
    async with client(script, clock) as wa:
        with disable_retries(), pytest.raises(ServerError):
            await wa.two_step_verification.set_pin("428915")
        assert len(script.requests) == 1
        # Outside the block retries are back.
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5]


# -- server hints --------------------------------------------------------------------------


async def test_retry_after_seconds_is_honoured() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(4, status=429, headers={"Retry-After": "7"}))
    rand = randoms()  # must not be consulted when the server gave a hint
    async with client(script, clock, rand=rand) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_directly() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 42, usegmt=True)
    assert server_wait_hint({"retry-after": date}, wall_clock=lambda: now) == pytest.approx(42.0)
    past = email.utils.formatdate(now - 10, usegmt=True)
    assert server_wait_hint({"retry-after": past}, wall_clock=lambda: now) == 0.0


async def test_retry_after_http_date_in_the_middleware() -> None:
    clock = FakeClock(START)
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    script = Script(graph_error(130429, headers={"retry-after": date}))
    middleware = RetryMiddleware(
        RetryPolicy(), sleep=clock.sleep, clock=clock.time, wall_clock=lambda: now, random=randoms()
    )
    request = Request(
        method="POST",
        url="https://graph.facebook.com/v23.0/1",
        meta=RequestMeta(operation="SetPinRequest", idempotent=True),
    )

    async def call_next(req: Request) -> Response:
        return script(req)

    response = await middleware(request, call_next)
    assert response.status_code == 200
    assert clock.sleeps == [pytest.approx(12.0)]


@pytest.mark.parametrize(("value", "expected"), [("0", 0.0), ("2.5", 2.5), ("-3", 0.0), (" 4 ", 4.0)])
def test_retry_after_numbers(value: str, expected: float) -> None:
    assert server_wait_hint({"retry-after": value}) == expected


def test_garbage_retry_after_is_ignored() -> None:
    assert server_wait_hint({"retry-after": "soon"}) is None
    assert server_wait_hint({}) is None


def buc(*etas: Any) -> dict[str, str]:
    entries = [
        {
            "type": "whatsapp",
            "call_count": 100,
            "total_cputime": 1,
            "total_time": 1,
            "estimated_time_to_regain_access": eta,
        }
        for eta in etas
    ]
    return {"x-business-use-case-usage": json.dumps({"5678": entries})}


def test_business_use_case_header_minutes_to_seconds() -> None:
    assert server_wait_hint(buc(3)) == 180.0
    assert server_wait_hint(buc(0, 2, 1)) == 120.0  # the longest ban wins
    assert server_wait_hint(buc(0)) is None  # 0 means "not throttled"
    assert server_wait_hint({"x-business-use-case-usage": "not json"}) is None
    assert (
        server_wait_hint(
            {"x-business-use-case-usage": json.dumps({"1": {"estimated_time_to_regain_access": 1}})}
        )
        == 60.0
    )
    assert server_wait_hint(buc(True)) is None  # a bool is not a number of minutes
    # Retry-After wins over the usage header.
    assert server_wait_hint({**buc(5), "retry-after": "3"}) == 3.0


async def test_business_use_case_hint_is_honoured() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(80007, headers=buc(2)))
    async with client(script, clock, retry=RetryPolicy(max_retry_after=300.0, total_timeout=None)) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert clock.sleeps == [120.0]


async def test_hint_longer_than_max_retry_after_is_refused() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(4, status=429, headers=buc(5)))
    async with client(script, clock, retry=RetryPolicy(max_retry_after=60.0)) as wa:
        with pytest.raises(RateLimitError) as info:
            await wa.two_step_verification.set_pin("428915")
    assert clock.sleeps == []
    assert len(script.requests) == 1
    assert info.value.headers["x-business-use-case-usage"]  # the caller can read the hint itself


async def test_retry_after_longer_than_cap_is_refused() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(130429, headers={"retry-after": "61"}))
    async with client(script, clock, retry=RetryPolicy(max_retry_after=60.0)) as wa:
        with pytest.raises(RateLimitError):
            await wa.two_step_verification.set_pin("428915")
    assert clock.sleeps == [] and len(script.requests) == 1


# -- total time budget ------------------------------------------------------------------------


async def test_total_timeout_stops_before_a_wait_that_would_overrun_it() -> None:
    clock = FakeClock(START)
    script = Script(*[HTML_502] * 10)
    policy = RetryPolicy(max_retries=10, initial_delay=1.0, max_delay=100.0, jitter=0.0, total_timeout=5.0)
    async with client(script, clock, retry=policy) as wa:
        with pytest.raises(ServerError):
            await wa.two_step_verification.set_pin("428915")
    # 1 + 2 = 3 s spent; the next wait (4 s) would end at 7 s > 5 s.
    assert clock.sleeps == [1.0, 2.0]
    assert len(script.requests) == 3


async def test_total_timeout_counts_time_spent_in_attempts() -> None:
    clock = FakeClock(START)
    script = Script(*[HTML_502] * 10, clock=clock, latency=2.0)
    policy = RetryPolicy(max_retries=10, initial_delay=1.0, jitter=0.0, total_timeout=6.0)
    async with client(script, clock, retry=policy) as wa:
        with pytest.raises(ServerError):
            await wa.two_step_verification.set_pin("428915")
    # t=2 (attempt 1) +1 wait -> 3; t=5 (attempt 2) +2 would be 7 > 6: stop.
    assert clock.sleeps == [1.0]
    assert len(script.requests) == 2


async def test_total_timeout_applies_to_server_hints() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(4, headers={"retry-after": "30"}))
    async with client(script, clock, retry=RetryPolicy(total_timeout=20.0)) as wa:
        with pytest.raises(RateLimitError):
            await wa.two_step_verification.set_pin("428915")
    assert clock.sleeps == []


# -- on_retry hook ------------------------------------------------------------------------------


async def test_sync_on_retry_hook() -> None:
    clock = FakeClock(START)
    seen: list[RetryAttempt] = []
    timeout = APITimeoutError("slow")
    script = Script(timeout, graph_error(2, status=503))
    async with client(script, clock, retry=RetryPolicy(on_retry=seen.append), rand=randoms(0.0, 0.0)) as wa:
        await wa.two_step_verification.set_pin("428915")
    assert [(a.operation, a.attempt, a.wait) for a in seen] == [
        ("SetPinRequest", 1, 0.5),
        ("SetPinRequest", 2, 1.0),
    ]
    assert seen[0].cause is timeout
    assert isinstance(seen[1].cause, ServerError) and seen[1].cause.code == 2


async def test_async_on_retry_hook_is_awaited_before_sleeping() -> None:
    clock = FakeClock(START)
    events: list[str] = []

    async def hook(attempt: RetryAttempt) -> None:
        events.append(f"hook {attempt.attempt} {attempt.wait} sleeps={len(clock.sleeps)}")

    script = Script(graph_error(131000, status=500))
    async with client(script, clock, retry=RetryPolicy(on_retry=hook)) as wa:
        await wa.two_step_verification.set_pin("428915")
    assert events == ["hook 1 0.5 sleeps=0"]
    assert clock.sleeps == [0.5]


def test_retry_attempt_is_frozen() -> None:
    import attrs

    attempt = RetryAttempt(operation="x", attempt=1, wait=0.5, cause=ConnectError())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        attempt.wait = 2.0  # type: ignore[misc]


# -- what is retried -----------------------------------------------------------------------------

IDEMPOTENT_FAILURES: list[Callable[[], Response | Exception]] = [
    lambda: APITimeoutError("timed out"),
    lambda: APIConnectionError("reset", request_sent=True),
    lambda: ConnectError("refused"),
    lambda: HTML_502,
    lambda: Response(status_code=503, content=b""),
    lambda: graph_error(1, status=500),
    lambda: graph_error(2, status=503),
    lambda: graph_error(131000, status=500),
    lambda: graph_error(131016, status=500),
    lambda: graph_error(133004, status=503),
    lambda: graph_error(4, status=400),
    lambda: graph_error(4, status=429),
    lambda: graph_error(80007, status=400),
    lambda: graph_error(130429, status=400),
    lambda: graph_error(999, status=400, is_transient=True),
    lambda: graph_error(999_999, status=503),  # unknown code, but a server failure
]


@pytest.mark.parametrize("failure", IDEMPOTENT_FAILURES)
async def test_set_pin_is_retried_on_transient_failures(failure: Callable[[], Response | Exception]) -> None:
    clock = FakeClock(START)
    script = Script(failure())
    async with client(script, clock) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert len(script.requests) == 2
    assert script.requests[0].content == script.requests[1].content == b'{"pin":"428915"}'
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize(
    "failure",
    [
        lambda: graph_error(100),
        lambda: graph_error(190, status=401),
        lambda: graph_error(133005),
        lambda: graph_error(368, status=403),
        lambda: graph_error(133016, is_transient=True),
    ],
)
async def test_set_pin_is_not_retried_on_permanent_errors(failure: Callable[[], Response]) -> None:
    clock = FakeClock(START)
    script = Script(failure())
    async with client(script, clock) as wa:
        with pytest.raises(Exception) as info:
            await wa.two_step_verification.set_pin("428915")
    assert len(script.requests) == 1 and clock.sleeps == []
    assert info.value.__class__.__name__.endswith("Error")


async def test_transient_code_is_retried_even_if_meta_flag_is_false() -> None:
    # The documented rule is "is_transient OR a transient code": a flag Meta leaves at false
    # on an overload code must not turn off the backoff.
    clock = FakeClock(START)
    script = Script(graph_error(4, is_transient=False))
    async with client(script, clock) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert len(script.requests) == 2


NEVER_AFTER_SENT: list[Callable[[], Response | Exception]] = [
    lambda: APITimeoutError("timed out"),
    lambda: APIConnectionError("server disconnected", request_sent=True),
    lambda: HTML_502,
    lambda: graph_error(1, status=500),
    lambda: graph_error(2, status=503),
    lambda: graph_error(131000, status=500),
    lambda: graph_error(133004, status=503),
    lambda: graph_error(4, status=429, headers={"retry-after": "1"}),
    lambda: graph_error(80007),
    lambda: graph_error(130429),
    lambda: graph_error(17, is_transient=True),
]

NON_IDEMPOTENT_CALLS: dict[str, Callable[[WhatsApp], Any]] = {
    "register": lambda wa: wa.registration.register("428915"),
    "deregister": lambda wa: wa.registration.deregister(),
    "request_code": lambda wa: wa.phone_numbers.request_code(),
    "verify_code": lambda wa: wa.phone_numbers.verify_code("123456"),
}


@pytest.mark.parametrize("call", list(NON_IDEMPOTENT_CALLS.values()), ids=list(NON_IDEMPOTENT_CALLS))
@pytest.mark.parametrize("failure", NEVER_AFTER_SENT)
async def test_non_idempotent_calls_never_retried_once_possibly_sent(
    call: Callable[[WhatsApp], Any], failure: Callable[[], Response | Exception]
) -> None:
    clock = FakeClock(START)
    first = failure()
    script = Script(first)
    async with client(script, clock, retry=RetryPolicy(max_retries=5)) as wa:
        with pytest.raises((APIConnectionError, ServerError, RateLimitError)) as info:
            await call(wa)
    assert len(script.requests) == 1
    assert clock.sleeps == []
    if isinstance(first, Exception):
        assert info.value is first


@pytest.mark.parametrize("call", list(NON_IDEMPOTENT_CALLS.values()), ids=list(NON_IDEMPOTENT_CALLS))
async def test_non_idempotent_calls_retried_when_nothing_was_sent(call: Callable[[WhatsApp], Any]) -> None:
    clock = FakeClock(START)
    script = Script(ConnectError("refused"), ConnectError("refused"))
    async with client(script, clock) as wa:
        result = await call(wa)
    assert result.success is True
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


async def test_connect_error_exhausts_and_raises() -> None:
    clock = FakeClock(START)
    script = Script(*[ConnectError("refused")] * 5)
    async with client(script, clock, retry=RetryPolicy(max_retries=2)) as wa:
        with pytest.raises(ConnectError):
            await wa.registration.register("428915")
    assert len(script.requests) == 3


async def test_registration_limit_is_never_retried() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(133016, is_transient=True, headers={"retry-after": "1"}))
    async with client(script, clock, retry=RetryPolicy(max_retries=5)) as wa:
        with pytest.raises(RegistrationLimitError):
            await wa.registration.register("428915")
    assert len(script.requests) == 1 and clock.sleeps == []


async def test_reads_are_retried() -> None:
    clock = FakeClock(START)
    script = Script(APITimeoutError(), Response(status_code=200, content=b'{"id": "1234"}'))
    async with client(script, clock) as wa:
        assert (await wa.phone_numbers.get()).id == "1234"
    assert len(script.requests) == 2


async def test_later_pages_are_retried() -> None:
    clock = FakeClock(START)
    first = Response(
        status_code=200,
        content=json.dumps(
            {
                "data": [{"id": "1"}],
                "paging": {"next": "https://graph.facebook.com/v23.0/5678/phone_numbers?after=X"},
            }
        ).encode(),
    )
    second = Response(status_code=200, content=b'{"data": [{"id": "2"}]}')
    script = Script(first, HTML_502, second)
    async with client(script, clock) as wa:
        assert [n.id async for n in wa.phone_numbers.list()] == ["1", "2"]
    assert len(script.requests) == 3 and clock.sleeps == [0.5]


async def test_unexpected_exceptions_are_not_retried() -> None:
    clock = FakeClock(START)
    script = Script(RuntimeError("bug in a handler"))
    async with client(script, clock) as wa:
        with pytest.raises(RuntimeError, match="bug in a handler"):
            await wa.two_step_verification.set_pin("428915")
    assert len(script.requests) == 1


async def test_retry_state_is_shared_with_copies() -> None:
    clock = FakeClock(START)
    seen: list[str] = []
    script = Script(HTML_502)
    async with client(script, clock, retry=RetryPolicy(on_retry=lambda a: seen.append(a.operation))) as wa:
        other = wa.with_options(phone_number_id="9999")
        await other.two_step_verification.set_pin("428915")
    assert seen == ["SetPinRequest"]
    assert [r.url for r in script.requests] == ["https://graph.facebook.com/v23.0/9999"] * 2


async def test_cancellation_during_backoff_propagates_and_stops() -> None:
    import asyncio

    clock = FakeClock(START)
    script = Script(*[HTML_502] * 5)
    backing_off = asyncio.Event()
    policy = RetryPolicy(max_retries=5, on_retry=lambda attempt: backing_off.set())
    async with client(script, clock, retry=policy) as wa:
        task = asyncio.ensure_future(wa.two_step_verification.set_pin("428915"))
        await backing_off.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(script.requests) == 1
    assert clock.sleeps == [0.5]


def test_backoff_does_not_overflow_for_large_attempt_numbers() -> None:
    assert RetryPolicy(max_delay=30.0).backoff(5000, 0.0) == 30.0


def test_http_date_without_zone_is_utc() -> None:
    now = 1_700_000_000.0
    naive = email.utils.formatdate(now + 20)  # "... -0000" parses as a naive datetime
    assert naive.endswith("-0000")
    assert server_wait_hint({"retry-after": naive}, wall_clock=lambda: now) == pytest.approx(20.0)


# -- "did it happen anyway?": may_have_applied survives the retries ------------------------------


async def test_rejection_after_a_timeout_says_the_pin_may_be_in_effect() -> None:
    clock = FakeClock(START)
    script = Script(APITimeoutError(), graph_error(100))
    with pytest.raises(GraphAPIError) as caught:
        await client(script, clock).two_step_verification.set_pin("428915")
    assert caught.value.code == 100
    assert caught.value.may_have_applied is True
    assert len(script.requests) == 2


async def test_throttles_alone_prove_nothing_was_applied() -> None:
    clock = FakeClock(START)
    script = Script(graph_error(80007), graph_error(80007), graph_error(80007))
    with pytest.raises(RateLimitError) as caught:
        await client(script, clock).two_step_verification.set_pin("428915")
    assert caught.value.may_have_applied is False
    assert len(script.requests) == 3


async def test_connect_error_after_a_lost_connection_is_still_ambiguous() -> None:
    clock = FakeClock(START)
    script = Script(APIConnectionError("reset", request_sent=True), ConnectError(), ConnectError())
    with pytest.raises(ConnectError) as caught:
        await client(script, clock).two_step_verification.set_pin("428915")
    assert caught.value.request_sent is False  # this attempt never left ...
    assert caught.value.may_have_applied is True  # ... but the first one may have applied


async def test_a_lone_connect_error_was_not_applied() -> None:
    clock = FakeClock(START)
    script = Script(ConnectError())
    with pytest.raises(ConnectError) as caught:
        await client(script, clock, retry=RetryPolicy(max_retries=0)).two_step_verification.set_pin("428915")
    assert caught.value.may_have_applied is False


async def test_server_errors_are_always_possibly_applied() -> None:
    clock = FakeClock(START)
    script = Script(HTML_502)
    with pytest.raises(ServerError) as caught:
        await client(script, clock, retry=RetryPolicy(max_retries=0)).two_step_verification.set_pin("428915")
    assert caught.value.may_have_applied is True


async def test_success_after_an_ambiguous_attempt_is_plain_success() -> None:
    clock = FakeClock(START)
    script = Script(APITimeoutError())
    result = await client(script, clock).two_step_verification.set_pin("428915")
    assert result.success is True


async def test_infinite_retry_after_is_ignored() -> None:
    assert server_wait_hint({"retry-after": "inf"}) is None
    assert server_wait_hint({"retry-after": "nan"}) is None
    assert server_wait_hint({"retry-after": "2.5"}) == 2.5


@pytest.mark.parametrize(
    "final",
    [
        Response(status_code=200, content=b'{"error": {"message": "(#100) bad", "code": 100}}'),
        Response(status_code=302, headers={"location": "https://elsewhere.test/"}),
    ],
)
async def test_flag_survives_a_final_answer_below_400(final: Response) -> None:
    clock = FakeClock(START)
    script = Script(APITimeoutError(), final)
    with pytest.raises(GraphAPIError) as caught:
        await client(script, clock).two_step_verification.set_pin("428915")
    assert caught.value.may_have_applied is True


def test_deeply_nested_usage_header_gives_no_hint() -> None:
    assert server_wait_hint({"x-business-use-case-usage": "[" * 100_000}) is None
    assert server_wait_hint({"x-business-use-case-usage": '{"1":' * 100_000}) is None


async def test_deeply_nested_answers_are_typed_errors_through_the_client() -> None:
    """Body and usage header both nested past the parser's depth: a ServerError after retries, nothing raw."""
    deep = "[" * 100_000
    calls = 0

    def handler(request: Request) -> Response:
        nonlocal calls
        calls += 1
        return Response(status_code=503, headers={"x-business-use-case-usage": deep}, content=deep.encode())

    clock = FakeClock()
    async with WhatsApp(
        access_token="T",
        phone_number_id="1",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
    ) as wa:
        with pytest.raises(ServerError):
            await wa.phone_numbers.get()
    assert calls == 3


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"max_retries": "2"}, TypeError),
        ({"max_retries": 2.0}, TypeError),
        ({"max_retries": True}, TypeError),
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 101}, ValueError),
        ({"initial_delay": "0.5"}, TypeError),
        ({"initial_delay": float("nan")}, ValueError),
        ({"initial_delay": -1}, ValueError),
        ({"max_delay": float("inf")}, ValueError),
        ({"jitter": float("nan")}, ValueError),
        ({"jitter": 1.5}, ValueError),
        ({"total_timeout": float("nan")}, ValueError),
        ({"total_timeout": float("inf")}, ValueError),
        ({"total_timeout": 0}, ValueError),
        ({"total_timeout": "60"}, TypeError),
        ({"max_retry_after": float("nan")}, ValueError),
        ({"max_retry_after": float("inf")}, ValueError),
        ({"max_retry_after": -1}, ValueError),
        ({"max_retry_after": None}, TypeError),
        ({"on_retry": "print"}, TypeError),
    ],
)
def test_every_retry_policy_field_is_checked_by_name(kwargs: dict[str, Any], exc: type[Exception]) -> None:
    [name] = kwargs
    with pytest.raises(exc, match=name):
        RetryPolicy(**kwargs)


async def test_nan_can_no_longer_remove_the_retry_after_cap() -> None:
    """Before: max_retry_after=nan made ``hint > nan`` always False, so any hint was slept."""
    with pytest.raises(ValueError, match="max_retry_after"):
        RetryPolicy(max_retry_after=float("nan"))
    assert RetryPolicy(max_retry_after=0, total_timeout=None).max_retry_after == 0
