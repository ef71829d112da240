"""The transport protocol: one coroutine that does I/O, and a close.

Everything else (auth, retries, pacing, logging, error mapping of Graph
bodies) lives above it, so a transport is small and easy to replace.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .._http import Request, Response

__all__ = ["Transport"]


@runtime_checkable
class Transport(Protocol):
    """Send one request and return its response.

    Implementations must raise only :class:`~meta_cloud_async.errors.APIConnectionError`
    subclasses for network failures (mapped at the boundary, ``raise ... from exc``)
    and must let :class:`asyncio.CancelledError` propagate untouched.
    """

    async def send(self, request: Request) -> Response: ...

    async def aclose(self) -> None: ...
