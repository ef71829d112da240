"""Token buckets, usage-header slowdown and holds, all on a fake clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meta_cloud_async import WhatsApp
from meta_cloud_async._http import Request, RequestMeta, Response
from meta_cloud_async.middleware import (
    BucketStore,
    MemoryBucketStore,
    RateLimitMiddleware,
    RateLimitPolicy,
    RetryPolicy,
)
from meta_cloud_async.middleware.rate_limit import APP_KEY, usage_factor
from meta_cloud_async.testing import FakeClock, MockTransport

PHONE = "phone:111"
WABA = "waba:222"
PHONE_JSON = b'{"id":"111","display_phone_number":"+1 555","verified_name":"Acme"}'


def request(*keys: str) -> Request:
    return Request(method="GET", url="https://graph.test/v23.0/111", meta=RequestMeta(rate_limit_keys=keys))


def buc(usage: float, regain: float = 0, object_id: str = "222") -> dict[str, str]:
    entry = {
        "type": "whatsapp_business_management",
        "call_count": usage,
        "total_cputime": 1,
        "total_time": 1,
        "estimated_time_to_regain_access": regain,
    }
    return {"X-Business-Use-Case-Usage": json.dumps({object_id: [entry]})}


def graph_error(code: int) -> bytes:
    return json.dumps({"error": {"message": "slow down", "type": "OAuthException", "code": code}}).encode()


class Harness:
    """A middleware on a fake clock whose downstream records when each call went out."""

    def __init__(self, policy: RateLimitPolicy, responses: list[Response] | None = None) -> None:
        self.clock = FakeClock()
        self.mw = RateLimitMiddleware(policy, clock=self.clock.time, sleep=self.clock.sleep)
        self.sent: list[float] = []
        self.responses = list(responses or [])

    async def _downstream(self, req: Request) -> Response:
        self.sent.append(self.clock.time())
        return self.responses.pop(0) if self.responses else Response(status_code=200, content=b"{}")

    async def call(self, *keys: str) -> Response:
        return await self.mw(request(*keys), self._downstream)


# -- the bucket arithmetic ------------------------------------------------------------


def test_memory_store_reservations_queue_at_exact_times() -> None:
    store = MemoryBucketStore()
    waits = [store.reserve_now(PHONE, 1.0, 2.0, 0.0) for _ in range(5)]
    assert waits == [0.0, 0.0, 1.0, 2.0, 3.0]


def test_memory_store_refills_at_rate_up_to_burst() -> None:
    store = MemoryBucketStore()
    for _ in range(3):
        store.reserve_now(PHONE, 2.0, 3.0, 0.0)
    # 1.0 s later two tokens are back, the third take waits half a second.
    assert [store.reserve_now(PHONE, 2.0, 3.0, 1.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    # long idle: never more than `burst` tokens.
    assert [store.reserve_now(PHONE, 2.0, 3.0, 100.0) for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]


def test_memory_store_hold_then_steady_pace_without_burst() -> None:
    store = MemoryBucketStore()
    store.block_until_now(PHONE, 10.0, 0.0)
    store.block_until_now(PHONE, 5.0, 0.0)  # holds only extend
    assert [store.reserve_now(PHONE, 4.0, 8.0, 0.0) for _ in range(3)] == [10.0, 10.25, 10.5]


async def test_memory_store_async_api_matches_protocol() -> None:
    store = MemoryBucketStore()
    assert isinstance(store, BucketStore)
    assert await store.blocked_until(PHONE, 0.0) == 0.0
    await store.block_until(PHONE, 3.0, 0.0)
    assert await store.blocked_until(PHONE, 0.0) == 3.0
    assert await store.reserve(PHONE, 1.0, 1.0, 0.0) == 3.0
    assert await store.reserve(PHONE, 1.0, 1.0, 0.0) == 4.0
    await store.refund(PHONE, 1.0, 0.0)
    assert await store.reserve(PHONE, 1.0, 1.0, 0.0) == 4.0


# -- the middleware -------------------------------------------------------------------


async def test_third_call_waits_one_second_and_fourth_two() -> None:
    h = Harness(RateLimitPolicy(messaging_rate=1.0, messaging_burst=2.0))
    await asyncio.gather(*(h.call(PHONE) for _ in range(4)))
    assert h.clock.sleeps == [1.0, 2.0]
    assert sorted(h.sent) == [0.0, 0.0, 1.0, 2.0]


async def test_many_concurrent_waiters_each_get_their_own_slot() -> None:
    h = Harness(RateLimitPolicy(messaging_rate=4.0, messaging_burst=1.0))
    await asyncio.gather(*(h.call(PHONE) for _ in range(20)))
    assert h.sent == [i * 0.25 for i in range(20)]
    assert h.clock.sleeps == [i * 0.25 for i in range(1, 20)]


async def test_sequential_calls_pace_at_rate() -> None:
    h = Harness(RateLimitPolicy(messaging_rate=2.0, messaging_burst=1.0))
    for _ in range(3):
        await h.call(PHONE)
    assert h.sent == [0.0, 0.5, 1.0]
    assert h.clock.sleeps == [0.5, 0.5]


async def test_uncontended_call_never_sleeps() -> None:
    h = Harness(RateLimitPolicy())
    for _ in range(80):
        await h.call(PHONE, WABA)
    assert h.clock.sleeps == []
    assert len(h.sent) == 80


async def test_each_key_has_its_own_bucket_and_the_longest_wait_wins() -> None:
    policy = RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0, per_waba_rate=0.5, per_waba_burst=1.0)
    h = Harness(policy)
    await asyncio.gather(h.call("phone:1", WABA), h.call("phone:2", WABA), h.call("phone:1"))
    # phone:1 second call -> 1 s; the WABA's second token -> 2 s.
    assert sorted(h.clock.sleeps) == [1.0, 2.0]


async def test_keys_without_a_rate_are_not_paced() -> None:
    h = Harness(RateLimitPolicy(messaging_rate=None))
    await asyncio.gather(*(h.call(PHONE, WABA, "other:1") for _ in range(10)))
    assert h.clock.sleeps == []
    assert h.sent == [0.0] * 10


async def test_cancelled_waiter_gives_its_token_back() -> None:
    h = Harness(RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0))
    await h.call(PHONE)
    waiter = asyncio.create_task(h.call(PHONE))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await h.call(PHONE)  # takes the refunded slot: 1 s after the first, not 2 s
    assert h.sent == [0.0, 1.0]


# -- usage headers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usage", "factor"),
    [(0, 1.0), (74.9, 1.0), (75, 1.0), (85, 0.55), (95, 0.1), (100, 0.1), (250, 0.1)],
)
def test_usage_factor_formula(usage: float, factor: float) -> None:
    assert usage_factor(usage, RateLimitPolicy()) == pytest.approx(factor)


async def test_buc_usage_scales_a_configured_waba_bucket() -> None:
    policy = RateLimitPolicy(
        per_waba_rate=2.0, per_waba_burst=1.0, slow_at=50.0, pause_at=100.0, min_factor=0.1
    )
    h = Harness(policy, [Response(status_code=200, headers=buc(75.0))])
    await h.call(WABA)
    # u = 75 -> factor 1 - 0.9 * 0.5 = 0.55 -> rate 1.1/s, burst max(1, 0.55) = 1. The first
    # token was spaced at the old rate (0.5 s); the ones taken after the change at 1 / 1.1 s.
    assert h.mw.factor(WABA) == pytest.approx(0.55)
    await h.call(WABA)
    await h.call(WABA)
    assert h.clock.sleeps == pytest.approx([0.5, 1 / 1.1])


async def test_a_configured_bucket_is_slowed_by_usage_then_paced_at_its_own_rate_again() -> None:
    # The key set's limits are resolved once while nothing is learnt; what Meta reports in
    # between must still slow it, and its recovery bring the configured rate back.
    policy = RateLimitPolicy(per_waba_rate=2.0, per_waba_burst=1.0, slow_at=50.0, pause_at=100.0)
    h = Harness(
        policy,
        [
            Response(status_code=200),
            Response(status_code=200, headers=buc(75.0)),
            Response(status_code=200, headers=buc(10.0)),
        ],
    )
    await h.call(WABA)
    await h.call(WABA)
    assert h.mw.factor(WABA) == pytest.approx(0.55)
    await h.call(WABA)
    assert h.mw.factor(WABA) == 1.0
    await h.call(WABA)
    await h.call(WABA)
    # 0.5 s apart at the configured 2/s; the token taken while slowed (1.1/s) is spaced 1/1.1 s
    # from the one before it (what the third call waits is still the old spacing: GCRA); after
    # the recovery, 0.5 s again.
    assert h.clock.sleeps == pytest.approx([0.5, 0.5, 1 / 1.1, 0.5])


async def test_buc_usage_paces_an_unconfigured_waba_at_the_base_rate() -> None:
    policy = RateLimitPolicy(usage_base_rate=10.0)  # defaults: slow at 75, pause at 95, min 0.1
    h = Harness(policy, [Response(status_code=200, headers=buc(85.0))])
    await h.call(PHONE, WABA)
    await asyncio.gather(*(h.call(PHONE, WABA) for _ in range(3)))
    # factor 0.55 -> 5.5/s with burst 1 on the WABA key; the phone bucket is untouched.
    step = 1 / 5.5
    assert h.clock.sleeps == pytest.approx([step, 2 * step])


async def test_usage_back_below_threshold_removes_the_slowdown() -> None:
    policy = RateLimitPolicy(usage_base_rate=1.0)
    h = Harness(
        policy, [Response(status_code=200, headers=buc(90.0)), Response(status_code=200, headers=buc(10))]
    )
    await h.call(WABA)
    assert h.mw.factor(WABA) < 1.0
    await h.call(WABA)
    assert h.mw.factor(WABA) == 1.0
    await asyncio.gather(*(h.call(WABA) for _ in range(5)))
    assert h.sent[2:] == [h.sent[1]] * 5


async def test_regain_time_holds_the_key_then_paces() -> None:
    policy = RateLimitPolicy(per_waba_rate=4.0, per_waba_burst=10.0)
    h = Harness(policy, [Response(status_code=200, headers=buc(100.0, regain=2))])
    await h.call(WABA)
    assert h.mw.held_until(WABA) == 120.0
    await asyncio.gather(*(h.call(WABA) for _ in range(3)))
    # min_factor 0.1 -> 0.4/s, burst 1: first at the end of the hold, then every 2.5 s.
    assert h.sent == pytest.approx([0.0, 120.0, 122.5, 125.0])


async def test_usage_at_pause_threshold_holds_for_pause_seconds() -> None:
    policy = RateLimitPolicy(pause_seconds=30.0, usage_base_rate=100.0)
    h = Harness(policy, [Response(status_code=200, headers=buc(96.0))])
    await h.call(PHONE, WABA)
    await h.call(PHONE, WABA)
    assert h.clock.sleeps == [30.0]
    await h.call(PHONE)  # calls without the WABA key are not held
    assert h.sent == [0.0, 30.0, 30.0]


async def test_app_usage_slows_every_call() -> None:
    app_usage = {"X-App-Usage": json.dumps({"call_count": 85, "total_cputime": 3, "total_time": 4})}
    h = Harness(RateLimitPolicy(usage_base_rate=11.0), [Response(status_code=200, headers=app_usage)])
    await h.call()
    assert h.mw.factor(APP_KEY) == pytest.approx(0.55)
    await asyncio.gather(h.call(), h.call(PHONE), h.call("waba:9"))
    assert h.clock.sleeps == pytest.approx([1 / 6.05, 2 / 6.05])


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Business-Use-Case-Usage": "{not json"},
        {"X-Business-Use-Case-Usage": "[1, 2]"},
        {"X-Business-Use-Case-Usage": json.dumps({"222": [{"call_count": "lots"}, 7, None]})},
        {"X-Business-Use-Case-Usage": json.dumps({"222": {"call_count": 10}})},
        {"X-App-Usage": "nope"},
        {"X-App-Usage": "[]"},
        {"X-App-Usage": json.dumps({"call_count": True, "total_time": float("nan")})},
    ],
)
async def test_malformed_usage_headers_are_ignored(headers: dict[str, str]) -> None:
    h = Harness(RateLimitPolicy(), [Response(status_code=200, headers=headers)])
    response = await h.call(PHONE, WABA)
    assert response.status_code == 200
    assert h.mw.factor(WABA) == 1.0
    assert h.mw.factor(APP_KEY) == 1.0


async def test_buc_entries_use_the_largest_percentage() -> None:
    header = {
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "222": [
                    {"type": "whatsapp", "call_count": 5, "total_cputime": 80, "total_time": 2},
                    {"type": "whatsapp_business_management", "call_count": 12},
                ]
            }
        )
    }
    h = Harness(RateLimitPolicy(), [Response(status_code=200, headers=header)])
    await h.call(WABA)
    assert h.mw.factor(WABA) == pytest.approx(usage_factor(80, RateLimitPolicy()))


# -- throttling errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "held", "free", "hold"),
    [
        (130429, PHONE, WABA, 1.0),
        (80007, WABA, PHONE, 60.0),
        (4, APP_KEY, None, 60.0),
        (341, APP_KEY, None, 60.0),
    ],
)
async def test_throttle_error_holds_the_right_key(
    code: int, held: str, free: str | None, hold: float
) -> None:
    h = Harness(RateLimitPolicy(), [Response(status_code=400, content=graph_error(code))])
    response = await h.call(PHONE, WABA)
    assert response.status_code == 400  # passed through untouched for the retry middleware
    assert h.mw.held_until(held) == hold
    if free is not None:
        assert h.mw.held_until(free) == float("-inf")
        await h.call(free)
    await (h.call() if held == APP_KEY else h.call(held))  # "app" applies to every call
    assert h.sent[-1] == hold


async def test_throttle_hold_uses_the_server_hint() -> None:
    h = Harness(
        RateLimitPolicy(),
        [Response(status_code=429, headers={"Retry-After": "7"}, content=graph_error(130429))],
    )
    await h.call(PHONE)
    await h.call(PHONE)
    assert h.clock.sleeps == [7.0]


async def test_other_errors_do_not_hold() -> None:
    h = Harness(
        RateLimitPolicy(),
        [Response(status_code=400, content=graph_error(100)), Response(status_code=500, content=b"<html>")],
    )
    await h.call(PHONE, WABA)
    await h.call(PHONE, WABA)
    await h.call(PHONE, WABA)
    assert h.clock.sleeps == []


# -- a store of yours -------------------------------------------------------------------


class RecordingStore:
    """A protocol-only store (not MemoryBucketStore), so the middleware must go through the awaits."""

    def __init__(self) -> None:
        self.inner = MemoryBucketStore()
        self.calls: list[tuple[Any, ...]] = []

    async def reserve(self, key: str, rate: float, burst: float, now: float) -> float:
        self.calls.append(("reserve", key, rate, burst, now))
        return await self.inner.reserve(key, rate, burst, now)

    async def refund(self, key: str, rate: float, now: float) -> None:
        self.calls.append(("refund", key, rate, now))
        await self.inner.refund(key, rate, now)

    async def block_until(self, key: str, until: float, now: float) -> None:
        self.calls.append(("block_until", key, until, now))
        await self.inner.block_until(key, until, now)

    async def blocked_until(self, key: str, now: float) -> float:
        return await self.inner.blocked_until(key, now)


async def test_shared_store_is_used_for_reserve_refund_and_holds() -> None:
    store = RecordingStore()
    assert isinstance(store, BucketStore)
    policy = RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0, store=store)
    h = Harness(policy, [Response(status_code=400, content=graph_error(130429))])
    await h.call(PHONE)
    waiter = asyncio.create_task(h.call(PHONE))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert store.calls == [
        ("reserve", PHONE, 1.0, 1.0, 0.0),
        ("block_until", PHONE, 1.0, 0.0),
        ("reserve", PHONE, 1.0, 1.0, 0.0),
        ("refund", PHONE, 1.0, 0.0),
    ]


async def test_two_middlewares_sharing_a_store_share_the_budget() -> None:
    store = MemoryBucketStore()
    policy = RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0, store=store)
    a, b = Harness(policy), Harness(policy)
    b.clock = a.clock
    b.mw = RateLimitMiddleware(policy, clock=a.clock.time, sleep=a.clock.sleep)
    await asyncio.gather(a.call(PHONE), b.call(PHONE), a.call(PHONE))
    assert sorted(a.clock.sleeps) == [1.0, 2.0]


# -- policy validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"messaging_rate": 0},
        {"per_waba_rate": -1.0},
        {"messaging_burst": 0.5},
        {"slow_at": 90.0, "pause_at": 80.0},
        {"slow_at": -1.0},
        {"min_factor": 0.0},
        {"min_factor": 1.5},
        {"usage_base_rate": 0.0},
    ],
)
def test_bad_policy_is_a_value_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RateLimitPolicy(**kwargs)


def test_limit_for_maps_key_kinds() -> None:
    policy = RateLimitPolicy(per_waba_rate=5000 / 3600, per_waba_burst=50)
    assert policy.limit_for("phone:1") == (80.0, 80.0)
    assert policy.limit_for("waba:1") == (5000 / 3600, 50)
    assert policy.limit_for("other:1") is None


# -- through the real client --------------------------------------------------------------


def make_client(clock: FakeClock, handler: Any, **kwargs: Any) -> WhatsApp:
    return WhatsApp(
        access_token="test-token",
        phone_number_id="111",
        business_account_id="222",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
        **kwargs,
    )


async def test_client_paces_concurrent_calls() -> None:
    clock = FakeClock()
    sent: list[float] = []

    def handler(req: Request) -> Response:
        sent.append(clock.time())
        assert req.meta.rate_limit_keys == ("waba:222",)  # a read is a management call
        return Response(status_code=200, content=PHONE_JSON)

    async with make_client(
        clock, handler, retry=None, rate_limit=RateLimitPolicy(per_waba_rate=1.0, per_waba_burst=2.0)
    ) as wa:
        numbers = await asyncio.gather(*(wa.phone_numbers.get() for _ in range(4)))
    assert [n.id for n in numbers] == ["111"] * 4
    assert clock.sleeps == [1.0, 2.0]
    assert sent == [0.0, 0.0, 1.0, 2.0]


async def test_client_with_options_copies_share_buckets() -> None:
    clock = FakeClock()
    async with make_client(
        clock,
        lambda req: Response(status_code=200, content=PHONE_JSON),
        retry=None,
        rate_limit=RateLimitPolicy(messaging_rate=None, per_waba_rate=1.0, per_waba_burst=1.0),
    ) as wa:
        other = wa.with_options(phone_number_id="333")
        await asyncio.gather(wa.phone_numbers.get(), other.phone_numbers.get())
    assert clock.sleeps == [1.0]


async def test_client_retry_attempts_are_paced_and_respect_the_throttle_hold() -> None:
    clock = FakeClock()
    sent: list[float] = []
    answers = [
        Response(status_code=400, content=graph_error(130429)),
        Response(status_code=200, content=PHONE_JSON),
    ]

    def handler(req: Request) -> Response:
        sent.append(clock.time())
        return answers.pop(0)

    async with make_client(
        clock, handler, retry=RetryPolicy(max_retries=2, jitter=0.0), rate_limit=RateLimitPolicy()
    ) as wa:
        number = await wa.phone_numbers.get()
    assert number.id == "111"
    # retry backoff 0.5 s, then the rate limiter holds the phone until the 1 s throughput hold ends.
    assert clock.sleeps == [0.5, 0.5]
    assert sent == [0.0, 1.0]


async def test_client_without_rate_limit_never_sleeps() -> None:
    clock = FakeClock()
    async with make_client(
        clock, lambda req: Response(status_code=200, content=PHONE_JSON), retry=None, rate_limit=None
    ) as wa:
        await asyncio.gather(*(wa.phone_numbers.get() for _ in range(200)))
    assert clock.sleeps == []


async def test_client_every_retry_attempt_takes_a_token() -> None:
    clock = FakeClock()
    sent: list[float] = []
    answers = [Response(status_code=500, content=b"oops"), Response(status_code=200, content=PHONE_JSON)]

    def handler(req: Request) -> Response:
        sent.append(clock.time())
        return answers.pop(0)

    async with make_client(
        clock,
        handler,
        retry=RetryPolicy(max_retries=1, jitter=0.0),
        rate_limit=RateLimitPolicy(per_waba_rate=1.0, per_waba_burst=1.0),
    ) as wa:
        await wa.phone_numbers.get()
    # the 500 sets no hold: the second attempt waits only for the token the first one spent.
    assert clock.sleeps == [0.5, 0.5]
    assert sent == [0.0, 1.0]


# -- the bucket never lets more through than rate and burst allow --------------------------


@settings(max_examples=200, deadline=None)
@given(
    rate=st.sampled_from([0.5, 1.0, 4.0, 80.0]),
    burst=st.integers(min_value=1, max_value=10),
    gaps=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=60),
)
def test_any_window_holds_at_most_burst_plus_rate_times_its_length(
    rate: float, burst: int, gaps: list[float]
) -> None:
    store = MemoryBucketStore()
    now = 0.0
    sends: list[float] = []
    for gap in gaps:
        now += gap
        wait = store.reserve_now(PHONE, rate, burst, now)
        assert wait >= 0.0
        sends.append(now + wait)
    # FIFO, and every send in [sends[i], sends[j]] fits burst + rate * (window length).
    assert sends == sorted(sends)
    for i in range(len(sends)):
        for j in range(i, len(sends)):
            assert j - i + 1 <= burst + rate * (sends[j] - sends[i]) + 1e-6
    # A caller arriving at an idle-enough bucket goes at once.
    assert store.reserve_now(PHONE, rate, burst, sends[-1] + burst / rate) <= 1e-9


# -- bounded waits and store failures ------------------------------------------------------------


async def test_a_day_long_regain_hint_is_capped_and_refused_not_slept() -> None:
    from meta_cloud_async import LocalThrottleError

    h = Harness(
        RateLimitPolicy(per_waba_rate=10.0), [Response(status_code=200, headers=buc(10, regain=1440))]
    )
    await h.call(PHONE, WABA)
    with pytest.raises(LocalThrottleError) as caught:
        await h.call(PHONE, WABA)
    assert caught.value.may_have_applied is False
    assert h.clock.sleeps == [] and len(h.sent) == 1  # nothing slept, nothing sent
    # With no limit on waiting, the hold is still capped at max_hold_seconds (1 h), not 24 h.
    h2 = Harness(
        RateLimitPolicy(per_waba_rate=10.0, max_wait=None),
        [Response(status_code=200, headers=buc(10, regain=1440))],
    )
    await h2.call(PHONE, WABA)
    await h2.call(PHONE, WABA)
    assert h2.clock.sleeps == [3600.0]


async def test_a_refused_call_gives_its_tokens_back() -> None:
    from meta_cloud_async import LocalThrottleError

    h = Harness(RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0, max_wait=0.5))
    await h.call(PHONE)
    with pytest.raises(LocalThrottleError):
        await h.call(PHONE)  # would wait 1.0 s > 0.5 s
    h.clock.advance(1.0)
    await h.call(PHONE)  # the refused call did not keep its reservation
    assert h.clock.sleeps == [] and h.sent == [0.0, 1.0]


class BrokenStore(MemoryBucketStore):
    def __init__(self, *, reserve_fails: bool = False, hold_fails: bool = False) -> None:
        super().__init__()
        self.reserve_fails = reserve_fails
        self.hold_fails = hold_fails

    async def reserve(self, key: str, rate: float, burst: float, now: float) -> float:
        if self.reserve_fails:
            raise ConnectionError("store down")
        return await super().reserve(key, rate, burst, now)

    async def block_until(self, key: str, until: float, now: float) -> None:
        if self.hold_fails:
            raise ConnectionError("store down")
        await super().block_until(key, until, now)


async def test_a_store_failure_after_the_answer_keeps_the_answer() -> None:
    h = Harness(
        RateLimitPolicy(per_waba_rate=10.0, store=BrokenStore(hold_fails=True)),
        [Response(status_code=200, headers=buc(99, regain=5))],
    )
    response = await h.call(PHONE, WABA)
    assert response.status_code == 200 and len(h.sent) == 1


async def test_a_store_failure_before_sending_is_a_not_sent_connect_error() -> None:
    from meta_cloud_async import ConnectError

    h = Harness(RateLimitPolicy(store=BrokenStore(reserve_fails=True)))
    with pytest.raises(ConnectError) as caught:
        await h.call(PHONE)
    assert caught.value.request_sent is False and caught.value.may_have_applied is False
    assert h.sent == []


DEEP = "[" * 100_000


async def test_deeply_nested_usage_headers_and_error_bodies_are_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hostile ``[[[[...`` header or body is malformed input: ignored, no warning, no RecursionError."""
    answers = [
        Response(status_code=200, headers={"x-business-use-case-usage": DEEP, "x-app-usage": DEEP}),
        Response(status_code=400, headers={"x-business-use-case-usage": DEEP}, content=DEEP.encode()),
        Response(status_code=400, content=b'{"error":{"code":"\xc2\xb2"}}'),  # "²".isdigit() is True
    ]
    h = Harness(RateLimitPolicy(messaging_rate=10, messaging_burst=10), answers)
    with caplog.at_level("WARNING", logger="meta_cloud_async"):
        for _ in answers:
            await h.call(PHONE)
    assert not caplog.records
    assert h.mw.factor(WABA) == 1.0 and h.mw.held_until(APP_KEY) == float("-inf")


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"store": "x"}, TypeError, "store"),
        ({"store": object()}, TypeError, "store"),
        ({"messaging_rate": float("nan")}, ValueError, "messaging_rate"),
        ({"messaging_rate": float("inf")}, ValueError, "messaging_rate"),
        ({"messaging_rate": "80"}, TypeError, "messaging_rate"),
        ({"per_waba_rate": float("nan")}, ValueError, "per_waba_rate"),
        ({"messaging_burst": float("inf")}, ValueError, "messaging_burst"),
        ({"per_waba_burst": 0.5}, ValueError, "per_waba_burst"),
        ({"usage_base_rate": float("nan")}, ValueError, "usage_base_rate"),
        ({"slow_at": float("nan")}, ValueError, "slow_at"),
        ({"pause_at": float("inf")}, ValueError, "pause_at"),
        ({"min_factor": float("nan")}, ValueError, "min_factor"),
        ({"pause_seconds": float("inf")}, ValueError, "pause_seconds"),
        ({"usage_hold_seconds": float("nan")}, ValueError, "usage_hold_seconds"),
        ({"throughput_hold_seconds": -1}, ValueError, "throughput_hold_seconds"),
        ({"max_hold_seconds": float("inf")}, ValueError, "max_hold_seconds"),
        ({"max_wait": float("nan")}, ValueError, "max_wait"),
        ({"max_wait": "300"}, TypeError, "max_wait"),
    ],
)
def test_every_rate_limit_policy_field_is_checked_by_name(
    kwargs: dict[str, Any], exc: type[Exception], name: str
) -> None:
    with pytest.raises(exc, match=name):
        RateLimitPolicy(**kwargs)


async def test_a_failing_refund_never_replaces_the_cancellation() -> None:
    # Regression: the cancel handler awaited store.refund against a failed (stalled) store, and its
    # error replaced the CancelledError, so a pool being torn down did not see its cancel.
    class FailingRefunds(MemoryBucketStore):
        async def refund(self, key: str, rate: float, now: float) -> None:
            raise ConnectionError("Redis went away")

    clock = FakeClock()
    policy = RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0, store=FailingRefunds())
    mw = RateLimitMiddleware(policy, clock=clock.time, sleep=clock.sleep)

    async def downstream(req: Request) -> Response:
        return Response(status_code=200, content=b"{}")

    await mw(request(PHONE), downstream)
    waiter = asyncio.ensure_future(mw(request(PHONE), downstream))  # must wait 1 s for its token
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter


@pytest.mark.parametrize(
    ("headers", "status", "expected"),
    [
        ({}, 200, False),
        ({"Content-Type": "application/json"}, 200, False),
        ({"X-App-Usage": '{"call_count":1}'}, 200, True),
        ({"x-business-use-case-usage": "{}"}, 200, True),
        ({"X-BUSINESS-USE-CASE-USAGE": "{}"}, 200, True),
        ({}, 400, True),
    ],
)
def test_must_observe_reads_a_transports_header_view_case_insensitively(
    headers: dict[str, str], status: int, expected: bool
) -> None:
    # A real transport's answer carries a HeaderView over its own case-insensitive mapping;
    # must_observe looks into that mapping directly. A plain dict (MockTransport) is lower-cased.
    from multidict import CIMultiDict, CIMultiDictProxy

    from meta_cloud_async._http import HeaderView
    from meta_cloud_async.middleware.rate_limit import must_observe

    view = HeaderView(CIMultiDictProxy(CIMultiDict(headers)))
    assert must_observe(Response(status_code=status, headers=view, content=b"{}")) is expected
    assert must_observe(Response(status_code=status, headers=headers, content=b"{}")) is expected
