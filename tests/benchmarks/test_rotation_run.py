"""``benchmarks.rotation.run`` in quick mode: the dict the runner reads, and that every PIN landed.

Only the shape and correctness are checked, never a timing (the machine's load decides those).
"""

from __future__ import annotations

import math

import pytest

from benchmarks import rotation

pytestmark = pytest.mark.slow

KEYS = {"numbers", "rate", "floor_s", "wall_s", "peak_rss_mb", "worst_stall_ms", "pins_match", "targets"}
CHECKS = {("wall vs floor", "<=", 1.05), ("peak RSS MB", "<", 150.0), ("worst loop stall ms", "<", 50.0)}


def test_quick_run_returns_every_figure_and_the_three_targets() -> None:
    result = rotation.run(quick=True)
    assert result.keys() >= KEYS
    assert result["numbers"] == rotation.QUICK_NUMBERS
    assert result["pins_match"] is True
    assert result["rotated"] == result["numbers"] and result["failed"] == 0
    for key in ("rate", "floor_s", "wall_s", "peak_rss_mb", "worst_stall_ms"):
        assert isinstance(result[key], float) and math.isfinite(result[key]) and result[key] >= 0, key
    assert result["floor_s"] > 0 and result["wall_s"] > 0 and result["peak_rss_mb"] > 0
    targets = result["targets"]
    assert {(t["check"], t["op"], t["target"]) for t in targets} == CHECKS
    for t in targets:
        assert set(t) == {"check", "value", "target", "op", "ok"}
        assert isinstance(t["value"], float) and isinstance(t["ok"], bool)
        op = {"<=": float.__le__, "<": float.__lt__, ">=": float.__ge__}[t["op"]]
        assert t["ok"] == op(t["value"], t["target"])  # the verdict follows from the figures


def test_run_rejects_a_bad_count() -> None:
    with pytest.raises(ValueError, match="numbers"):
        rotation.run(numbers=0)
