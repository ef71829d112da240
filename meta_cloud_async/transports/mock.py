"""An in-process transport that hands each request to a function of yours."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Union

from .._checks import check_int
from .._http import Request, Response
from ..errors import ResponseTooLargeError
from .base import DEFAULT_MAX_RESPONSE_BYTES

__all__ = ["MockHandler", "MockTransport"]

MockHandler = Callable[[Request], Union[Response, Awaitable[Response]]]


class MockTransport:
    """Answer requests with ``handler(request)``, which may be sync or async.

    Used throughout our own tests and public so users can test code that
    calls the SDK without a network. A body longer than
    ``max_response_bytes`` raises :class:`ResponseTooLargeError`, as a
    network transport would, so code can be tested against that too.
    """

    def __init__(self, handler: MockHandler, *, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        self._handler = handler
        self.max_response_bytes = max_response_bytes

    async def send(self, request: Request) -> Response:
        result = self._handler(request)
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, Response):
            raise TypeError(f"MockTransport handler must return a Response, got {type(result).__name__}")
        if len(result.content) > self.max_response_bytes:
            raise ResponseTooLargeError(
                f"HTTP {result.status_code} response body exceeds max_response_bytes={self.max_response_bytes}",
                http_status=result.status_code,
            )
        return result

    async def aclose(self) -> None:
        return None
