"""The rotation and sandbox-throughput benchmarks still run (quick mode), so they cannot rot.

Only completion and the shape of what they print are checked; never a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=False
    )


def test_rotation_benchmark_quick() -> None:
    done = _run("benchmarks/rotation.py", "--numbers", "2000", "--rate", "2000", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["numbers"] == 2000
    assert report["rotated"] == 2000
    assert report["failed"] == 0 and report["mismatches"] == 0
    assert report["wall_s"] > 0 and report["floor_s"] > 0 and report["ratio"] > 0
    assert report["peak_rss_mb"] > 0


def test_sandbox_throughput_quick() -> None:
    done = _run("-m", "benchmarks.sandbox_throughput", "--quick", "--loop", "asyncio")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HTTP (server process)" in done.stdout and "errors 0" in done.stdout
    assert "server exit code after SIGTERM: 0" in done.stdout
