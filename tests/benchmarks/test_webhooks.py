"""The webhook throughput plan: both servers take the same posts in interleaved turns; no timings."""

from __future__ import annotations

import pytest

from benchmarks.webhooks import SIDES, throughput_plan


@pytest.mark.parametrize(("posts", "repeats"), [(5000, 5), (300, 3)])
def test_throughput_plan_interleaves_equal_counts(posts: int, repeats: int) -> None:
    plan = throughput_plan(posts, 32, repeats)
    assert len(plan) == repeats >= 3
    for rep, order in enumerate(plan):
        for side in SIDES:
            assert sum(n for s, n in order if s == side) == posts
        sides = [s for s, _ in order]
        assert sides[0] == SIDES[rep % 2]  # who starts rotates each repeat
        pairs = [sides[i : i + 2] for i in range(0, len(sides), 2)]
        assert all(sorted(p) == sorted(SIDES) for p in pairs)  # each slice: both sides, in turn
        assert all(pairs[k] == pairs[k - 1][::-1] for k in range(1, len(pairs)))  # ABBA


def test_full_run_is_cut_into_several_slices() -> None:
    order = throughput_plan(5000, 32, 1)[0]
    assert [s for s, _ in order[:4]] == ["bare", "router", "router", "bare"]
    assert len(order) // 2 >= 10
