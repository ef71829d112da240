"""Time for the sandbox: the real monotonic clock, or a virtual one tests move by hand.

Every window the sandbox keeps (72-hour registration budget, code expiry,
call-budget decay, PIN lockouts) reads the clock it was given, so a test can
jump days ahead with :meth:`VirtualClock.advance` and never sleep.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

__all__ = ["Clock", "Sleep", "VirtualClock"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


def _check_seconds(seconds: float) -> None:
    # NaN compares false with everything, so a plain ``< 0`` check would let it poison the clock.
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(
            f"a virtual clock cannot go backwards or jump by {seconds!r}: need finite seconds >= 0"
        )


class VirtualClock:
    """A clock that only moves when told; also a ``sleep`` that advances it instantly."""

    __slots__ = ("_now",)

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def __call__(self) -> float:
        return self._now

    @property
    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward (never back) and return the new time."""
        _check_seconds(seconds)
        self._now += seconds
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` and yield once, so injected latency costs no wall time."""
        _check_seconds(seconds)
        self._now += seconds
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now!r})"
