"""One debug line per attempt, with secrets kept out.

Only the method, the URL without its query (Graph ``next`` links may carry
``access_token``), the status and the time taken are logged; never headers or
bodies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from .._http import Request, Response
from ..errors import MetaCloudError
from .base import Handler

__all__ = ["LoggingMiddleware", "logger", "safe_url"]

logger = logging.getLogger("meta_cloud_async")


def safe_url(url: str) -> str:
    """The URL without query string or fragment: the only part safe to log."""
    return url.split("?", 1)[0].split("#", 1)[0]


class LoggingMiddleware:
    """Log each attempt at DEBUG on ``meta_cloud_async``: method, URL without its query, status or error class, and duration.

    The client puts it innermost, so every retry is its own line; headers, query strings and
    bodies are never logged, so no token or PIN reaches a log. With DEBUG off it adds no await.
    """

    def __init__(self, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock

    def __call__(self, request: Request, call_next: Handler) -> Awaitable[Response]:
        # A plain function: with DEBUG off it hands back the next coroutine
        # itself, so the call carries no extra frame through every I/O resume.
        if not logger.isEnabledFor(logging.DEBUG):
            return call_next(request)
        return self._logged(request, call_next)

    async def _logged(self, request: Request, call_next: Handler) -> Response:
        started = self._clock()
        try:
            response = await call_next(request)
        except MetaCloudError as exc:
            logger.debug(
                "%s %s failed after %.1f ms: %s",
                request.method,
                safe_url(request.url),
                (self._clock() - started) * 1000,
                type(exc).__name__,
            )
            raise
        logger.debug(
            "%s %s -> %d in %.1f ms",
            request.method,
            safe_url(request.url),
            response.status_code,
            (self._clock() - started) * 1000,
        )
        return response
