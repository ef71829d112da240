"""``meta-cloud-async demo``: the README's main-job command works with nothing configured."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from meta_cloud_async.cli import main
from meta_cloud_async.rotation import generate_key


def test_demo_as_a_user_runs_it_with_no_environment() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("META_PIN_KEY", "CLOUD_API_ACCESS_TOKEN")}
    proc = subprocess.run(
        [sys.executable, "-m", "meta_cloud_async", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1000/1000 PINs in effect match the vault" in proc.stdout
    assert "http://127.0.0.1:" in proc.stdout


def test_demo_with_faults_still_ends_with_the_vault_as_truth(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["demo", "--numbers", "300", "--faults", "set_pin.reset_after=0.1,set_pin.transient=0.05"]) == 0
    )
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


def test_demo_banner_names_where_the_key_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("META_PIN_KEY", raising=False)
    assert main(["demo", "--numbers", "5", "--in-process"]) == 0
    assert "(key generated for this run)" in capsys.readouterr().out
    monkeypatch.setenv("META_PIN_KEY", generate_key())
    assert main(["demo", "--numbers", "5", "--in-process", "--vault", str(tmp_path / "v.db")]) == 0
    out = capsys.readouterr().out
    assert "(key from META_PIN_KEY)" in out and "key generated" not in out


def test_demo_refuses_an_existing_vault_without_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "pins.db"
    monkeypatch.setenv("META_PIN_KEY", generate_key())
    assert main(["demo", "--numbers", "5", "--in-process", "--vault", str(vault)]) == 0
    capsys.readouterr()
    before = vault.read_bytes()
    monkeypatch.delenv("META_PIN_KEY")
    assert main(["demo", "--numbers", "5", "--in-process", "--vault", str(vault)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "META_PIN_KEY" in err and "Traceback" not in err
    assert vault.read_bytes() == before


def test_demo_with_the_wrong_key_for_an_existing_vault_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "pins.db"
    monkeypatch.setenv("META_PIN_KEY", generate_key())
    assert main(["demo", "--numbers", "5", "--in-process", "--vault", str(vault)]) == 0
    capsys.readouterr()
    wrong = generate_key()
    monkeypatch.setenv("META_PIN_KEY", wrong)
    assert main(["demo", "--numbers", "5", "--in-process", "--vault", str(vault)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("meta-cloud-async demo: ") and "key" in err
    assert wrong not in err


def test_demo_with_an_unusable_vault_path_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("META_PIN_KEY", generate_key())
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["demo", "--numbers", "5", "--in-process", "--vault", str(blocker / "pins.db")]) == 2
    assert capsys.readouterr().err.startswith("meta-cloud-async demo: ")


def test_demo_without_the_vault_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A None entry in sys.modules makes the import fail as if `cryptography` were not installed.
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers.aead", None)
    assert main(["demo", "--numbers", "5", "--in-process"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'meta-cloud-async[vault]'" in err and "Traceback" not in err


def test_demo_exits_143_on_sigterm_and_removes_its_temporary_directory() -> None:
    env = {k: v for k, v in os.environ.items() if k != "META_PIN_KEY"}
    # latency=1h on the real clock: every call waits until the signal, so the demo is surely mid-rotation.
    proc = subprocess.Popen(
        [sys.executable, "-m", "meta_cloud_async", "demo", "--numbers", "10", "--faults", "latency=1h"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        match = re.search(r"vault: (\S+)/pins\.db", banner)
        assert match, banner
        tmp = Path(match.group(1))
        assert tmp.name.startswith("mca-demo-") and tmp.is_dir()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert not tmp.exists()
