"""The ``meta-cloud-async sandbox`` command as a real process: start, call, stop on a signal."""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import subprocess
import sys

import aiohttp
import pytest

from meta_cloud_async.cli import build_parser
from meta_cloud_async.cli.sandbox import _parse_budgets, run

pytestmark = pytest.mark.slow


async def _start(*extra: str) -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "meta_cloud_async",
        "sandbox",
        "--port",
        "0",
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    info: dict[str, str] = {}
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
        assert line, "the sandbox exited before it was ready"
        if line.startswith("ready"):
            return proc, info
        key, _, value = line.strip().partition(": ")
        info[key] = value


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_cli_serves_then_exits_cleanly_on_signal(sig: signal.Signals) -> None:
    proc, info = await _start("--numbers", "5", "--seed", "4", "--token", "cli-token")
    try:
        assert info["base_url"].startswith("http://127.0.0.1:")
        assert info["access_token"] == "cli-token"
        ids = info["phone_number_ids"].split(",")
        assert len(ids) == 5 and len(info["waba_ids"].split(",")) == 1
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{info['base_url']}/v23.0/{ids[2]}",
                json={"pin": "428915"},
                headers={"Authorization": "Bearer cli-token"},
            ) as r:
                assert (r.status, await r.json()) == (200, {"success": True})
            async with http.get(
                f"{info['base_url']}/_sandbox/phone_numbers/{ids[2]}",
                headers={"Authorization": "Bearer cli-token"},
            ) as r:
                assert (await r.json())["pin"] == "428915"
    finally:
        proc.send_signal(sig)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, err.decode()
    assert b"sandbox stopped" in out
    assert err == b""


async def test_cli_with_many_numbers_prints_a_count_and_the_admin_url() -> None:
    proc, info = await _start("--numbers", "1000", "--faults", "latency=1ms", "--budget", "app=2000/1s")
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0
    assert info["phone_numbers"] == "1000"
    assert len(info["phone_number_ids (first 5)"].split(",")) == 5
    assert (
        info["all phone number ids"] == f"GET {info['base_url']}/_sandbox/phone_numbers (same bearer token)"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["sandbox", "--faults", "transient=2"],
        ["sandbox", "--faults", "nosuch=1"],
        ["sandbox", "--budget", "app=lots"],
        ["sandbox", "--initial-pin", "12"],
        ["sandbox", "--port", "70000"],
        ["sandbox", "--numbers", "-1"],
        ["sandbox", "--wabas", "0"],
    ],
)
def test_bad_arguments_exit_2_before_binding(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(argv)
    assert run(args) == 2
    assert "meta-cloud-async sandbox:" in capsys.readouterr().err


def test_budget_spec() -> None:
    budgets = _parse_budgets("app=2000/1s, waba=5000/1h")
    assert (budgets["app_budget"].calls, budgets["app_budget"].window) == (2000, 1.0)
    assert (budgets["waba_budget"].calls, budgets["waba_budget"].window) == (5000, 3600.0)
    with pytest.raises(ValueError, match="app=N/window"):
        _parse_budgets("phone=1/1s")


def test_module_entry_point_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "meta_cloud_async", "sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0
    assert "--faults" in out.stdout and "--budget" in out.stdout


async def test_uvloop_option(capsys: pytest.CaptureFixture[str]) -> None:
    if importlib.util.find_spec("uvloop") is None:
        assert run(build_parser().parse_args(["sandbox", "--loop", "uvloop"])) == 2
        assert "pip install uvloop" in capsys.readouterr().err
        return
    proc, info = await _start("--numbers", "1", "--loop", "uvloop")
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0
    assert info["base_url"].startswith("http://127.0.0.1:")
