"""The media benchmark in quick mode: it runs every case and reports each check (no timing asserted)."""

from __future__ import annotations

import pytest

from benchmarks.media import main, run

pytestmark = pytest.mark.slow


def test_quick_media_benchmark_reports_every_check() -> None:
    result = run(quick=True, size_mb=2)
    assert set(result["cases"]) == {"raw_upload", "sdk_upload", "raw_download", "sdk_download"}
    names = {c["name"] for c in result["checks"]}
    assert names == {
        "upload throughput vs raw aiohttp",
        "upload peak RSS growth (MB)",
        "download throughput vs raw aiohttp",
        "download peak RSS growth (MB)",
    }
    for check in result["checks"]:
        assert isinstance(check["met"], bool) and check["value"] >= 0
        if "throughput" in check["name"]:
            low, high = check["spread"]
            assert 0 < low <= high and check["cpu_ratio"] > 0
    assert all(fig["cpu_seconds"] > 0 for fig in result["cases"].values())
    # What verifying costs alone is measured beside the download, and taken out of its CPU ratio.
    download = next(c for c in result["checks"] if c["name"] == "download throughput vs raw aiohttp")
    assert result["sha256_cpu_seconds"] > 0 and download["hash_cpu_seconds"] == result["sha256_cpu_seconds"]
    assert download["cpu_ratio_less_hash"] < download["cpu_ratio"]


def test_cli_prints_ratios_with_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--size-mb", "1"]) == 0
    out = capsys.readouterr().out
    assert "target >= 0.9" in out and ("MET" in out or "MISSED" in out)
    assert "sha256 alone" in out
