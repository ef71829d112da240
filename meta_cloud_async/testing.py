"""Helpers for testing code that uses the SDK, without a network."""

from __future__ import annotations

from .middleware.retry import retries_disabled
from .transports.mock import MockHandler, MockTransport

__all__ = ["MockHandler", "MockTransport", "disable_retries"]


def disable_retries() -> retries_disabled:
    """A context manager under which no client retries; failures surface at once."""
    return retries_disabled()
