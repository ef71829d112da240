from __future__ import annotations

import asyncio

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.sandbox import Sandbox, VirtualClock
from meta_cloud_async.testing import FakeClock


def test_virtual_clock_moves_only_forward() -> None:
    clock = VirtualClock(5.0)
    assert clock() == 5.0
    assert clock.advance(2.5) == 7.5
    assert clock.now == 7.5
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    assert repr(clock) == "VirtualClock(now=7.5)"


async def test_virtual_sleep_advances_instantly() -> None:
    clock = VirtualClock()
    await clock.sleep(3600)
    await clock.sleep(0)
    assert clock() == 3600.0


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), -0.5])
async def test_virtual_clock_refuses_nan_infinite_and_negative(bad: float) -> None:
    clock = VirtualClock(10.0)
    with pytest.raises(ValueError, match="finite seconds >= 0"):
        clock.advance(bad)
    with pytest.raises(ValueError, match="finite seconds >= 0"):
        await clock.sleep(bad)
    assert clock() == 10.0  # untouched: NaN would otherwise poison every later comparison


@pytest.mark.parametrize("make", [VirtualClock, FakeClock])
async def test_concurrent_sleeps_share_virtual_time_on_both_clocks(make: type[VirtualClock]) -> None:
    """One semantics: 10 concurrent ``sleep(1)`` all end at t=1 (not t=10), then sequential sleeps add up."""
    clock = make()
    ends: list[float] = []

    async def nap() -> None:
        await clock.sleep(1)
        ends.append(clock())

    await asyncio.gather(*(nap() for _ in range(10)))
    assert ends == [1.0] * 10
    await clock.sleep(2)
    assert clock() == 3.0


async def test_sandbox_latency_under_concurrency_runs_at_virtual_wall_speed() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(phone_numbers=10, clock=clock, faults="latency=1s")
    async with WhatsApp(
        access_token=sandbox.access_token,
        base_url="http://sandbox.test",
        transport=sandbox.transport(),
        retry=None,
    ) as wa:
        await asyncio.gather(
            *(
                wa.with_options(phone_number_id=p).two_step_verification.set_pin("428915")
                for p in sandbox.phone_number_ids
            )
        )
    assert clock() == 1.0
