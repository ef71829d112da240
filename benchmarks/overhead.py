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
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .clients import API_VERSION, PHONE_NUMBER_ID, PIN, TOKEN, unthrottled_rate_limit

__all__ = ["measure_overhead", "measure_overhead_with"]

TARGET_OVERHEAD_US = 5.0
TARGET_WITH_OPTIONS_US = 2.0

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

    numbers = [str(106540352242000 + i) for i in range(50)]
    turn = [0]

    def with_options() -> Any:
        # A copy per number, 50 numbers in turn: what a batch over many numbers makes per call.
        i = turn[0] = turn[0] + 1
        return wa.with_options(phone_number_id=numbers[i % 50])

    async def per_number() -> Any:
        i = turn[0] = turn[0] + 1
        return await wa.with_options(phone_number_id=numbers[i % 50]).two_step_verification.set_pin(PIN)

    # Warm caches (converter hooks, meta cache) before timing anything.
    for _ in range(1000):
        await full()
        await no_middleware()
        await per_number()

    samples: dict[str, list[float]] = {
        k: []
        for k in (
            "full",
            "no_middleware",
            "transport_send",
            "direct",
            "build",
            "decode",
            "with_options",
            "per_number",
        )
    }
    for _ in range(repeats):
        samples["full"].append(await _time_async(full, iterations))
        samples["no_middleware"].append(await _time_async(no_middleware, iterations))
        samples["transport_send"].append(await _time_async(transport_send, iterations))
        samples["direct"].append(_time_sync(direct, iterations))
        samples["build"].append(_time_sync(build, iterations))
        samples["decode"].append(_time_sync(decode, iterations))
        samples["with_options"].append(_time_sync(with_options, iterations))
        samples["per_number"].append(await _time_async(per_number, iterations))
    med = {k: statistics.median(v) for k, v in samples.items()}
    await wa.aclose()
    from meta_cloud_async._http import JSON_BACKEND

    return {
        "iterations": iterations,
        "repeats": repeats,
        "json": JSON_BACKEND,
        "us_per_call": {k: round(v, 3) for k, v in med.items()},
        "overhead_us": round(med["full"] - med["direct"], 3),
        "middleware_us": round(med["full"] - med["no_middleware"], 3),
        "with_options_us": round(med["with_options"], 3),
        "per_number_overhead_us": round(med["per_number"] - med["direct"], 3),
        "target_us": TARGET_OVERHEAD_US,
        "target_with_options_us": TARGET_WITH_OPTIONS_US,
    }


def measure_overhead(iterations: int = 50_000, repeats: int = 5) -> dict[str, Any]:
    """Microseconds per call for the full stack and its parts (median of ``repeats``)."""
    return asyncio.run(_measure(iterations, repeats))


def measure_overhead_with(json_backend: str, iterations: int, repeats: int) -> dict[str, Any] | None:
    """:func:`measure_overhead` in a fresh interpreter with ``META_CLOUD_ASYNC_JSON=json_backend``.

    The JSON library is chosen at import, so each backend gets its own process. None when the
    backend is not installed (``orjson`` is the ``fast`` extra).
    """
    if json_backend == "orjson":
        import importlib.util

        if importlib.util.find_spec("orjson") is None:
            return None
    env = {**os.environ, "META_CLOUD_ASYNC_JSON": json_backend}
    code = (
        "import json, sys; from benchmarks.overhead import measure_overhead; "
        f"print(json.dumps(measure_overhead({iterations}, {repeats})))"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, timeout=600
    )
    if proc.returncode != 0:
        raise RuntimeError(f"overhead ({json_backend}) failed: {proc.stderr.strip()[-400:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(measure_overhead(), indent=2))
