"""One pace for a whole rotation: ``rate`` calls per second across all numbers (and workers).

The client's rate-limit middleware paces per phone number and per WABA;
a rotation touches each number once, so what matters is the total. This
middleware draws one token per attempt from a single bucket in a
:class:`BucketStore` (a :class:`RedisBucketStore` shares it between
processes) and honours holds placed on that key.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .._http import Request, Response
from .base import Handler
from .rate_limit import BucketStore, MemoryBucketStore

__all__ = ["TotalRateMiddleware"]


class TotalRateMiddleware:
    """Wait for a slot in one shared bucket before each attempt (``rate`` per second, ``burst`` at once)."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        store: BucketStore | None = None,
        key: str = "rotation:total",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
            raise ValueError(f"rate must be a finite number > 0, got {rate!r}")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self.rate = float(rate)
        self.burst = float(burst)
        self.store: BucketStore = store if store is not None else MemoryBucketStore()
        self.key = key
        self._clock = clock
        self._sleep = sleep

    def __call__(self, request: Request, call_next: Handler) -> Awaitable[Response]:
        # A plain function over the in-process store: a call with its slot free adds no coroutine
        # frame, and a held one a single frame (the wait), not two (a store coroutine too).
        store = self.store
        if type(store) is MemoryBucketStore:  # exactly: a subclass may override ``reserve``
            wait = store.reserve_now(self.key, self.rate, self.burst, self._clock())
            if wait > 0:
                return self._hold(wait, request, call_next)
            return call_next(request)
        return self._reserved(request, call_next)

    async def _reserved(self, request: Request, call_next: Handler) -> Response:
        wait = await self.store.reserve(self.key, self.rate, self.burst, self._clock())
        if wait > 0:
            return await self._hold(wait, request, call_next)
        return await call_next(request)

    async def _hold(self, wait: float, request: Request, call_next: Handler) -> Response:
        try:
            await self._sleep(wait)
        except asyncio.CancelledError:
            # A refund failing (its store is what stalled) must never replace the cancellation.
            with contextlib.suppress(Exception):
                await self.store.refund(self.key, self.rate, self._clock())
            raise
        return await call_next(request)
