"""The transport protocol: one coroutine that does I/O, and a close.

Everything else (auth, retries, pacing, logging, error mapping of Graph
bodies) lives above it, so a transport is small and easy to replace.
"""

from __future__ import annotations

from typing import Final, Protocol, runtime_checkable

from .._http import Request, Response

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Transport"]

#: The body cap of every transport unless told otherwise: far above any Graph
#: JSON answer, far below what a hostile server could make a client inflate.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024


@runtime_checkable
class Transport(Protocol):
    """Send one request and return its response.

    Implementations must raise only :class:`~meta_cloud_async.errors.APIConnectionError`
    subclasses for network failures (mapped at the boundary, ``raise ... from exc``)
    and must let :class:`asyncio.CancelledError` propagate untouched. A
    transport reading from a network should stop reading a body at its cap
    and raise :class:`~meta_cloud_async.errors.ResponseTooLargeError`.
    """

    async def send(self, request: Request) -> Response:
        """Send ``request`` and return the response, or raise an ``APIConnectionError`` subclass."""
        ...

    async def aclose(self) -> None:
        """Release connections; the client calls it only for a transport it created."""
        ...
