"""The load-free instruction counts: cachegrind's summary read, and per-request arithmetic."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from benchmarks import instructions

# The summary lines cachegrind 3.19 prints (numbers made up, spacing as printed).
_SUMMARY = """\
==8700== I   refs:      {i:,}
==8700== I1  misses:      {i1:,}
==8700== LLi misses:      1,072
==8700== I1  miss rate:    0.85%
==8700== D   refs:       39,669  (29,403 rd   + 10,266 wr)
==8700== D1  misses:      {d1:,}  ( 1,226 rd   +    344 wr)
==8700== LL misses:       2,399  ( 2,088 rd   +    311 wr)
"""


def _summary(i: int, i1: int, d1: int) -> str:
    return _SUMMARY.format(i=i, i1=i1, d1=d1)


def test_parse_counts_reads_the_three_counters() -> None:
    assert instructions.parse_counts(_summary(127_771, 1_091, 1_570)) == {
        "instructions": 127_771,
        "i1_misses": 1_091,
        "d1_misses": 1_570,
    }


def test_parse_counts_refuses_a_summary_without_them() -> None:
    with pytest.raises(RuntimeError, match="cachegrind printed no"):
        instructions.parse_counts("==1== LL misses: 5\n")


def test_measure_subtracts_the_idle_run_and_divides_by_the_requests() -> None:
    # Raw: 1,000 fixed + 400 per request; SDK: 1,100 fixed + 440 per request (1.1x).
    per_call = {"raw_aiohttp": (400, 10, 8), "sdk_aiohttp": (440, 12, 10)}
    seen: list[Sequence[str]] = []

    def run(argv: Sequence[str]) -> str:
        seen.append(argv)
        client, _workload, _c, requests, _url = argv[-5:]
        i, i1, d1 = per_call[client]
        n = int(requests)
        fixed = 1_000 if client == "raw_aiohttp" else 1_100
        return _summary(fixed + i * n, fixed + i1 * n, fixed + d1 * n)

    result = instructions.measure(
        "http://127.0.0.1:1", ["set_pin"], requests=50, run=run, valgrind="/usr/bin/valgrind"
    )
    (row,) = result["rows"]
    assert row["raw_aiohttp"] == {"instructions": 400, "i1_misses": 10, "d1_misses": 8}
    assert row["sdk_aiohttp"] == {"instructions": 440, "i1_misses": 12, "d1_misses": 10}
    assert row["ratio"] == {"instructions": 1.1, "i1_misses": 1.2, "d1_misses": 1.25}
    assert len(seen) == 4 and all(a[0] == "/usr/bin/valgrind" and "--cache-sim=yes" in a for a in seen)
    assert "1.100x" in instructions.report(result)


def test_measure_is_skipped_without_valgrind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("benchmarks.instructions.shutil.which", lambda _: None)
    result = instructions.measure("http://127.0.0.1:1")
    assert result == {"skipped": "valgrind is not installed"}
    assert "skipped" in instructions.report(result)


def test_measure_in_process_counts_instructions_per_call() -> None:
    cost = {"set_pin": 44_000, "send_text": 80_000}

    def run(argv: Sequence[str]) -> str:
        assert argv[0] == "/usr/bin/valgrind" and argv[-3] == "inproc"
        workload, calls = argv[-2], int(argv[-1])
        return _summary(3_000_000 + cost[workload] * calls, 1, 1)

    result = instructions.measure_in_process(
        ["set_pin", "send_text"], calls=100, run=run, valgrind="/usr/bin/valgrind"
    )
    assert result == {"calls": 100, "instructions_per_call": {"set_pin": 44_000, "send_text": 80_000}}
    assert "send_text 80,000" in instructions.report_in_process(result)
