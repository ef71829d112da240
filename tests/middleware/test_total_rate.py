"""TotalRateMiddleware: one pace for the whole run, exact on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from meta_cloud_async import MockTransport, Response, WhatsApp
from meta_cloud_async.middleware.total_rate import TotalRateMiddleware
from meta_cloud_async.rotation import MemoryVault, rotate_pins
from meta_cloud_async.testing import FakeClock


async def test_paces_all_numbers_through_one_bucket() -> None:
    clock = FakeClock()
    sent_at: list[float] = []

    def meta(request: object) -> Response:
        sent_at.append(clock.now)
        return Response(status_code=200, content=b'{"success":true}')

    pace = TotalRateMiddleware(10.0, clock=clock.time, sleep=clock.sleep)
    wa = WhatsApp(access_token="t", transport=MockTransport(meta), rate_limit=None, middleware=[pace])
    report = await rotate_pins(
        wa,
        [str(i) for i in range(1, 21)],
        vault=MemoryVault(),
        concurrency=8,
        clock=clock.time,
        sleep=clock.sleep,
    )
    assert report.rotated == 20
    assert sorted(sent_at) == pytest.approx([i / 10 for i in range(20)])


async def test_cancelled_waiter_gives_its_slot_back() -> None:
    clock = FakeClock()
    pace = TotalRateMiddleware(1.0, clock=clock.time, sleep=clock.sleep)

    async def call_next(request: object) -> Response:
        return Response(status_code=200)

    await pace(object(), call_next)  # type: ignore[arg-type]
    waiter = asyncio.ensure_future(pace(object(), call_next))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert await pace.store.reserve(pace.key, 1.0, 1.0, clock.now) == pytest.approx(1.0)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        TotalRateMiddleware(0)
    with pytest.raises(ValueError):
        TotalRateMiddleware(1, burst=0.5)


class FailingRefunds:
    """A store that hands out a wait but cannot refund (it stalled): as a Redis store fails."""

    async def reserve(self, key: str, rate: float, burst: float, now: float) -> float:
        return 5.0

    async def refund(self, key: str, rate: float, now: float) -> None:
        raise ConnectionError("Redis went away")

    async def block_until(self, key: str, until: float, now: float) -> None:
        return None

    async def blocked_until(self, key: str, now: float) -> float:
        return 0.0


async def test_a_failing_refund_never_replaces_the_cancellation() -> None:
    # Regression: the refund's error replaced the CancelledError, so a pool being torn down saw a
    # ConnectionError instead of its cancel and shutdown could stall.
    clock = FakeClock()
    pace = TotalRateMiddleware(1.0, store=FailingRefunds(), clock=clock.time, sleep=clock.sleep)

    async def call_next(request: object) -> Response:
        return Response(status_code=200)

    waiter = asyncio.ensure_future(pace(object(), call_next))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), -1.0, "5"])
def test_non_finite_rates_are_refused(rate: object) -> None:
    with pytest.raises(ValueError, match="rate"):
        TotalRateMiddleware(rate)  # type: ignore[arg-type]
