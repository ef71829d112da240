"""Middleware: composable ``(request, call_next) -> response`` callables.

The chain is built once per client (first in the list is outermost), so a
call costs one hop per middleware and nothing else.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence

from .._http import Request, Response

__all__ = ["Handler", "Middleware", "build_chain"]

Handler = Callable[[Request], Awaitable[Response]]
Middleware = Callable[[Request, Handler], Awaitable[Response]]


def build_chain(middleware: Sequence[Middleware], handler: Handler) -> Handler:
    """Fold ``middleware`` around ``handler``; ``middleware[0]`` sees the call first.

    Our retry middleware directly outside our rate limiter (the client's default chain) is bound
    as one layer: the retry loop takes the pacer's tokens and reads its answers inline, the same
    steps in the same order as the two layers, less one coroutine frame per attempt (a frame
    that every I/O resume of the call walks through). Subclasses are never fused.
    """
    from .rate_limit import RateLimitMiddleware
    from .retry import RetryMiddleware

    layers = list(middleware)
    while layers:
        mw = layers.pop()
        outer = layers[-1] if layers else None
        if type(mw) is RateLimitMiddleware and type(outer) is RetryMiddleware:
            layers.pop()
            handler = functools.partial(outer, call_next=handler, pacer=mw)
        else:
            handler = _bind(mw, handler)
    return handler


def _takes_call_next_by_name(mw: Middleware) -> bool:
    try:
        params = list(inspect.signature(mw).parameters.values())
    except (TypeError, ValueError):  # a builtin or C callable without a signature
        return False
    return (
        len(params) >= 2
        and params[1].name == "call_next"
        and params[1].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        and all(p.default is not inspect.Parameter.empty for p in params[2:])
    )


def _bind(mw: Middleware, call_next: Handler) -> Handler:
    # A middleware whose second parameter is ``call_next`` (ours all are) is bound with
    # ``functools.partial``: called from C, no Python frame of ours between two layers. Any
    # other callable gets a plain function that returns its coroutine (not an ``async def``
    # wrapper: every extra coroutine frame is paid again each time the call resumes on I/O).
    if _takes_call_next_by_name(mw):
        return functools.partial(mw, call_next=call_next)  # type: ignore[call-arg]

    def handle(request: Request) -> Awaitable[Response]:
        return mw(request, call_next)

    return handle
