from __future__ import annotations

import pytest

from meta_cloud_async.sandbox import VirtualClock


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
