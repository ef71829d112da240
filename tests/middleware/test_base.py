"""The middleware chain: order, and both ways a layer is bound."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async._http import Request, RequestMeta, Response
from meta_cloud_async.errors import APITimeoutError, ConnectError, MetaCloudError
from meta_cloud_async.middleware import RateLimitMiddleware, RateLimitPolicy, RetryMiddleware, RetryPolicy
from meta_cloud_async.middleware.base import Handler, build_chain
from meta_cloud_async.testing import FakeClock


async def test_chain_runs_outermost_first_whatever_the_layers_call_their_next() -> None:
    seen: list[str] = []

    class ByName:
        async def __call__(self, request: Request, call_next: Handler) -> Response:
            seen.append("by-name")
            return await call_next(request)

    async def positional(request: Request, nxt: Handler) -> Response:
        seen.append("positional")
        return await nxt(request)

    async def last(request: Request) -> Response:
        seen.append("transport")
        return Response(status_code=204)

    chain = build_chain([ByName(), positional, ByName()], last)
    response = await chain(Request(method="GET", url="http://127.0.0.1/x"))
    assert response.status_code == 204
    assert seen == ["by-name", "positional", "by-name", "transport"]


def test_a_layer_taking_call_next_by_name_is_bound_without_a_wrapper_of_ours() -> None:
    class ByName:
        async def __call__(self, request: Request, call_next: Handler) -> Response:
            return await call_next(request)

    async def positional(request: Request, nxt: Handler) -> Response:
        return await nxt(request)

    async def last(request: Request) -> Response:
        return Response(status_code=204)

    assert isinstance(build_chain([ByName()], last), functools.partial)
    assert not isinstance(build_chain([positional], last), functools.partial)
    assert not isinstance(build_chain([len], last), functools.partial)  # type: ignore[list-item]


# -- the retry middleware and the rate limiter fused into one layer ----------------------

PHONE = "phone:111"
PAIR = "pair:phone:111:15550001"
WABA = "waba:222"


def _graph_error(status: int, code: int) -> Response:
    body = {"error": {"message": "refused", "type": "OAuthException", "code": code}}
    return Response(status_code=status, json=body)


def _usage(percent: int) -> Response:
    entry = {"type": "whatsapp_business_management", "call_count": percent, "total_cputime": 1}
    usage = json.dumps({"222": [dict(entry, total_time=1, estimated_time_to_regain_access=0)]})
    return Response(status_code=200, headers={"X-Business-Use-Case-Usage": usage}, content=b"{}")


# Each scenario: the keys of the call, whether it is idempotent, and what the server does per attempt
# (built afresh per run: the retry middleware marks the errors it raises).
_SCENARIOS: dict[str, Callable[[], tuple[tuple[str, ...], bool, list[Response | Exception]]]] = {
    "success": lambda: ((PHONE,), True, [Response(status_code=200, content=b"{}")]),
    "transient then success": lambda: (
        (WABA,),
        True,
        [_graph_error(503, 2), Response(status_code=200, content=b"{}")],
    ),
    "throughput hold then success": lambda: (
        (PHONE, PAIR),
        False,
        [_graph_error(400, 130429), Response(status_code=200, content=b"{}")],
    ),
    "pair limit twice": lambda: ((PHONE, PAIR), False, [_graph_error(400, 131056)] * 4),
    "connect error then success": lambda: (
        (PHONE,),
        False,
        [ConnectError(), Response(status_code=200, content=b"{}")],
    ),
    "timeout, not idempotent": lambda: ((PHONE,), False, [APITimeoutError()]),
    "usage slows the budget": lambda: ((WABA,), True, [_usage(95), _usage(95), _usage(10)]),
    "usage slows past max_wait": lambda: ((WABA,), True, [_usage(95), _usage(95), _usage(10)]),
}


async def _run_scenario(fused: bool, name: str) -> dict[str, Any]:
    keys, idempotent, script = _SCENARIOS[name]()
    clock = FakeClock()
    answers = list(script)
    sent: list[float] = []

    async def transport(request: Request) -> Response:
        sent.append(clock.time())
        answer = answers.pop(0) if answers else Response(status_code=200, content=b"{}")
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def passthrough(request: Request, call_next: Handler) -> Response:
        return await call_next(request)

    retry = RetryMiddleware(
        RetryPolicy(max_retries=3), clock=clock.time, sleep=clock.sleep, random=lambda: 0.5
    )
    policy = RateLimitPolicy(
        messaging_rate=2.0,
        messaging_burst=1,
        per_waba_rate=1.0,
        per_waba_burst=1,
        max_wait=30.0 if "max_wait" in name else None,
    )
    pacer = RateLimitMiddleware(policy, clock=clock.time, sleep=clock.sleep)
    chain = build_chain([retry, pacer] if fused else [retry, passthrough, pacer], transport)
    assert (isinstance(chain, functools.partial) and chain.keywords.get("pacer") is pacer) is fused
    meta = RequestMeta(operation="op", idempotent=idempotent, retry_refused=True, rate_limit_keys=keys)
    outcomes: list[Any] = []
    for _ in range(3):  # three calls in a row: what one call leaves in the buckets paces the next
        try:
            response = await chain(Request(method="POST", url="http://127.0.0.1/x", content=b"{}", meta=meta))
        except MetaCloudError as exc:
            outcomes.append((type(exc).__name__, exc.may_have_applied, clock.time()))
        else:
            outcomes.append((response.status_code, response.prior_attempt_ambiguous, clock.time()))
    return {
        "sent": sent,
        "outcomes": outcomes,
        "sleeps": list(clock.sleeps),
        "held": {k: pacer.held_until(k) for k in (PHONE, PAIR, WABA)},
        "factor": {k: pacer.factor(k) for k in (PHONE, PAIR, WABA)},
    }


@pytest.mark.parametrize("name", sorted(_SCENARIOS))
async def test_the_fused_retry_and_rate_limit_layer_does_what_the_two_layers_do(name: str) -> None:
    fused = await _run_scenario(True, name)
    assert fused == await _run_scenario(False, name)
    assert fused["sent"] and len(fused["outcomes"]) == 3


async def test_the_fused_layer_paces_retries_and_learns_from_answers() -> None:
    throttled = await _run_scenario(True, "throughput hold then success")
    # The 130429 held the sending number, and the retry went out once the hold was over.
    assert throttled["held"][PHONE] > 0 and throttled["outcomes"][0][0] == 200
    assert throttled["sent"][1] >= throttled["held"][PHONE]
    slowed = await _run_scenario(True, "usage slows the budget")
    assert slowed["factor"][WABA] == 1.0 and slowed["sleeps"]  # slowed at 95 %, recovered at 10 %
    refused = await _run_scenario(True, "usage slows past max_wait")
    assert [o[0] for o in refused["outcomes"]] == [200, "LocalThrottleError", "LocalThrottleError"]
    paced = await _run_scenario(True, "success")
    assert paced["sent"] == [0.0, 0.5, 1.0]  # two a second on the sending number, burst 1


def test_subclasses_and_other_orders_are_not_fused() -> None:
    class MyRetry(RetryMiddleware):
        pass

    async def last(request: Request) -> Response:
        return Response(status_code=204)

    pacer = RateLimitMiddleware(RateLimitPolicy())
    retry = RetryMiddleware(RetryPolicy())
    for layers in ([MyRetry(RetryPolicy()), pacer], [pacer, retry], [retry]):
        chain = build_chain(layers, last)  # type: ignore[arg-type]
        assert not (isinstance(chain, functools.partial) and "pacer" in chain.keywords)
