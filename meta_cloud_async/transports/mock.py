"""An in-process transport that hands each request to a function of yours."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Union

import attrs

from .._checks import check_int
from .._http import IterableStream, Request, Response, open_content
from ..errors import ResponseTooLargeError
from .base import DEFAULT_MAX_RESPONSE_BYTES

__all__ = ["MockHandler", "MockTransport"]

MockHandler = Callable[[Request], Union[Response, Awaitable[Response]]]


class MockTransport:
    """Answer requests with ``handler(request)``, which may be sync or async.

    Used throughout our own tests and public so users can test code that
    calls the SDK without a network.

    A streamed request body (an async iterable or a factory) is read to the end
    first and the handler sees ``request.content`` as bytes, unless
    ``read_body=False`` (then it gets the request as sent, stream unopened).
    A handler may answer with a streamed body, ``Response(stream=...)`` (any
    async iterable, wrapped as needed); when the request did not ask for a stream
    (``Request.stream``) it is read into ``content``, as a real transport would.
    A body longer than ``max_response_bytes`` raises :class:`ResponseTooLargeError`, as a
    network transport would, so code can be tested against that too.
    """

    def __init__(
        self,
        handler: MockHandler,
        *,
        read_body: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        self._handler = handler
        self._read_body = read_body
        self.max_response_bytes = max_response_bytes

    async def send(self, request: Request) -> Response:
        """Call the handler (sync or async) with ``request`` and return the ``Response`` it gives."""
        if self._read_body and not isinstance(request.content, bytes):
            body = open_content(request.content)
            if not isinstance(body, bytes):
                body = b"".join([bytes(chunk) async for chunk in body])
            request = attrs.evolve(request, content=body)
        result = self._handler(request)
        # A Response answered at once skips the awaitable check.
        if type(result) is not Response and inspect.isawaitable(result):
            result = await result
        if not isinstance(result, Response):
            raise TypeError(f"MockTransport handler must return a Response, got {type(result).__name__}")
        stream = result.stream
        if stream is not None:
            if not hasattr(stream, "aclose"):
                stream = IterableStream(stream)
                result = attrs.evolve(result, stream=stream)
            if not request.stream or result.status_code >= 300:
                result = attrs.evolve(result, content=await result.aread(), stream=None)
        if len(result.content) > self.max_response_bytes:
            raise ResponseTooLargeError(
                f"HTTP {result.status_code} response body exceeds max_response_bytes={self.max_response_bytes}",
                http_status=result.status_code,
            )
        return result

    async def aclose(self) -> None:
        """Nothing to release."""
        return None
