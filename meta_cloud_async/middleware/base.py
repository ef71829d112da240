"""Middleware: composable ``(request, call_next) -> response`` callables.

The chain is built once per client (first in the list is outermost), so a
call costs one closure hop per middleware and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from .._http import Request, Response

__all__ = ["Handler", "Middleware", "build_chain"]

Handler = Callable[[Request], Awaitable[Response]]
Middleware = Callable[[Request, Handler], Awaitable[Response]]


def build_chain(middleware: Sequence[Middleware], handler: Handler) -> Handler:
    """Fold ``middleware`` around ``handler``; ``middleware[0]`` sees the call first."""
    for mw in reversed(middleware):
        handler = _bind(mw, handler)
    return handler


def _bind(mw: Middleware, call_next: Handler) -> Handler:
    # A plain function that returns the middleware's coroutine, not an
    # ``async def`` wrapper: every extra coroutine frame is paid again each
    # time the call suspends and resumes on I/O, not just once.
    def handle(request: Request) -> Awaitable[Response]:
        return mw(request, call_next)

    return handle
