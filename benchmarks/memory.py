"""Peak memory of many calls in flight at once, measured in a fresh process.

``ru_maxrss`` is a high-water mark for the whole process, so each mode runs
in its own interpreter (``python -m benchmarks.memory --mode ...``) and
prints one JSON object. Modes:

- ``tasks``: bare asyncio tasks awaiting one event, the floor for any client;
- ``sdk_mock``: ``set_pin`` through the full client over a MockTransport whose
  handler awaits the same event, so every call is inside the stack at once;
- ``sdk_server`` / ``raw_aiohttp_server``: real requests to the local server
  (``--url``) through a pool of ``--pool`` connections; the rest wait in the
  connector queue, as they would in production.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .clients import API_VERSION, PHONE_NUMBER_ID, PIN, TOKEN, unthrottled_rate_limit

__all__ = ["MODES", "measure"]

MODES = ("tasks", "sdk_mock", "sdk_server", "raw_aiohttp_server")


def _rss_mb() -> float:
    """Current resident set size in MB (Linux ``/proc``; elsewhere the process's high-water mark)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


async def _in_flight(
    calls: int, call: Callable[[], Awaitable[Any]], release: asyncio.Event
) -> tuple[float, float]:
    """Start ``calls`` at once, release them when all are parked; return (seconds, peak RSS MB).

    ``ru_maxrss`` cannot be used: Linux carries the parent's high-water mark
    into a child, so the peak is sampled from ``/proc`` while calls run, and
    read once more at the moment every call is parked.
    """
    peak = _rss_mb()
    done = False

    async def sample() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, _rss_mb())
            await asyncio.sleep(0.002)

    sampler = asyncio.create_task(sample())
    start = time.perf_counter()
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(call()) for _ in range(calls)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    peak = max(peak, _rss_mb())
    release.set()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - start
    done = True
    await sampler
    return seconds, max(peak, _rss_mb())


async def _run(mode: str, calls: int, url: str | None, pool: int) -> dict[str, Any]:
    from meta_cloud_async import WhatsApp
    from meta_cloud_async._http import Request, Response
    from meta_cloud_async.transports.aiohttp_transport import AiohttpTransport
    from meta_cloud_async.transports.mock import MockTransport

    response = Response(status_code=200, content=b'{"success":true}')
    closers: list[Callable[[], Awaitable[None]]] = []
    parked = 0

    if mode == "tasks":

        def make(release: asyncio.Event) -> Callable[[], Awaitable[Any]]:
            async def call() -> None:
                await release.wait()

            return call

    elif mode == "sdk_mock":

        def make(release: asyncio.Event) -> Callable[[], Awaitable[Any]]:
            async def handler(request: Request) -> Response:
                nonlocal parked
                parked += 1
                await release.wait()
                return response

            wa = WhatsApp(
                access_token=TOKEN,
                phone_number_id=PHONE_NUMBER_ID,
                api_version=API_VERSION,
                base_url="http://127.0.0.1:1",
                transport=MockTransport(handler),
                rate_limit=unthrottled_rate_limit(),
            )
            closers.append(wa.aclose)
            set_pin = wa.two_step_verification.set_pin
            return lambda: set_pin(PIN)

    elif mode == "sdk_server":
        if url is None:
            raise SystemExit("--url is required for sdk_server")

        def make(release: asyncio.Event) -> Callable[[], Awaitable[Any]]:
            transport = AiohttpTransport(limit=pool)
            wa = WhatsApp(
                access_token=TOKEN,
                phone_number_id=PHONE_NUMBER_ID,
                api_version=API_VERSION,
                base_url=url,
                transport=transport,
                rate_limit=unthrottled_rate_limit(),
            )
            closers.extend([wa.aclose, transport.aclose])
            set_pin = wa.two_step_verification.set_pin

            async def call() -> Any:
                await release.wait()
                return await set_pin(PIN)

            return call

    elif mode == "raw_aiohttp_server":
        if url is None:
            raise SystemExit("--url is required for raw_aiohttp_server")
        import aiohttp

        def make(release: asyncio.Event) -> Callable[[], Awaitable[Any]]:
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=pool))
            closers.append(session.close)
            target = f"{url}/{API_VERSION}/{PHONE_NUMBER_ID}"
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

            async def call() -> Any:
                await release.wait()
                async with session.post(target, data=json.dumps({"pin": PIN}).encode(), headers=headers) as r:
                    return json.loads(await r.read())

            return call

    else:
        raise SystemExit(f"unknown mode {mode!r}")

    release = asyncio.Event()
    call = make(release)
    gc.collect()
    before = _rss_mb()
    seconds, peak = await _in_flight(calls, call, release)
    peak = max(peak, before)  # RSS can dip a page below ``before``; a negative delta means nothing
    if mode == "sdk_mock" and parked != calls:
        raise RuntimeError(f"only {parked} of {calls} calls were in flight together")
    for close in closers:
        await close()
    return {
        "mode": mode,
        "calls": calls,
        "pool": pool if mode.endswith("_server") else None,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
        "delta_mb": round(peak - before, 1),
        "kb_per_call": round((peak - before) * 1024 / calls, 2),
        "seconds": round(seconds, 3),
    }


def measure(mode: str, calls: int = 10_000, url: str | None = None, pool: int = 1000) -> dict[str, Any]:
    """Run one mode in this process (call it in a fresh interpreter for a clean peak)."""
    return asyncio.run(_run(mode, calls, url, pool))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Peak RSS of many in-flight calls (one mode per process).")
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--pool", type=int, default=1000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.mode, args.calls, args.url, args.pool)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
