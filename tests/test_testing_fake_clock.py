"""FakeClock: virtual time that other timing tests rely on."""

from __future__ import annotations

import asyncio

import pytest

from meta_cloud_async.testing import FakeClock


async def test_sequential_sleeps_advance_and_are_recorded() -> None:
    clock = FakeClock(start=100.0)
    await clock.sleep(1.5)
    await clock.sleep(2.0)
    assert clock.time() == 103.5
    assert clock.monotonic() == clock.clock() == 103.5
    assert clock.sleeps == [1.5, 2.0]
    assert clock.total_slept == 3.5


async def test_concurrent_sleepers_wake_in_deadline_order_at_their_deadline() -> None:
    clock = FakeClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.time()))

    await asyncio.gather(sleeper("a", 2.0), sleeper("b", 1.0), sleeper("c", 0.0), sleeper("d", 3.0))
    assert woke == [("c", 0.0), ("b", 1.0), ("a", 2.0), ("d", 3.0)]
    assert clock.time() == 3.0


async def test_cancelled_sleeper_does_not_move_time() -> None:
    clock = FakeClock()
    task = asyncio.create_task(clock.sleep(50.0))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await clock.sleep(1.0)
    assert clock.time() == 1.0


async def test_advance_moves_time_and_refuses_to_go_back() -> None:
    clock = FakeClock()
    clock.advance(4.0)
    assert clock.time() == 4.0
    with pytest.raises(ValueError):
        clock.advance(-1.0)
