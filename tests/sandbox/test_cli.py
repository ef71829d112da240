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
        ["sandbox", "--webhook-url", "ftp://127.0.0.1/x", "--app-secret", "s"],
        ["sandbox", "--webhook-url", "http://127.0.0.1:1/webhook"],
        ["sandbox", "--app-secret", "s"],
        ["sandbox", "--faults", "webhook.batch=0"],
    ],
)
def test_bad_arguments_exit_2_before_binding(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("META_APP_SECRET", raising=False)
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


async def test_cli_delivers_signed_webhooks_to_a_live_router() -> None:
    from aiohttp import web

    from meta_cloud_async.webhooks import TextMessage, WebhookContext, WebhookRouter

    router = WebhookRouter(app_secret="cli-app-secret")
    got: list[TextMessage] = []
    arrived = asyncio.Event()

    @router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        got.append(msg)
        arrived.set()

    runner = web.AppRunner(router.aiohttp_app(path="/webhook"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}/webhook"
    try:
        proc, info = await _start(
            "--webhook-url", url, "--app-secret", "cli-app-secret", "--faults", "webhook.batch=2"
        )
        try:
            assert info["webhook_url"] == url and "cli-app-secret" not in str(info)
            phone = info["phone_number_ids"].split(",")[0]
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"{info['base_url']}/_sandbox/inbound",
                    json={"phone_number_id": phone, "from": "16505551234", "text": {"body": "hi"}},
                    headers={"Authorization": f"Bearer {info['access_token']}"},
                ) as r,
            ):
                wamid = (await r.json())["id"]
            await asyncio.wait_for(arrived.wait(), 30)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
        assert proc.returncode == 0, err.decode()
        assert [m.id for m in got] == [wamid] and got[0].body == "hi"
        assert b"webhooks: 1 delivered, 0 retried" in out
        assert b"cli-app-secret" not in out + err
    finally:
        await runner.cleanup()
