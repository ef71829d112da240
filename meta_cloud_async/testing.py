"""Helpers for testing code that uses the SDK, without a network."""

from __future__ import annotations

from ._clock import VirtualClock
from .middleware.retry import retries_disabled
from .transports.mock import MockHandler, MockTransport

__all__ = ["FakeClock", "MockHandler", "MockTransport", "disable_retries"]


def disable_retries() -> retries_disabled:
    """A context manager under which no client retries; failures surface at once."""
    return retries_disabled()


class FakeClock(VirtualClock):
    """Virtual time for exact, instant tests of retries and rate limits.

    Pass ``clock=fake.time`` (or ``fake.monotonic``, ``fake.clock``: the same
    function) and ``sleep=fake.sleep`` to ``WhatsApp``, a middleware or your own
    code. ``sleep(seconds)`` records ``seconds`` in :attr:`sleeps` and returns
    without real waiting once virtual time reaches its deadline. The same
    semantics as the sandbox's ``VirtualClock`` (see :mod:`meta_cloud_async._clock`),
    so one clock can drive both.
    """
