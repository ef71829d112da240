"""``pins rotate --redis`` when Redis stalls mid-run: the CLI always exits, within a bound, with a report.

Regression: with Redis paused, the CLI exited in 4 of 8 runs and hung for good in the other 4 (a
cancel swallowed inside redis-py's ``wait_for``; a refund's error replacing a ``CancelledError``).
Each attempt runs a real ``redis-server`` that the test freezes with SIGSTOP while the rotation
is in full flow; half the attempts thaw it after a moment, half only once the CLI has exited.
Eight attempts catch a one-in-two hang with probability 1 - 2**-8.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from meta_cloud_async.rotation import generate_key

pytestmark = pytest.mark.redis

ATTEMPTS = 8
EXIT_BOUND = 25.0
"""Seconds the CLI may take to exit once Redis froze (its command timeout is 1.2 s here)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed but CI is set")
        pytest.skip("redis-server not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *("--dir", str(workdir), "--protected-mode", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.02)


def records_in(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1.0)
    try:
        return sum(1 for _ in client.scan_iter(match="mca:pins:rec:*", count=1000))
    finally:
        client.close()


@pytest.fixture
def redis_workdir(tmp_path: Path) -> Iterator[Path]:
    workdir = tmp_path / "redis"
    workdir.mkdir()
    yield workdir


def test_a_redis_stall_never_hangs_the_cli(tmp_path: Path, redis_workdir: Path) -> None:
    env = {
        **os.environ,
        "META_PIN_KEY": generate_key(),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    exits: list[tuple[int, float]] = []
    for attempt in range(ATTEMPTS):
        server, url = start_redis(redis_workdir)
        report = tmp_path / f"report-{attempt}.json"
        cli = subprocess.Popen(
            [
                *(sys.executable, "-m", "meta_cloud_async", "pins", "rotate", "--sandbox"),
                *("--sandbox-numbers", "1500", "--redis", url, "--redis-timeout", "0.4s", "--rate", "500"),
                *("--concurrency", "16", "--quiet", "--report", str(report)),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        frozen = False
        try:
            deadline = time.monotonic() + 20
            while records_in(url) < 50:  # the rotation is in full flow
                assert cli.poll() is None, cli.communicate()
                assert time.monotonic() < deadline, "the rotation never started"
                time.sleep(0.02)
            server.send_signal(signal.SIGSTOP)
            frozen = True
            stalled_at = time.monotonic()
            if attempt % 2 == 0:
                time.sleep(2.5)  # the stall itself: longer than every Redis timeout in the CLI
                server.send_signal(signal.SIGCONT)
                frozen = False
            try:
                out, err = cli.communicate(timeout=EXIT_BOUND)
            except subprocess.TimeoutExpired:
                cli.kill()
                cli.communicate()
                pytest.fail(f"attempt {attempt}: the CLI did not exit within {EXIT_BOUND:g} s of the stall")
            exits.append((cli.returncode, time.monotonic() - stalled_at))
        finally:
            if cli.poll() is None:
                cli.kill()
                cli.communicate()
            if frozen:
                server.send_signal(signal.SIGCONT)
            server.terminate()
            server.wait(timeout=10)
        print(f"attempt {attempt}: exit {cli.returncode}; {out.strip()[:200]!r}; {err.strip()[-300:]!r}")
        assert "Traceback" not in err, err
        assert cli.returncode in (0, 1, 2), (cli.returncode, err)
        if cli.returncode == 2:  # aborted by the vault: said in one line, and the report kept
            assert "Redis" in err and "partial report written" in out, (out, err)
        data = json.loads(report.read_text())
        assert (data["aborted"] is not None) == (cli.returncode == 2), (out, err)
    print("exit codes and seconds from stall to exit:", [(code, round(t, 1)) for code, t in exits])
