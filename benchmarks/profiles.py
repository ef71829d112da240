"""Where the client's microseconds go: cProfile of one operation through the whole client.

Each call runs through validation, request building, retry, rate limit, logging and decoding
over a :class:`MockTransport` that answers at once, so every function in the profile is the
SDK's own (the transport is the only stand-in). The rate limiter runs with its rates lifted,
so it takes its tokens but never waits.

Usage: ``python -m benchmarks.profiles [set_pin|register|send_text|per_number] [--calls N] [--top K]``.
``per_number`` is ``set_pin`` through a ``with_options(phone_number_id=...)`` copy per call over 50 numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from .clients import NUMBERS, PHONE_NUMBER_ID, PIN, RECIPIENT, TEXT, TOKEN, unthrottled_rate_limit

__all__ = ["WORKLOADS", "mock_operation", "profile"]

#: The workloads an in-process client is made for (``per_number``: ``set_pin`` through a copy).
WORKLOADS = ("set_pin", "register", "send_text", "per_number")


def mock_operation(workload: str) -> tuple[Any, Callable[[], Awaitable[Any]]]:
    """A client over a MockTransport answering like the graph server, and one call of ``workload``.

    Shared by this profiler and ``benchmarks.instructions --in-process``, so both count the same call.
    """
    from meta_cloud_async import WhatsApp
    from meta_cloud_async._http import Request, Response
    from meta_cloud_async.transports.mock import MockTransport

    from .graph_server import _BODY, _SENT

    sent = Response(status_code=200, headers={"content-type": "application/json"}, content=_SENT)
    ok = Response(status_code=200, headers={"content-type": "application/json"}, content=_BODY)

    def answer(request: Request) -> Response:
        return sent if request.url.endswith("/messages") else ok

    wa = WhatsApp(
        access_token=TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_version="v23.0",
        base_url="http://127.0.0.1:1",
        transport=MockTransport(answer),
        rate_limit=unthrottled_rate_limit(),
    )
    turn = [0]
    op: Callable[[], Awaitable[Any]]
    if workload == "send_text":
        send_text = wa.messages.send_text
        op = lambda: send_text(RECIPIENT, TEXT)  # noqa: E731
    elif workload == "register":
        register = wa.registration.register
        op = lambda: register(PIN)  # noqa: E731
    elif workload == "per_number":

        def op() -> Awaitable[Any]:
            i = turn[0] = turn[0] + 1
            return wa.with_options(phone_number_id=NUMBERS[i % 50]).two_step_verification.set_pin(PIN)

    else:
        set_pin = wa.two_step_verification.set_pin
        op = lambda: set_pin(PIN)  # noqa: E731
    return wa, op


async def _profile(workload: str, calls: int, top: int) -> str:
    wa, op = mock_operation(workload)
    for _ in range(2000):  # warm every cache first
        await op()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        await op()
    profiler.disable()
    await wa.aclose()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def profile(workload: str = "set_pin", calls: int = 20_000, top: int = 25) -> str:
    """The cProfile table (by own time) of ``calls`` calls of ``workload``."""
    return asyncio.run(_profile(workload, calls, top))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profiles", description=__doc__.splitlines()[0]
    )
    parser.add_argument("workload", nargs="?", default="set_pin", choices=WORKLOADS)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(profile(args.workload, args.calls, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
