"""The webhook benchmark runs in quick mode and reports every figure; timings are never asserted."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_webhooks_benchmark_quick() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.webhooks", "--quick", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    parse, throughput, latency = result["parse"], result["throughput"], result["latency"]
    for key in ("json_loads_us", "parse_us", "events_per_s", "cost_vs_floor"):
        assert _positive(parse[key]), key
    assert "speedup_vs_pywa" in parse or parse["pywa"] == "not installed"
    assert (
        _positive(throughput["router_rps"])
        and _positive(throughput["bare_rps"])
        and _positive(throughput["ratio"])
    )
    assert _positive(latency["p99_ms"]) and latency["handler_ms"] == 100
    checks = {t["check"] for t in result["targets"]}
    assert len(checks) >= 3 and all(isinstance(t["ok"], bool) for t in result["targets"])
    assert "| check | value | target | ok |" in done.stdout
