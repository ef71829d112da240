"""Client-side pacing (placeholder: replaced by the full token-bucket middleware)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from .._http import Request, Response
from .base import Handler

__all__ = ["RateLimitMiddleware", "RateLimitPolicy"]


@attrs.frozen(kw_only=True)
class RateLimitPolicy:
    per_phone_rate: float | None = 80.0
    per_phone_burst: float = 80.0
    per_waba_rate: float | None = None
    per_waba_burst: float = 100.0


class RateLimitMiddleware:
    def __init__(
        self,
        policy: RateLimitPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._sleep = sleep

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        return await call_next(request)
