"""How a measured run is cut into slices, and the order the compared sides take them; no timings."""

from __future__ import annotations

import pytest

from benchmarks.slicing import SLICE_MIN, slices, turns


@pytest.mark.parametrize(
    ("requests", "concurrency", "count"),
    [(3000, 1, 10), (3000, 8, 10), (3000, 64, 4), (100, 1, 1), (100, 64, 1), (3001, 1, 10), (0, 8, 1)],
)
def test_slices_cover_the_run_exactly_and_are_never_too_small(
    requests: int, concurrency: int, count: int
) -> None:
    parts = slices(requests, concurrency)
    assert len(parts) == count
    assert sum(parts) == requests
    assert max(parts) - min(parts) <= 1
    if count > 1:
        assert min(parts) >= max(SLICE_MIN, 10 * concurrency)


def test_turns_go_forth_then_back_and_rotate_who_starts() -> None:
    parts = [5, 5, 4, 4]
    assert turns(["a", "b"], parts, 0) == [
        ("a", 5),
        ("b", 5),
        ("b", 5),
        ("a", 5),
        ("a", 4),
        ("b", 4),
        ("b", 4),
        ("a", 4),
    ]
    assert [side for side, _ in turns(["a", "b"], parts, 1)] == ["b", "a", "a", "b", "b", "a", "a", "b"]
    assert turns(["a", "b"], parts, 2) == turns(["a", "b"], parts, 0)


def test_turns_give_every_side_every_slice() -> None:
    sides = ["a", "b", "c"]
    for rep in range(4):
        got = turns(sides, [3, 2, 1], rep)
        assert len(got) == 9
        for side in sides:
            assert [n for s, n in got if s == side] == [3, 2, 1]
        assert got[0][0] == sides[rep % 3]
