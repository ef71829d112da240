"""Time for the sandbox: the real monotonic clock, or a virtual one tests move by hand.

Every window the sandbox keeps (72-hour registration budget, code expiry,
call-budget decay, PIN lockouts) reads the clock it was given, so a test can
jump days ahead with :meth:`VirtualClock.advance` and never sleep.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .._clock import VirtualClock

__all__ = ["Clock", "Sleep", "VirtualClock"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]
