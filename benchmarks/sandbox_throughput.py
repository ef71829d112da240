"""How many 2SV ``set_pin`` calls per second the sandbox server answers.

The server runs in its own process (``python -m meta_cloud_async sandbox`` on
a free port, budgets raised out of the way); this process drives it with
plain aiohttp at high concurrency for a fixed time and prints a table. It
also times the in-process door (``Sandbox.transport()`` under the SDK
client), which is what large rotation tests use.

Run::

    python -m benchmarks.sandbox_throughput                 # 5 s, 128 concurrent, 1,000 numbers
    python -m benchmarks.sandbox_throughput --quick         # CI: ~1 s, small counts
    python -m benchmarks.sandbox_throughput --duration 10 --concurrency 256
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

import aiohttp

__all__ = ["main"]

_HUGE_BUDGET = "app=1000000000/1s,waba=1000000000/1s"


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process from /proc (Linux); None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _start_server(numbers: int, loop: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    cmd = [
        sys.executable,
        "-m",
        "meta_cloud_async",
        "sandbox",
        "--port",
        "0",
        "--numbers",
        str(numbers),
        "--seed",
        "1",
        "--budget",
        _HUGE_BUDGET,
        "--loop",
        loop,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info: dict[str, str] = {}
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"sandbox exited early: {proc.stderr.read() if proc.stderr else ''}")
        key, sep, value = line.strip().partition(": ")
        if sep:
            info[key] = value
        if line.startswith("ready"):
            return proc, info
    proc.kill()
    raise RuntimeError("sandbox did not start within 30 s")


async def _drive(base_url: str, token: str, duration: float, concurrency: int) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # No cookie jar, no User-Agent, no per-request timer: the client process is the bottleneck on a
    # 2-CPU machine, and these cut its per-request work by a third.
    async with aiohttp.ClientSession(
        connector=connector,
        skip_auto_headers=("User-Agent",),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
    ) as session:
        async with session.get(f"{base_url}/_sandbox/phone_numbers", headers=headers) as resp:
            ids = [item["id"] for item in (await resp.json())["data"]]
        urls = [f"{base_url}/v23.0/{pid}" for pid in ids]
        bodies = [json.dumps({"pin": f"{(i * 7919) % 1_000_000:06d}"}).encode() for i in range(997)]
        statuses: dict[int, int] = {}
        latencies: list[float] = []
        errors = 0
        stop_at = 0.0

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            clock = time.perf_counter
            while clock() < stop_at:
                i += concurrency
                started = clock()
                try:
                    async with session.post(urls[i % len(urls)], data=bodies[i % 997], headers=headers) as r:
                        await r.read()
                        statuses[r.status] = statuses.get(r.status, 0) + 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(clock() - started)

        # Warm the pool (connections opened) before the clock starts.
        stop_at = time.perf_counter() + 0.3
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        statuses.clear()
        latencies.clear()
        errors = 0
        cpu_started = time.process_time()
        started = time.perf_counter()
        stop_at = started + duration
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "elapsed": elapsed,
        "rps": n / elapsed,
        "client_cpu": client_cpu,
        "statuses": statuses,
        "errors": errors,
        "p50_ms": statistics.median(latencies) * 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
    }


async def _in_process(numbers: int, calls: int) -> dict[str, Any]:
    from meta_cloud_async import WhatsApp
    from meta_cloud_async.sandbox import Budget, Sandbox

    sandbox = Sandbox(
        phone_numbers=numbers, seed=1, app_budget=Budget(10**9, 1.0), waba_budget=Budget(10**9, 1.0)
    )
    ids = sandbox.phone_number_ids
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        business_account_id=sandbox.waba_ids[0],
        retry=None,
        rate_limit=None,
    )
    clients = [client.with_options(phone_number_id=pid) for pid in ids]
    started = time.perf_counter()
    for i in range(calls):
        await clients[i % len(clients)].two_step_verification.set_pin(f"{(i * 7919 + 13) % 1_000_000:06d}")
    elapsed = time.perf_counter() - started
    await client.aclose()
    return {"requests": calls, "elapsed": elapsed, "rps": calls / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load (default 5)")
    parser.add_argument("--concurrency", type=int, default=128, help="requests in flight (default 128)")
    parser.add_argument(
        "--numbers", type=int, default=1000, help="phone numbers in the sandbox (default 1000)"
    )
    parser.add_argument(
        "--in-process-calls", type=int, default=50_000, help="calls for the in-process figure"
    )
    parser.add_argument("--quick", action="store_true", help="small counts for CI (about 2 s in all)")
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="event loop for the server and this client (auto: uvloop when installed)",
    )
    args = parser.parse_args(argv)
    loop = args.loop
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    run: Any = importlib.import_module("uvloop").run if loop == "uvloop" else asyncio.run
    if args.quick:
        args.duration, args.concurrency, args.numbers, args.in_process_calls = 1.0, 32, 50, 2_000

    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    proc, info = _start_server(args.numbers, loop)
    try:
        cpu_before = _cpu_seconds(proc.pid)
        http = run(_drive(info["base_url"], info["access_token"], args.duration, args.concurrency))
        cpu_after = _cpu_seconds(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            exit_code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_code = proc.wait()
    local = run(_in_process(args.numbers, args.in_process_calls))

    n = max(1, http["requests"])
    if cpu_before is not None and cpu_after is not None:
        used = cpu_after - cpu_before
        server_cpu = f"{used / http['elapsed'] * 100:.0f}% of a CPU, {used / n * 1e6:.0f} us/request"
    else:
        server_cpu = "n/a"
    client_cpu = f"{http['client_cpu'] / http['elapsed'] * 100:.0f}% of a CPU, {http['client_cpu'] / n * 1e6:.0f} us/request"
    rows = [
        ("door", "requests", "seconds", "req/s", "p50 ms", "p99 ms", "notes"),
        (
            "HTTP (server process)",
            f"{http['requests']:,}",
            f"{http['elapsed']:.2f}",
            f"{http['rps']:,.0f}",
            f"{http['p50_ms']:.2f}",
            f"{http['p99_ms']:.2f}",
            f"concurrency {args.concurrency}, statuses {http['statuses']}, errors {http['errors']}",
        ),
        (
            "in-process (SDK client)",
            f"{local['requests']:,}",
            f"{local['elapsed']:.2f}",
            f"{local['rps']:,.0f}",
            "-",
            "-",
            "sequential set_pin via WhatsApp(transport=sandbox.transport())",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"sandbox throughput: set_pin POSTs, {args.numbers} numbers, {os.cpu_count()} CPUs, "
        f"loop {loop}, load average at start {load_at_start:.2f} / end {load:.2f}"
    )
    for k, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print(f"server process CPU: {server_cpu}; this client's CPU: {client_cpu}")
    print(f"server exit code after SIGTERM: {exit_code}")
    ok = exit_code == 0 and http["errors"] == 0 and set(http["statuses"]) <= {200}
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
