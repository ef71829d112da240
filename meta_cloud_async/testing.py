"""Helpers for testing code that uses the SDK, without a network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._clock import VirtualClock
from ._http import Response
from .middleware.retry import retries_disabled
from .transports.mock import MockHandler, MockTransport

__all__ = ["FakeClock", "MockHandler", "MockTransport", "disable_retries", "graph_error"]


def disable_retries() -> retries_disabled:
    """No client retries in the current task while active; failures surface at once.

    A context manager (``with disable_retries(): ...``) or a decorator
    (``@disable_retries()`` on a test function, sync or async). Scoped to the
    current task through a context variable, so concurrent tests do not see it.
    """
    return retries_disabled()


def graph_error(
    code: int,
    message: str | None = None,
    *,
    status: int = 400,
    subcode: int | None = None,
    is_transient: bool | None = None,
    details: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A response carrying Meta's error envelope, for a ``MockTransport`` handler to return::

    MockTransport(lambda request: graph_error(131056, "pair rate limit"))
    """
    error: dict[str, Any] = {
        "message": message or f"(#{code}) Test error",
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AtestTRACE",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Response(status_code=status, headers=headers or {}, json={"error": error})


class FakeClock(VirtualClock):
    """Virtual time for exact, instant tests of retries and rate limits.

    Pass ``clock=fake.time`` (or ``fake.monotonic``, ``fake.clock``: the same
    function) and ``sleep=fake.sleep`` to ``WhatsApp``, a middleware or your own
    code. ``sleep(seconds)`` records ``seconds`` in :attr:`sleeps` and returns
    without real waiting once virtual time reaches its deadline. The same
    semantics as the sandbox's ``VirtualClock`` (see :mod:`meta_cloud_async._clock`),
    so one clock can drive both.
    """
