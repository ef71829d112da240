"""The profiling tool runs for each workload and names the client's own functions (no timings)."""

from __future__ import annotations

import pytest

from benchmarks.profiles import profile


@pytest.mark.parametrize(
    ("workload", "expected"),
    [("set_pin", "_build_prepared"), ("send_text", "parse_sent_message"), ("per_number", "with_options")],
)
def test_the_profile_lists_where_the_calls_went(workload: str, expected: str) -> None:
    table = profile(workload, calls=200, top=60)
    assert "Ordered by: internal time" in table
    assert expected in table and "_call" in table
