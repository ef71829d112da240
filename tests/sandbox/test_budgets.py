from __future__ import annotations

import pytest

from meta_cloud_async.sandbox import Budget
from meta_cloud_async.sandbox.budgets import UsageMeter, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5ms", 0.005),
        ("2s", 2.0),
        ("1.5", 1.5),
        ("250us", 0.00025),
        ("3m", 180.0),
        ("1h", 3600.0),
        ("2d", 172800.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "fast", "5 parsecs", "-1s"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_budget_parse_and_validation() -> None:
    assert Budget.parse("2000/1s") == Budget(2000, 1.0)
    assert Budget.parse("200") == Budget(200, 3600.0)
    assert str(Budget(5000, 3600)) == "5000/3600s"
    for bad in ("x/1s", "0/1s"):
        with pytest.raises(ValueError):
            Budget.parse(bad)
    with pytest.raises(ValueError, match="window"):
        Budget(1, 0)


def test_meter_fills_refuses_and_drains() -> None:
    meter = UsageMeter(Budget(4, 40.0), now=0.0)  # drains one call per 10 s
    assert [meter.try_acquire(0.0) for _ in range(5)] == [True, True, True, True, False]
    assert meter.percent(0.0) == 100
    assert meter.regain_minutes(0.0) == 1  # 10 s, rounded up to whole minutes
    assert meter.percent(20.0) == 50
    assert meter.regain_minutes(20.0) == 0
    assert meter.try_acquire(20.0)
    assert meter.percent(1000.0) == 0


def test_regain_minutes_for_a_long_window() -> None:
    meter = UsageMeter(Budget(10, 3600.0), now=0.0)
    for _ in range(10):
        assert meter.try_acquire(0.0)
    assert meter.regain_minutes(0.0) == 6
    assert meter.regain_minutes(300.0) == 1


def test_parse_duration_refuses_trailing_junk_after_a_newline() -> None:
    with pytest.raises(ValueError):
        parse_duration("5s\nx")
