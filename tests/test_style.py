"""The repository stays lint-clean, formatted and ``mypy --strict`` clean (CI runs this file too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", ".")],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(command: tuple[str, ...]) -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    done = _run(*command)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_mypy_strict_over_the_package_tests_benchmarks_and_examples() -> None:
    pytest.importorskip("mypy")
    done = _run(sys.executable, "-m", "mypy")  # files and strictness: [tool.mypy] in pyproject.toml
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
