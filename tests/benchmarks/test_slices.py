"""How a measured run is cut into the slices every client takes in turn."""

from __future__ import annotations

import pytest

from benchmarks.run import SLICE_MIN, slices


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
