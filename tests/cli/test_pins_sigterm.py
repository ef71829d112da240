"""``pins rotate`` under SIGTERM (what systemd and Kubernetes send): like Ctrl-C, exit 143, nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from meta_cloud_async.cli import main
from meta_cloud_async.rotation import PinState, SqliteVault, generate_key

CLI = [sys.executable, "-m", "meta_cloud_async"]


def pending_rows(vault: Path) -> int:
    if not vault.exists():
        return 0
    conn = sqlite3.connect(f"{vault.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM pins WHERE state='pending'").fetchone()[0])
    except sqlite3.Error:  # the tables are not there yet
        return 0
    finally:
        conn.close()


@pytest.mark.slow
def test_sigterm_leaves_numbers_in_flight_pending_and_exits_143(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    # latency=1h on the real clock: every set-PIN call hangs until the signal, so the run is mid-flight.
    server = subprocess.Popen(
        [*CLI, "sandbox", "--port", "0", "--numbers", "5", "--faults", "latency=1h"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    rotation: subprocess.Popen[str] | None = None
    try:
        assert server.stdout is not None
        banner: dict[str, str] = {}
        for line in server.stdout:
            if line.startswith("ready"):
                break
            name, _, value = line.partition(": ")
            banner[name] = value.strip()
        ids = banner["phone_number_ids"].split(",")
        key = generate_key()
        key_file = tmp_path / "pins.key"
        key_file.write_text(key + "\n")
        key_file.chmod(0o600)
        numbers = tmp_path / "numbers.txt"
        numbers.write_text("\n".join(ids) + "\n")
        vault = tmp_path / "pins.db"
        rotation = subprocess.Popen(
            [
                *CLI,
                "pins",
                "rotate",
                "--create",
                "--base-url",
                banner["base_url"],
                "--numbers",
                str(numbers),
                "--vault",
                str(vault),
                "--key-file",
                str(key_file),
                "--quiet",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "CLOUD_API_ACCESS_TOKEN": banner["access_token"]},
        )
        deadline = time.monotonic() + 60
        while pending_rows(vault) < len(ids):
            assert rotation.poll() is None, rotation.communicate()
            assert time.monotonic() < deadline, "the rotation never got its PINs in flight"
            time.sleep(0.05)
        # While it runs, status says so instead of advising a resume that would fail on the lock.
        monkeypatch.delenv("META_PIN_KEY", raising=False)
        assert main(["pins", "status", "--vault", str(vault), "--key-file", str(key_file)]) == 0
        status = capsys.readouterr().out
        assert "rotation is in progress" in status and "needs attention" not in status
        rotation.send_signal(signal.SIGTERM)
        _, err = rotation.communicate(timeout=30)
        assert rotation.returncode == 143, err
        assert "SIGTERM" in err and "stay pending" in err and "Traceback" not in err
    finally:
        for proc in (rotation, server):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()

    async def states() -> set[PinState]:
        async with SqliteVault(vault, key=key, read_only=True) as opened:
            return {r.state async for r in opened.records()}

    assert asyncio.run(states()) == {PinState.PENDING}  # every number in flight kept its pending PIN
