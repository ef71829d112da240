"""In-process overhead: what one call costs in our code, with no network at all.

``set_pin`` runs through the whole client (validation, request building,
retry, rate limit, logging, decoding) over a :class:`MockTransport` whose
handler returns a ready response; the same handler called directly is the
floor. The difference is what the SDK adds to every call. A few parts are
timed alone too, so a regression points at its own layer.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .clients import API_VERSION, PHONE_NUMBER_ID, PIN, TOKEN, unthrottled_rate_limit

__all__ = ["measure_overhead"]

_BODY = b'{"success":true}'


def _per_call_us(total_s: float, n: int) -> float:
    return total_s / n * 1e6


async def _time_async(fn: Callable[[], Awaitable[Any]], n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        await fn()
    return _per_call_us(time.perf_counter() - start, n)


def _time_sync(fn: Callable[[], Any], n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return _per_call_us(time.perf_counter() - start, n)


async def _measure(iterations: int, repeats: int) -> dict[str, Any]:
    from meta_cloud_async import WhatsApp
    from meta_cloud_async._http import Request, Response
    from meta_cloud_async.transports.mock import MockTransport

    response = Response(status_code=200, headers={"content-type": "application/json"}, content=_BODY)

    def handler(request: Request) -> Response:
        return response

    transport = MockTransport(handler)
    wa = WhatsApp(
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_version=API_VERSION,
        base_url="http://127.0.0.1:1",
        transport=transport,
        rate_limit=unthrottled_rate_limit(),
    )
    bare = WhatsApp(
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_version=API_VERSION,
        base_url="http://127.0.0.1:1",
        transport=transport,
        retry=None,
        rate_limit=None,
    )
    set_pin = wa.two_step_verification.set_pin
    bare_set_pin = bare.two_step_verification.set_pin
    from meta_cloud_async.types.shared import SuccessResponse
    from meta_cloud_async.types.two_step_verification import SetPinRequest

    request = wa._build(SetPinRequest(pin=PIN))

    async def full() -> Any:
        return await set_pin(PIN)

    async def no_middleware() -> Any:
        return await bare_set_pin(PIN)

    async def transport_send() -> Any:
        return await transport.send(request)

    def direct() -> Any:
        return handler(request)

    def build() -> Any:
        return wa._build(SetPinRequest(pin=PIN))

    def decode() -> Any:
        return wa._decode(response, SuccessResponse)

    # Warm caches (converter hooks, meta cache) before timing anything.
    for _ in range(1000):
        await full()
        await no_middleware()

    samples: dict[str, list[float]] = {
        k: [] for k in ("full", "no_middleware", "transport_send", "direct", "build", "decode")
    }
    for _ in range(repeats):
        samples["full"].append(await _time_async(full, iterations))
        samples["no_middleware"].append(await _time_async(no_middleware, iterations))
        samples["transport_send"].append(await _time_async(transport_send, iterations))
        samples["direct"].append(_time_sync(direct, iterations))
        samples["build"].append(_time_sync(build, iterations))
        samples["decode"].append(_time_sync(decode, iterations))
    # Best of the repeats, as timeit does: on a shared machine the fastest run
    # is the one least disturbed by others, and the code did all of its work in it.
    med = {k: min(v) for k, v in samples.items()}
    await wa.aclose()
    return {
        "iterations": iterations,
        "repeats": repeats,
        "us_per_call": {k: round(v, 3) for k, v in med.items()},
        "overhead_us": round(med["full"] - med["direct"], 3),
        "middleware_us": round(med["full"] - med["no_middleware"], 3),
        "target_us": 30.0,
    }


def measure_overhead(iterations: int = 50_000, repeats: int = 5) -> dict[str, Any]:
    """Microseconds per call for the full stack and its parts (best of ``repeats``)."""
    return asyncio.run(_measure(iterations, repeats))


if __name__ == "__main__":
    import json

    print(json.dumps(measure_overhead(), indent=2))
