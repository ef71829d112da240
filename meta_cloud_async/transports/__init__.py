"""Transports: the only place that does network I/O.

``AiohttpTransport`` and ``HttpxTransport`` are imported on first access, so
importing this package never pulls in an HTTP library (and ``httpx`` stays an
optional extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Transport
from .mock import MockTransport

if TYPE_CHECKING:
    from .aiohttp_transport import AiohttpTransport
    from .httpx_transport import HttpxTransport

__all__ = ["AiohttpTransport", "HttpxTransport", "MockTransport", "Transport"]


def __getattr__(name: str) -> Any:
    if name == "AiohttpTransport":
        from .aiohttp_transport import AiohttpTransport

        return AiohttpTransport
    if name == "HttpxTransport":
        from .httpx_transport import HttpxTransport

        return HttpxTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
