"""Crash safety, end to end: SIGKILL ``pins rotate`` at seeded random moments, resume, and prove nothing is lost.

Setup: the sandbox runs as its own CLI process with connection resets (some
after the PIN was applied), 5xx answers and latency. Between it and the
workers sits a small counting proxy of ours that watches every set-PIN call:

- no two set-PIN calls for one number are ever in flight at once;
- a number is only sent a *different* PIN once an earlier one was answered
  200 (a pending PIN is re-applied, never replaced, while its fate is unknown).

At the end every number's PIN in effect (sandbox admin endpoint) must equal
the vault's, with nothing left pending.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from meta_cloud_async.rotation import SqliteVault, generate_key

pytestmark = pytest.mark.slow

TOKEN = "crash-test-token"
FAULTS = "set_pin.reset_after=0.06,set_pin.reset_before=0.03,set_pin.transient=0.03,set_pin.latency=1ms,set_pin.jitter=4ms"
CLI = [sys.executable, "-m", "meta_cloud_async"]


class WatchingProxy:
    """Forwards to the sandbox; records per-number concurrency and the order of PINs sent."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.in_flight: dict[str, int] = {}
        self.max_in_flight_per_number = 0
        self.last_pin: dict[str, str] = {}
        self.confirmed: dict[str, bool] = {}
        self.violations: list[str] = []
        self.set_pin_calls = 0
        self.reapplied = 0
        self.base_url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WatchingProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with aiohttp.ClientSession() as session:
            server = web.Server(lambda request: self._handle(request, session), access_log=None)
            runner = web.ServerRunner(server, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            self.base_url = f"http://127.0.0.1:{port}"
            self._ready.set()
            await self._stop.wait()
            await runner.cleanup()

    def _sent(self, pid: str, pin: str) -> None:
        self.set_pin_calls += 1
        count = self.in_flight.get(pid, 0) + 1
        self.in_flight[pid] = count
        self.max_in_flight_per_number = max(self.max_in_flight_per_number, count)
        previous = self.last_pin.get(pid)
        if previous is not None and pin != previous and not self.confirmed.get(pid, False):
            self.violations.append(f"{pid}: a new PIN was sent while the previous one was never confirmed")
        if pin != previous:
            self.last_pin[pid] = pin
            self.confirmed[pid] = False
        else:
            self.reapplied += 1

    async def _handle(self, request: web.BaseRequest, session: aiohttp.ClientSession) -> web.StreamResponse:
        body = await request.read()
        parts = request.path.split("/")
        pid = parts[2] if request.method == "POST" and len(parts) == 3 and parts[2].isdigit() else None
        pin = None
        if pid is not None:
            with_pin = json.loads(body or b"{}")
            pin = with_pin.get("pin") if isinstance(with_pin, dict) else None
            if pin is None:
                pid = None
            else:
                self._sent(pid, pin)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        try:
            async with session.request(
                request.method, self.upstream + request.raw_path, data=body, headers=headers
            ) as upstream:
                content = await upstream.read()
                status = upstream.status
                out_headers = {"content-type": upstream.headers.get("content-type", "application/json")}
        except aiohttp.ClientError:
            # The sandbox dropped the connection (a reset fault): drop ours too.
            if pid is not None:
                self.in_flight[pid] -= 1
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        if pid is not None:
            self.in_flight[pid] -= 1
            if status == 200 and self.last_pin.get(pid) == pin:
                self.confirmed[pid] = True
        return web.Response(status=status, body=content, headers=out_headers)


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    proc = subprocess.Popen(
        [
            *CLI,
            "sandbox",
            "--port",
            "0",
            "--numbers",
            "200",
            "--token",
            TOKEN,
            "--seed",
            "3",
            "--faults",
            FAULTS,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = ""
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        for line in proc.stdout:
            if line.startswith("base_url:"):
                base_url = line.split(":", 1)[1].strip()
            if line.startswith("ready") or time.monotonic() > deadline:
                break
        assert base_url, "the sandbox CLI did not print its base URL"

        async def ids() -> list[str]:
            async with (
                aiohttp.ClientSession(headers={"authorization": f"Bearer {TOKEN}"}) as session,
                session.get(f"{base_url}/_sandbox/phone_numbers") as resp,
            ):
                return [item["id"] for item in (await resp.json())["data"]]

        yield base_url, asyncio.run(ids())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def pins_in_effect(base_url: str, ids: list[str]) -> dict[str, str]:
    async def fetch() -> dict[str, str]:
        async with aiohttp.ClientSession(headers={"authorization": f"Bearer {TOKEN}"}) as session:
            out = {}
            for pid in ids:
                async with session.get(f"{base_url}/_sandbox/phone_numbers/{pid}") as resp:
                    out[pid] = (await resp.json())["pin"]
            return out

    return asyncio.run(fetch())


def run_cli(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


def settle(args: list[str], env: dict[str, str]) -> None:
    """Resume until nothing is pending (faults may leave a few numbers pending per pass)."""
    for _ in range(6):
        done = run_cli(["pins", "resume", *args, "--quiet", "--max-attempts", "3"], env)
        assert done.returncode in (0, 1), done.stderr
        if "nothing pending" in done.stdout:
            return
    pytest.fail("numbers still pending after 6 resume passes")


def wait_for_sends(
    proxy: WatchingProxy, proc: subprocess.Popen[str], before: int, limit: float = 60.0
) -> None:
    """Block until ``proc`` has sent its first set-PIN call through ``proxy`` (or has exited)."""
    deadline = time.monotonic() + limit
    while proxy.set_pin_calls == before and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def shows_pin(pin: str, text: str) -> bool:
    """Whether ``pin`` appears as a number of its own (not inside a phone id or a decimal)."""
    return re.search(rf"(?<![\d.]){pin}(?!\d)", text) is not None


def check_no_pin_leaked(outputs: list[str], pins: set[str]) -> None:
    text = "\n".join(outputs)
    leaked = [pin for pin in pins if shows_pin(pin, text)]
    assert not leaked, f"{len(leaked)} PINs appeared in CLI output"


def test_sigkill_at_random_points_loses_nothing(
    sandbox_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    sandbox_url, ids = sandbox_server
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("\n".join(ids) + "\n")
    vault = tmp_path / "pins.db"
    key = generate_key()
    env = {**os.environ, "CLOUD_API_ACCESS_TOKEN": TOKEN, "META_PIN_KEY": key}
    rng = random.Random(20261123)
    outputs: list[str] = []
    initial = pins_in_effect(sandbox_url, ids)
    with WatchingProxy(sandbox_url) as proxy:
        common = ["--base-url", proxy.base_url, "--vault", str(vault)]
        created = run_cli(["pins", "init", "--vault", str(vault)], env)  # creating a vault is explicit
        assert created.returncode == 0, created.stderr
        kills = resumed = 0
        for round_ in range(21):
            proc = subprocess.Popen(
                [
                    *CLI,
                    "pins",
                    "rotate",
                    *common,
                    "--numbers",
                    str(numbers),
                    "--concurrency",
                    "16",
                    "--rate",
                    "200",
                    "--max-attempts",
                    "2",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            # Kill at a random point of the *run*, not of Python's start-up: on a loaded machine
            # start-up alone can outlast a fixed delay, and a kill then lands before any send.
            wait_for_sends(proxy, proc, proxy.set_pin_calls)
            time.sleep(rng.uniform(0.0, 0.6))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            out, err = proc.communicate(timeout=30)
            outputs += [out, err]
            if round_ % 2:
                continue  # the next `pins rotate` re-applies what this one left pending
            # resume; sometimes kill the resume as well
            resume = subprocess.Popen(
                [*CLI, "pins", "resume", *common, "--quiet", "--max-attempts", "2"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            if rng.random() < 0.3:
                time.sleep(rng.uniform(0.3, 0.6))
                if resume.poll() is None:
                    resume.send_signal(signal.SIGKILL)
            out, err = resume.communicate(timeout=60)
            outputs += [out, err]
            assert resume.returncode in (0, 1, -signal.SIGKILL), err
            found = re.search(r"(\d+) rotated", out)
            resumed += int(found.group(1)) if found else 0
        settle(common, env)
        # one uninterrupted run for numbers no killed run reached (recently rotated ones are skipped)
        final = run_cli(["pins", "rotate", *common, "--numbers", str(numbers), "--min-age", "1h"], env)
        outputs += [final.stdout, final.stderr]
        assert final.returncode in (0, 1), final.stderr
        settle(common, env)
        assert kills >= 20
        assert resumed > 0  # kills really left PINs pending, and `pins resume` settled them
        assert proxy.reapplied > 0  # pending PINs were re-sent as they were, never replaced
        assert proxy.max_in_flight_per_number == 1
        assert proxy.violations == []
        assert proxy.set_pin_calls > 2 * len(ids)

    in_effect = pins_in_effect(sandbox_url, ids)

    async def check_vault() -> set[str]:
        async with SqliteVault(vault, key=key, read_only=True) as v:
            for pid in ids:
                lookup = await v.get_pin(pid)
                assert lookup.certain, f"{pid} is still pending"
                assert lookup.pin == in_effect[pid], f"{pid}: the vault and the sandbox disagree"
            return {p async for r in v.records() for p in (r.current, r.previous, r.pending) if p}

    vault_pins = asyncio.run(check_vault())
    changed = sum(in_effect[pid] != initial[pid] for pid in ids)
    assert changed == len(ids)  # every number was rotated at least once
    check_no_pin_leaked(outputs, vault_pins)


@pytest.mark.redis
def test_two_workers_sharing_redis_killed_and_restarted(
    sandbox_server: tuple[str, list[str]], tmp_path: Path, redis_url: str
) -> None:
    from meta_cloud_async.rotation.redis_vault import RedisVault

    sandbox_url, ids = sandbox_server
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("\n".join(ids) + "\n")
    key = generate_key()
    env = {**os.environ, "CLOUD_API_ACCESS_TOKEN": TOKEN, "META_PIN_KEY": key}
    rng = random.Random(7)
    outputs: list[str] = []
    with WatchingProxy(sandbox_url) as proxy:
        common = ["--base-url", proxy.base_url, "--redis", redis_url, "--claim-ttl", "1.5"]
        kills = 0
        for _ in range(10):
            procs = [
                subprocess.Popen(
                    [
                        *CLI,
                        "pins",
                        "rotate",
                        *common,
                        "--create",  # any worker may be the first: each may create the vault
                        "--numbers",
                        str(numbers),
                        "--concurrency",
                        "8",
                        "--rate",
                        "200",
                        "--min-age",
                        "0",
                        "--max-attempts",
                        "2",
                        "--quiet",
                    ],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            time.sleep(rng.uniform(0.4, 1.2))
            victim = procs[rng.randrange(2)]
            if victim.poll() is None:
                victim.send_signal(signal.SIGKILL)
                kills += 1
            if rng.random() < 0.5:
                time.sleep(rng.uniform(0.0, 0.3))
                for proc in procs:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                        kills += 1
            for proc in procs:
                out, err = proc.communicate(timeout=60)
                outputs += [out, err]
                assert proc.returncode in (0, 1, -signal.SIGKILL), err
        settle(common, env)
        final = run_cli(
            ["pins", "rotate", *common, "--numbers", str(numbers), "--min-age", "1h", "--quiet"], env
        )
        outputs += [final.stdout, final.stderr]
        assert final.returncode in (0, 1), final.stderr
        settle(common, env)
        assert kills >= 10
        assert proxy.max_in_flight_per_number == 1
        assert proxy.violations == []

    in_effect = pins_in_effect(sandbox_url, ids)

    async def check_vault() -> set[str]:
        async with RedisVault(redis_url, key=key) as v:
            for pid in ids:
                lookup = await v.get_pin(pid)
                assert lookup.certain, f"{pid} is still pending"
                assert lookup.pin == in_effect[pid], f"{pid}: the vault and the sandbox disagree"
            return {p async for r in v.records() for p in (r.current, r.previous, r.pending) if p}

    check_no_pin_leaked(outputs, asyncio.run(check_vault()))
