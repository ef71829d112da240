"""The examples run: offline by default, and against a local Graph stand-in over HTTP."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp import web

from meta_cloud_async.sandbox import Sandbox
from meta_cloud_async.testing import disable_retries

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPT = EXAMPLES / "two_step_verification.py"
KNOWN_PIN = "739164"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_two_step_verification", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load()
    monkeypatch.setattr(module, "generate_pin", lambda: KNOWN_PIN)
    monkeypatch.delenv("WA_BASE_URL", raising=False)
    return module


def test_runs_offline_as_a_script() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"WA_BASE_URL", "CLOUD_API_ACCESS_TOKEN", "WA_PHONE_NUMBER_ID"}
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "via the embedded sandbox: success=True" in done.stdout
    assert "the sandbox confirms the PIN in effect is the one generated" in done.stdout
    assert done.stderr == ""


async def test_offline_never_prints_the_pin(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    sandboxes: list[Sandbox] = []

    def spy(**kwargs: object) -> Sandbox:
        sandboxes.append(Sandbox(**kwargs))  # type: ignore[arg-type]
        return sandboxes[-1]

    example.Sandbox = spy  # type: ignore[attr-defined]
    assert await example.run([]) == 0
    out, err = capsys.readouterr()
    number = sandboxes[0].phone_number_ids[0]
    assert f"phone number {number} via the embedded sandbox: success=True" in out
    assert KNOWN_PIN not in out + err
    assert sandboxes[0].state(number).pin == KNOWN_PIN


async def test_pin_file_is_private(
    example: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin_file = tmp_path / "pin.txt"
    assert await example.run(["--pin-file", str(pin_file)]) == 0
    assert pin_file.read_text() == KNOWN_PIN + "\n"
    assert stat.S_IMODE(pin_file.stat().st_mode) == 0o600
    out, _ = capsys.readouterr()
    assert f"stored in {pin_file}" in out and KNOWN_PIN not in out


@pytest.fixture
async def local_graph(serve_app: Any) -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    seen: list[dict[str, object]] = []

    async def set_pin(request: web.Request) -> web.Response:
        seen.append(
            {"path": request.path, "auth": request.headers.get("Authorization"), "body": await request.json()}
        )
        if request.match_info["phone"] == "1":
            return web.json_response(
                {"error": {"message": "(#133005) PIN mismatch", "type": "OAuthException", "code": 133005}},
                status=400,
            )
        return web.json_response({"success": True})

    app = web.Application()
    app.router.add_post("/v23.0/{phone}", set_pin)
    async with serve_app(app) as base_url:
        yield base_url, seen


async def test_against_a_real_endpoint(
    example: ModuleType,
    local_graph: tuple[str, list[dict[str, object]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base_url, seen = local_graph
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "EAAlocalTOKEN")
    pin_file = tmp_path / "pin.txt"
    code = await example.run(
        ["--base-url", base_url, "--phone-number-id", "5550001", "--pin-file", str(pin_file)]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert seen == [{"path": "/v23.0/5550001", "auth": "Bearer EAAlocalTOKEN", "body": {"pin": KNOWN_PIN}}]
    assert f"phone number 5550001 via {base_url}: success=True" in out
    assert KNOWN_PIN not in out + err
    assert json.dumps(KNOWN_PIN) not in out


async def test_errors_are_reported_without_the_pin(
    example: ModuleType,
    local_graph: tuple[str, list[dict[str, object]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base_url, _ = local_graph
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "EAAlocalTOKEN")
    code = await example.run(
        ["--base-url", base_url, "--phone-number-id", "1", "--pin-file", str(tmp_path / "p")]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert "failed: (#133005) PIN mismatch" in err
    assert KNOWN_PIN not in out + err


async def test_a_surely_failed_call_keeps_the_old_pin_file(
    example: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "EAAlocalTOKEN")
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text("111111\n")
    # Nothing listens on port 9: the connection never opens, so the new PIN surely did not apply.
    with disable_retries():  # no real backoff sleeps in the test
        code = await example.run(
            ["--base-url", "http://127.0.0.1:9", "--phone-number-id", "5550001", "--pin-file", str(pin_file)]
        )
    out, err = capsys.readouterr()
    assert code == 1 and "failed" in err
    assert pin_file.read_text() == "111111\n"
    assert not (tmp_path / "pin.txt.pending").exists()
    assert KNOWN_PIN not in out + err


async def test_a_maybe_applied_failure_keeps_both_files(
    example: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    serve_app: Any,
) -> None:
    async def always_500(request: web.Request) -> web.Response:
        return web.Response(status=500, text="<html>oops</html>", content_type="text/html")

    app = web.Application()
    app.router.add_post("/v23.0/{phone}", always_500)
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "EAAlocalTOKEN")
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text("111111\n")
    async with serve_app(app) as base_url:
        with disable_retries():
            code = await example.run(
                ["--base-url", base_url, "--phone-number-id", "5550001", "--pin-file", str(pin_file)]
            )
    out, err = capsys.readouterr()
    assert code == 1 and "may be in effect" in err
    assert pin_file.read_text() == "111111\n"
    assert (tmp_path / "pin.txt.pending").read_text() == KNOWN_PIN + "\n"
    assert KNOWN_PIN not in out + err


async def test_real_endpoint_requires_a_pin_file(
    example: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        await example.run(["--base-url", "http://127.0.0.1:9", "--phone-number-id", "1"])
    assert info.value.code == 2
    assert "--pin-file is required" in capsys.readouterr().err


def test_messaging_example_runs_offline() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "messaging_sandbox.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "replied inside the window" in done.stdout
    assert "refused: code 131047" in done.stdout
    assert "an approved template is allowed: accepted" in done.stdout
    assert "text     to 15551234567: read" in done.stdout


def test_echo_image_example_runs_offline() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "echo_image.py")],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "the handler sent the photo back to 15551234567: image" in done.stdout
    assert "the bytes that came back are the customer's: True" in done.stdout
