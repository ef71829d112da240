"""Transports: the only place that does network I/O."""

from .base import Transport
from .mock import MockTransport

__all__ = ["MockTransport", "Transport"]
