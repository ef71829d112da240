"""An in-process transport that hands each request to a function of yours."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Union

from .._http import Request, Response

__all__ = ["MockHandler", "MockTransport"]

MockHandler = Callable[[Request], Union[Response, Awaitable[Response]]]


class MockTransport:
    """Answer requests with ``handler(request)``, which may be sync or async.

    Used throughout our own tests and public so users can test code that
    calls the SDK without a network.
    """

    def __init__(self, handler: MockHandler) -> None:
        self._handler = handler

    async def send(self, request: Request) -> Response:
        result = self._handler(request)
        if inspect.isawaitable(result):
            result = await result
        if not isinstance(result, Response):
            raise TypeError(f"MockTransport handler must return a Response, got {type(result).__name__}")
        return result

    async def aclose(self) -> None:
        return None
