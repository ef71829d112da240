"""The in-process door: a Transport that hands requests straight to the router, no sockets.

Built for speed (a 100,000-number rotation runs through it): one string split
for the URL, :meth:`Router.process_now` (a plain call when no fault can happen;
:meth:`Router.process` otherwise), and no copies of the body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .._checks import check_int
from .._http import IterableStream, Request, Response, open_content
from ..errors import APIConnectionError, APITimeoutError, ResponseTooLargeError
from ..transports.base import DEFAULT_MAX_RESPONSE_BYTES
from .clock import Sleep
from .router import Result

if TYPE_CHECKING:
    from .core import Sandbox

__all__ = ["SandboxTransport"]


class SandboxTransport:
    """Implements :class:`~meta_cloud_async.transports.base.Transport` over a :class:`Sandbox`.

    A reset fault raises ``APIConnectionError(request_sent=True)``, whether the
    sandbox applied the change (``reset_after``) or not (``reset_before``): a
    client cannot tell the two apart, which is the point. Latency and slow
    bodies wait with ``sleep`` (the sandbox's, instant on a virtual clock).

    ``Request.timeout`` bounds the whole faulted call (latency, answer, slow
    body) like a real client's total timeout: past it the call is cancelled and
    ``APITimeoutError`` raised. A call cancelled while still waiting out its
    latency never reaches the state machine, as with the HTTP server's
    handler cancellation. Unfaulted calls answer synchronously, so cannot time out.
    A body longer than ``max_response_bytes`` raises :class:`ResponseTooLargeError`
    like the network transports.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        sleep: Sleep | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        self.max_response_bytes = max_response_bytes
        self._sandbox = sandbox
        self._sleep = sleep or sandbox.sleep
        self.closed = False

    async def send(self, request: Request) -> Response:
        """Answer ``request`` from the sandbox's router in-process, faults and all; no socket is opened."""
        if self.closed:
            raise RuntimeError("this sandbox transport is closed")
        url = request.url
        cut = url.find("/", url.find("//") + 2)
        if cut < 0:
            origin, target = url, "/"
        else:
            origin, target = url[:cut], url[cut:]
        path, _, query = target.partition("?")
        body = open_content(request.content)
        if not isinstance(body, bytes):  # a streamed body: the router answers on the whole of it
            body = b"".join([bytes(chunk) async for chunk in body])
        router = self._sandbox.router
        # Unfaulted calls answer at once: no coroutine, no timer.
        now = router.process_now(request.method, path, query, request.headers, body, origin)
        if now is not None:
            result = now
        elif request.timeout is None:
            result = await self._answer(request, path, query, origin, body)
        else:
            try:
                result = await asyncio.wait_for(
                    self._answer(request, path, query, origin, body), request.timeout
                )
            except asyncio.TimeoutError:
                raise APITimeoutError(
                    f"sandbox: no answer within {request.timeout:g} s (request timeout)"
                ) from None
        if result.cut_at is not None and not request.stream:
            raise APIConnectionError("sandbox: body cut short by fault injection", request_sent=True)
        if request.stream and result.status < 300:
            return Response(
                status_code=result.status,
                headers=result.headers,
                request=request,
                stream=IterableStream(_chunks(result.body, result.cut_at)),
            )
        if len(result.body) > self.max_response_bytes:
            raise ResponseTooLargeError(
                f"HTTP {result.status} response body exceeds max_response_bytes={self.max_response_bytes}",
                http_status=result.status,
            )
        # ``_received``: the same Response, without the attrs init (the router's names are lower-case).
        return Response._received(result.status, result.headers, result.body, request)

    async def _answer(self, request: Request, path: str, query: str, origin: str, body: bytes) -> Result:
        result = await self._sandbox.router.process(
            request.method, path, query, request.headers, body, origin, self._sleep
        )
        if result.reset:
            raise APIConnectionError("sandbox: connection reset by fault injection", request_sent=True)
        for _ in range(result.slow_chunks):
            await self._sleep(result.slow_chunk_delay)
        return result

    async def aclose(self) -> None:
        """Refuse further sends; the sandbox itself and its state stay."""
        self.closed = True


async def _chunks(body: bytes, cut_at: int | None, size: int = 1 << 16) -> AsyncIterator[bytes]:
    """A streamed answer in pieces; with ``cut_at``, the connection "drops" there."""
    end = len(body) if cut_at is None else cut_at
    view = memoryview(body)
    for start in range(0, end, size):
        yield bytes(view[start : min(start + size, end)])
        await asyncio.sleep(0)
    if cut_at is not None:
        raise APIConnectionError("sandbox: body cut short by fault injection", request_sent=True)
