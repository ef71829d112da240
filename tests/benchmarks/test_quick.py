"""The benchmark runner, end to end in quick mode: it completes and writes every row.

Timings are never asserted (they depend on the machine); what is checked is
that each part ran and that the JSON has the shape docs/performance.md and
any tooling rely on.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = (1, 8, 64)
EXPECTED = {
    ("set_pin", "raw_aiohttp"),
    ("set_pin", "sdk_aiohttp"),
    ("set_pin", "sdk_httpx"),
    ("set_pin", "raw_httpx"),
    ("register", "raw_aiohttp"),
    ("register", "sdk_aiohttp"),
    ("register", "sdk_httpx"),
    ("register", "raw_httpx"),
    ("register", "pywa"),
    ("send_text", "raw_aiohttp"),
    ("send_text", "sdk_aiohttp"),
    ("per_number", "raw_aiohttp"),
    ("per_number", "sdk_aiohttp"),
}


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--requests",
            "30",
            "--warmup",
            "5",
            "--max-seconds",
            "0.5",
            "--overhead-iterations",
            "300",
            "--memory-calls",
            "200",
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, json.loads(out.read_text())


def _finite_positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_every_expected_row_ran_or_was_skipped_with_a_reason(
    quick_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, result = quick_run
    graph = {
        (r["workload"], r["client"], r["concurrency"]): r
        for r in result["throughput"]
        if r["target"] == "graph"
    }
    skipped = {(s["workload"], s["client"]): s["reason"] for s in result["skipped"]}
    for workload, client in sorted(EXPECTED):
        if (workload, client) in skipped:
            assert skipped[(workload, client)], (workload, client)
            continue
        for c in CONCURRENCY:
            row = graph[(workload, client, c)]
            assert "error" not in row, row
            assert _finite_positive(row["rps"]) and _finite_positive(row["cpu_us_per_request"]), row
            assert row["repeats"] == 1 and len(row["runs"]) == 1
            assert 0 < row["requests"][0] <= 30
            assert _finite_positive(row["rps_vs_floor"]) and _finite_positive(row["cpu_vs_floor"])
            if workload == "register" and ("register", "pywa") not in skipped:
                assert _finite_positive(row["rps_vs_pywa"])
    # The raw floors and our default client can never be skipped.
    for key in [("set_pin", "raw_aiohttp"), ("set_pin", "sdk_aiohttp"), ("register", "sdk_aiohttp")]:
        assert key not in skipped


def test_sandbox_rows_when_the_sandbox_exists(
    quick_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, result = quick_run
    sandbox_rows = [r for r in result["throughput"] if r["target"] == "sandbox"]
    if importlib.util.find_spec("meta_cloud_async.sandbox") is None:
        assert result["sandbox"]["ran"] is False and result["sandbox"]["reason"]
        assert sandbox_rows == []
        return
    assert result["sandbox"]["ran"] is True, result["sandbox"]
    clients = {(r["client"], r["concurrency"]) for r in sandbox_rows if "error" not in r}
    for c in CONCURRENCY:
        assert ("raw_aiohttp", c) in clients and ("sdk_aiohttp", c) in clients
    assert {r["workload"] for r in sandbox_rows} == {"set_pin"}


def test_overhead_memory_and_targets_are_reported(
    quick_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, result = quick_run
    # Measured once per JSON library: the standard library always, orjson when installed.
    backends = result["overhead"]
    assert "stdlib" in backends and backends["stdlib"]["json"] == "json"
    if importlib.util.find_spec("orjson") is not None:
        assert backends["orjson"]["json"] == "orjson"
    for overhead in backends.values():
        for part in (
            "full",
            "no_middleware",
            "transport_send",
            "direct",
            "build",
            "decode",
            "with_options",
            "per_number",
        ):
            assert _finite_positive(overhead["us_per_call"][part]), part
        assert overhead["target_us"] == 5.0 and overhead["target_with_options_us"] == 2.0
        assert isinstance(overhead["overhead_us"], float) and isinstance(overhead["with_options_us"], float)

    memory = {m["mode"]: m for m in result["memory"]}
    assert set(memory) == {"tasks", "sdk_mock", "raw_aiohttp_server", "sdk_server"}
    for m in memory.values():
        assert "error" not in m, m
        assert m["calls"] == 200 and m["peak_rss_mb"] >= m["rss_before_mb"] > 0

    checks = {t["check"] for t in result["targets"]}
    assert "in-process overhead per set_pin, json (us)" in checks
    assert "with_options per copy, json (us)" in checks
    # Issue 16's targets on every JSON workload of the default client, at every concurrency.
    for workload in ("set_pin", "register", "send_text", "per_number"):
        for c in CONCURRENCY:
            assert f"req/s vs raw aiohttp, SDK (aiohttp) {workload} c={c}" in checks
            assert f"CPU/req vs raw aiohttp, SDK (aiohttp) {workload} c={c}" in checks
    assert any(c.startswith("req/s vs pywa") for c in checks) or ("register", "pywa") in {
        (s["workload"], s["client"]) for s in result["skipped"]
    }
    assert all(isinstance(t["ok"], bool) for t in result["targets"])

    assert result["meta"]["quick"] is True and result["meta"]["concurrency"] == list(CONCURRENCY)
    # The Markdown table on stdout is what docs/performance.md shows.
    assert "| server | workload | client | conc. | req/s | CPU us/req |" in proc.stdout
    assert "in-process overhead (stdlib json):" in proc.stdout
    # One table of every target, each with its verdict.
    assert "| check | measured | target | verdict | issue |" in proc.stdout
    for t in result["targets"]:
        verdict = "MET" if t["ok"] else "MISSED"
        assert f"| {t['check']} |" in proc.stdout and f"| {verdict} |" in proc.stdout


def test_webhook_rows_are_in_the_main_run(
    quick_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, result = quick_run
    webhooks = result["webhooks"]
    assert "error" not in webhooks, webhooks
    assert _finite_positive(webhooks["parse"]["events_per_s"])
    assert _finite_positive(webhooks["throughput"]["ratio"]) and _finite_positive(
        webhooks["latency"]["p99_ms"]
    )
    rows = [t for t in result["targets"] if t["check"].startswith("webhooks: ")]
    assert len(rows) >= 3 and all(isinstance(t["ok"], bool) for t in rows)
    assert {t["target"].split()[0] for t in rows} <= {"<=", "<", ">="}
    for t in rows:
        assert f"| {t['check']} |" in proc.stdout  # a row of the targets table
    assert "webhooks benchmark (quick)" in proc.stdout


def test_runs_as_a_script_too() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "run.py"), "--help"],
        cwd=REPO_ROOT / "tests",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--quick" in proc.stdout and "--out" in proc.stdout


def test_media_rows_are_in_the_run(
    quick_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, result = quick_run
    media = result["media"]
    assert set(media["cases"]) == {"raw_upload", "sdk_upload", "raw_download", "sdk_download"}
    assert all(isinstance(c["met"], bool) for c in media["checks"])
    assert "upload throughput vs raw aiohttp" in proc.stdout
    assert "| media: download throughput vs raw aiohttp |" in proc.stdout


def test_rotation_rows_are_in_the_run(
    quick_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, result = quick_run
    rotation = result["rotation"]
    assert "error" not in rotation, rotation
    assert rotation["pins_match"] is True and rotation["numbers"] == 2000
    rows = [t for t in result["targets"] if t["check"].startswith("rotation of 2,000 numbers: ")]
    assert {t["check"].split(": ", 1)[1] for t in rows} == {
        "wall vs floor",
        "peak RSS MB",
        "worst loop stall ms",
    }
    assert all(isinstance(t["ok"], bool) and f"| {t['check']} |" in proc.stdout for t in rows)
