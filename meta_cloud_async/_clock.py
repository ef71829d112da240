"""Virtual time: one semantics for ``testing.FakeClock`` and the sandbox's ``VirtualClock``.

Time only moves through :meth:`VirtualClock.sleep` and :meth:`VirtualClock.advance`.
Concurrent sleepers behave as on a real loop: each deadline is fixed when
``sleep`` is called (``now + seconds``), and sleepers wake one at a time in
deadline order (ties in call order), the clock jumping to each deadline; so 10
concurrent ``sleep(1)`` all end at ``t = 1``, and a sequential ``sleep(1);
sleep(2)`` ends at ``t = 3``. A wake-up is held back for a few loop iterations
so that coroutines ready at the same virtual instant run first. Code awaiting
real I/O sees time stand still meanwhile.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math

__all__ = ["VirtualClock"]


def _check_seconds(seconds: float) -> float:
    # NaN compares false with everything, so a plain ``< 0`` check would let it poison the clock.
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"seconds must be a number, got {type(seconds).__name__}")
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(
            f"a virtual clock cannot go backwards or jump by {seconds!r}: need finite seconds >= 0"
        )
    return float(seconds)


class VirtualClock:
    """A clock that moves only when slept on or advanced; use it as ``clock=`` and its ``sleep`` as ``sleep=``."""

    #: Loop iterations a wake-up waits for other ready coroutines to settle.
    SETTLE_ITERATIONS = 20

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self.sleeps: list[float] = []
        self._pending: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._settle = 0
        self._driving = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def __call__(self) -> float:
        return self.now

    def time(self) -> float:
        """The current virtual time (usable as ``clock``, ``time.monotonic`` or ``time.time``)."""
        return self.now

    monotonic = time
    clock = time

    def advance(self, seconds: float) -> float:
        """Move time forward (never back) without sleeping; returns the new time."""
        self.now += _check_seconds(seconds)
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and return once virtual time has reached ``now + seconds``."""
        seconds = _check_seconds(seconds)
        self.sleeps.append(seconds)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop: sleepers left on an old one are gone
            self._loop, self._pending, self._driving = loop, [], False
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._pending, (self.now + seconds, next(self._seq), future))
        self._settle = 0
        if not self._driving:
            self._driving = True
            loop.call_soon(self._drive, loop)
        await future

    def _drive(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = self._pending
        while pending and pending[0][2].done():  # cancelled sleepers
            heapq.heappop(pending)
        if not pending:
            self._driving = False
            return
        if self._settle < self.SETTLE_ITERATIONS:
            self._settle += 1
            loop.call_soon(self._drive, loop)
            return
        deadline, _, future = heapq.heappop(pending)
        self.now = max(self.now, deadline)
        future.set_result(None)
        self._settle = 0
        loop.call_soon(self._drive, loop)

    @property
    def total_slept(self) -> float:
        """The sum of all recorded sleeps."""
        return sum(self.sleeps)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(now={self.now!r})"
