"""``meta-cloud-async demo``: the README's main-job command works with nothing configured."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from meta_cloud_async.cli import main


def test_demo_as_a_user_runs_it_with_no_environment() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("META_PIN_KEY", "CLOUD_API_ACCESS_TOKEN")}
    proc = subprocess.run(
        [sys.executable, "-m", "meta_cloud_async", "demo"], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "1000/1000 PINs in effect match the vault" in proc.stdout
    assert "http://127.0.0.1:" in proc.stdout


def test_demo_with_faults_still_ends_with_the_vault_as_truth(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--numbers", "300", "--faults", "set_pin.reset_after=0.1,set_pin.transient=0.05"]) == 0
    out = capsys.readouterr().out
    assert "300/300 PINs in effect match the vault with faults" in out


def test_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--numbers", "100", "--in-process"]) == 0
    assert "100/100 PINs in effect match the vault" in capsys.readouterr().out


def test_demo_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--numbers", "0"]) == 2
    assert "--numbers" in capsys.readouterr().err
    assert main(["demo", "--faults", "nonsense=1"]) == 2
    assert "fault" in capsys.readouterr().err
