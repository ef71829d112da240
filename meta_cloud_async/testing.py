"""Helpers for testing code that uses the SDK, without a network."""

from __future__ import annotations

import asyncio
import heapq
import itertools

from .middleware.retry import retries_disabled
from .transports.mock import MockHandler, MockTransport

__all__ = ["FakeClock", "MockHandler", "MockTransport", "disable_retries"]


def disable_retries() -> retries_disabled:
    """A context manager under which no client retries; failures surface at once."""
    return retries_disabled()


class FakeClock:
    """Virtual time for exact, instant tests of retries and rate limits.

    Pass ``clock=fake.time`` (or ``fake.monotonic``, ``fake.clock``: the same
    function) and ``sleep=fake.sleep`` to ``WhatsApp``, a middleware or your own
    code. ``sleep(seconds)`` records ``seconds`` in :attr:`sleeps` and returns
    without real waiting once virtual time reaches its deadline.

    Concurrent sleepers behave as on a real loop: each deadline is fixed when
    ``sleep`` is called (``now + seconds``), and sleepers wake one at a time in
    deadline order (ties in call order), the clock jumping to each deadline. A
    wake-up is held back for a few loop iterations so that coroutines that are
    ready at the same virtual instant run first. Time never moves backwards, so
    a sequential ``await sleep(1); await sleep(2)`` ends at ``start + 3``.

    Virtual time only moves through :meth:`sleep` and :meth:`advance`; code
    that awaits real I/O sees time stand still meanwhile.
    """

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

    def time(self) -> float:
        """The current virtual time (usable as ``clock``, ``time.monotonic`` or ``time.time``)."""
        return self.now

    monotonic = time
    clock = time

    def advance(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds`` without sleeping (for manual control)."""
        if seconds < 0:
            raise ValueError("time cannot move backwards")
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and return once virtual time has reached ``now + seconds``."""
        self.sleeps.append(seconds)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop: sleepers left on an old one are gone
            self._loop, self._pending, self._driving = loop, [], False
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._pending, (self.now + max(0.0, seconds), next(self._seq), future))
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
