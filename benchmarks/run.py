"""The benchmark runner: throughput, CPU per request, in-process overhead, memory and webhooks.

One local Graph-shaped server runs in its own process; every client drives
the same workload against it, one after another, in the same run, so the
ratios compare like with like on the same machine at the same moment.
Requests/s is wall-clock; CPU per request is this process's user+system
time (``getrusage(RUSAGE_SELF)``), so the server's CPU is never counted.
Each figure is the median of ``--repeats`` runs; within each repeat the clients
take turns slice by slice (see :func:`slices`), so drift in the machine hits them all alike.

The webhook measurements (parse speed, signed POSTs/s, time to the 200) come from
``benchmarks/webhooks.py`` and are checked against issue 11's targets in the same list.

Usage: ``python -m benchmarks [--quick] [--out PATH]`` (or ``python benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The throughput rows measure the SDK as ``pip install meta-cloud-async`` ships it: the standard
# library's json (raw aiohttp uses it too). ``META_CLOUD_ASYNC_JSON=orjson python -m benchmarks``
# measures the ``fast`` extra; the overhead rows are measured both ways in every run.
os.environ.setdefault("META_CLOUD_ASYNC_JSON", "stdlib")

from benchmarks.clients import (
    CLIENTS,
    REGISTER,
    SEND_TEXT,
    SET_PIN,
    TOKEN,
    BenchClient,
    ClientSpec,
    Target,
)
from benchmarks.graph_server import run_on
from benchmarks.slicing import slices, turns

__all__ = ["main"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results.json"

# The targets the benchmarks are held to; checked and reported, never asserted by the test suite.
# Issue 16: every JSON operation through the default client (aiohttp), at every concurrency.
TARGET_RPS_VS_RAW = 0.9
TARGET_CPU_VS_RAW = 1.15
# Issue 5, for the httpx transport against raw httpx (nothing on httpx can beat httpx itself).
TARGET_HTTPX_RPS_VS_RAW = 0.85
TARGET_HTTPX_CPU_VS_RAW = 1.3
TARGET_RPS_VS_PYWA = 10.0
# send_text (issue 10): 20x pywa at c=64.
TARGET_SEND_RPS_VS_PYWA = 20.0


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    requests: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us(self) -> float:
        return self.cpu_seconds / self.requests * 1e6


@dataclass
class Row:
    target: str
    spec: ClientSpec
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def rps(self) -> float:
        return statistics.median(s.rps for s in self.samples)

    @property
    def cpu_us(self) -> float:
        return statistics.median(s.cpu_us for s in self.samples)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _drive(client: BenchClient, requests: int, concurrency: int, max_seconds: float = math.inf) -> int:
    """Make ``requests`` calls from ``concurrency`` workers; stop starting new ones after ``max_seconds``.

    Returns how many calls were made. The time cap keeps very slow clients
    (httpx at high concurrency) from stretching the run; their figures are
    per request, so a smaller count does not bias them.
    """
    remaining = requests
    done = 0
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        nonlocal remaining, done
        while remaining > 0:
            remaining -= 1
            await client.call()
            done += 1
            if time.perf_counter() > deadline:
                remaining = 0

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done


async def _measure(client: BenchClient, requests: int, concurrency: int, max_seconds: float) -> Sample:
    cpu0, t0 = _cpu(), time.perf_counter()
    done = await _drive(client, requests, concurrency, max_seconds)
    t1, cpu1 = time.perf_counter(), _cpu()
    return Sample(seconds=t1 - t0, cpu_seconds=cpu1 - cpu0, requests=done)


async def _throughput(
    target: str, where: Target, specs: Sequence[ClientSpec], args: argparse.Namespace
) -> list[Row]:
    rows: list[Row] = []
    for concurrency in args.concurrency:
        clients: list[tuple[Row, BenchClient]] = []
        for spec in specs:
            row = Row(target, spec, concurrency)
            rows.append(row)
            try:
                client = await spec.factory(where, max(concurrency, 1))
                # Warm-up opens the pool's connections and fills every cache.
                await _drive(client, max(args.warmup, concurrency), concurrency, args.max_seconds / 2)
            except Exception as exc:  # a broken client is a row with an error, not a crashed run
                row.error = f"{type(exc).__name__}: {exc}"
                continue
            clients.append((row, client))
        parts = slices(args.requests, concurrency)
        for rep in range(args.repeats):
            totals: dict[int, Sample] = {id(row): Sample(0.0, 0.0, 0) for row, _ in clients}
            gc.collect()
            for (row, client), part in turns(clients, parts, rep):
                if row.error is not None:
                    continue
                try:
                    got = await _measure(client, part, concurrency, args.max_seconds / len(parts))
                except Exception as exc:
                    row.error = f"{type(exc).__name__}: {exc}"
                    continue
                total = totals[id(row)]
                total.seconds += got.seconds
                total.cpu_seconds += got.cpu_seconds
                total.requests += got.requests
            for row, _ in clients:
                if row.error is None and totals[id(row)].requests:
                    row.samples.append(totals[id(row)])
        for _, client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()
        for row in rows[-len(specs) :]:
            if row.error is None:
                print(
                    f"  {target:7} {row.spec.workload:8} {row.spec.label:15} c={concurrency:<3} "
                    f"{row.rps:9.0f} req/s {row.cpu_us:8.1f} us CPU/req",
                    file=sys.stderr,
                    flush=True,
                )
            else:
                print(f"  {target} {row.spec.name} c={concurrency}: ERROR {row.error}", file=sys.stderr)
    return rows


# -- servers --------------------------------------------------------------------------


@contextlib.contextmanager
def _server(argv: list[str], ready: str, timeout: float = 20.0) -> Iterator[list[str]]:
    """Start a server process; yield its stdout lines up to the one starting with ``ready``.

    A thread keeps draining stdout (so a chatty server never blocks on a full
    pipe) and stderr goes to a temporary file that is shown if it fails.
    """
    with tempfile.TemporaryFile(mode="w+") as err:
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO_ROOT
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def drain() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line.strip())
            lines.put(None)

        threading.Thread(target=drain, name="server-stdout", daemon=True).start()
        try:
            deadline = time.monotonic() + timeout
            seen: list[str] = []
            while True:
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise RuntimeError(f"{' '.join(argv[:4])} did not start within {timeout} s") from None
                if line is None:
                    proc.wait(timeout=5)
                    err.seek(0)
                    raise RuntimeError(
                        f"server exited early ({proc.returncode}): {err.read().strip()[-500:]}"
                    )
                seen.append(line)
                if line.startswith(ready):
                    break
            yield seen
        finally:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _sandbox_argv(token: str) -> list[str] | None:
    """The sandbox command line when the package ships one, else ``None``."""
    if importlib.util.find_spec("meta_cloud_async.sandbox") is None:
        return None
    exe = shutil.which("meta-cloud-async")
    base = [exe] if exe else [sys.executable, "-m", "meta_cloud_async"]
    return [*base, "sandbox", "--port", "0", "--numbers", "1", "--token", token]


def _banner(lines: list[str]) -> dict[str, str]:
    """``key: value`` lines of the sandbox banner as a dict."""
    out: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(": ")
        if sep:
            out[key.strip()] = value.strip()
    return out


# -- reporting ------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def _row_dicts(rows: list[Row]) -> list[dict[str, Any]]:
    by_key = {(r.target, r.spec.workload, r.spec.name, r.concurrency): r for r in rows if r.error is None}
    out: list[dict[str, Any]] = []
    for r in rows:
        d: dict[str, Any] = {
            "target": r.target,
            "workload": r.spec.workload,
            "client": r.spec.name,
            "label": r.spec.label,
            "concurrency": r.concurrency,
        }
        if r.error is not None:
            d["error"] = r.error
            out.append(d)
            continue
        d.update(
            requests=[s.requests for s in r.samples],
            repeats=len(r.samples),
            rps=round(r.rps, 1),
            cpu_us_per_request=round(r.cpu_us, 2),
            runs=[{"rps": round(s.rps, 1), "cpu_us_per_request": round(s.cpu_us, 2)} for s in r.samples],
        )
        floor = by_key.get((r.target, r.spec.workload, r.spec.floor, r.concurrency))
        if floor is not None:
            d["floor"] = r.spec.floor
            d["rps_vs_floor"] = _ratio(r.rps, floor.rps)
            d["cpu_vs_floor"] = _ratio(r.cpu_us, floor.cpu_us)
        raw = by_key.get((r.target, r.spec.workload, "raw_aiohttp", r.concurrency))
        if raw is not None:
            d["rps_vs_raw_aiohttp"] = _ratio(r.rps, raw.rps)
            d["cpu_vs_raw_aiohttp"] = _ratio(r.cpu_us, raw.cpu_us)
        pywa = by_key.get((r.target, r.spec.workload, "pywa", r.concurrency))
        if pywa is not None and r.spec.workload in (REGISTER, SEND_TEXT):
            d["rps_vs_pywa"] = _ratio(r.rps, pywa.rps)
            d["cpu_vs_pywa"] = _ratio(r.cpu_us, pywa.cpu_us)
        out.append(d)
    return out


def _check(name: str, value: float, op: str, target: float, issue: str = "") -> dict[str, Any]:
    ok = value >= target if op == ">=" else value <= target if op == "<=" else value < target
    return {"check": name, "value": round(value, 3), "target": f"{op} {target}", "ok": ok, "issue": issue}


def _targets(rows: list[dict[str, Any]], overhead: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The throughput and overhead targets, on the graph server.

    The default client (aiohttp) is held to raw aiohttp on every JSON workload and concurrency
    (issue 16; send_text is issue 10's), and to pywa at concurrency 64; the httpx transport is held
    to raw httpx (issue 5).
    """
    checks: list[dict[str, Any]] = []
    for d in rows:
        if d["target"] != "graph" or d["client"] not in ("sdk_aiohttp", "sdk_httpx") or "error" in d:
            continue
        where = f"{d['label']} {d['workload']} c={d['concurrency']}"
        issue = "10, 16" if d["workload"] == SEND_TEXT else "16"
        if d["client"] == "sdk_aiohttp" and "rps_vs_raw_aiohttp" in d:
            checks.append(
                _check(
                    f"req/s vs raw aiohttp, {where}", d["rps_vs_raw_aiohttp"], ">=", TARGET_RPS_VS_RAW, issue
                )
            )
            checks.append(
                _check(
                    f"CPU/req vs raw aiohttp, {where}",
                    d["cpu_vs_raw_aiohttp"],
                    "<=",
                    TARGET_CPU_VS_RAW,
                    issue,
                )
            )
        elif d["client"] == "sdk_httpx" and "rps_vs_floor" in d:
            checks.append(
                _check(f"req/s vs raw httpx, {where}", d["rps_vs_floor"], ">=", TARGET_HTTPX_RPS_VS_RAW, "5")
            )
            checks.append(
                _check(
                    f"CPU/req vs raw httpx, {where}", d["cpu_vs_floor"], "<=", TARGET_HTTPX_CPU_VS_RAW, "5"
                )
            )
        if d["client"] == "sdk_aiohttp" and "rps_vs_pywa" in d and d["concurrency"] == 64:
            target = TARGET_SEND_RPS_VS_PYWA if d["workload"] == SEND_TEXT else TARGET_RPS_VS_PYWA
            checks.append(_check(f"req/s vs pywa, {where}", d["rps_vs_pywa"], ">=", target, issue))
    for result in _overheads(overhead):
        json_lib = result.get("json", "json")
        checks.append(
            _check(
                f"in-process overhead per set_pin, {json_lib} (us)",
                result["overhead_us"],
                "<=",
                result["target_us"],
                "16",
            )
        )
        checks.append(
            _check(
                f"with_options per copy, {json_lib} (us)",
                result["with_options_us"],
                "<=",
                result["target_with_options_us"],
                "16",
            )
        )
    return checks


def _overheads(overhead: dict[str, Any] | None) -> list[dict[str, Any]]:
    if overhead is None:
        return []
    return [r for r in (overhead.get("stdlib"), overhead.get("orjson")) if r]


def _webhook_targets(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Issue 11's webhook checks (from ``benchmarks.webhooks``), in this runner's target format."""
    if not result or "targets" not in result:
        return []
    out = []
    for row in result["targets"]:
        check = row["check"]
        op = "<=" if "at most" in check else "<" if "under" in check else ">="
        out.append(
            {
                "check": f"webhooks: {check}",
                "value": round(row["value"], 3),
                "target": f"{op} {row['target']}",
                "ok": row["ok"],
                "issue": "11, 16",
            }
        )
    return out


def _media_targets(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Issue 12's media checks (from ``benchmarks.media``)."""
    if not result or "checks" not in result:
        return []
    return [
        {
            "check": f"media: {c['name']}",
            "value": round(c["value"], 3),
            "target": c["target"],
            "ok": c["met"],
            "issue": "12, 16",
        }
        for c in result["checks"]
    ]


def _rotation_targets(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Issue 16's rotation checks (from ``benchmarks.rotation``)."""
    if not result or "targets" not in result:
        return []
    out = []
    for t in result["targets"]:
        name = f"rotation of {result.get('numbers', 0):,} numbers: {t['check']}"
        out.append(_check(name, t["value"], t["op"], t["target"], "16"))
        out[-1]["ok"] = bool(t["ok"]) and bool(result.get("pins_match", True))
    return out


def render_targets(targets: list[dict[str, Any]]) -> str:
    """The one table of every target with its measured value and verdict (Markdown)."""
    lines = ["| check | measured | target | verdict | issue |", "|---|---|---|---|---|"]
    for t in targets:
        value = t["value"]
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        lines.append(
            f"| {t['check']} | {shown} | {t['target']} | {'MET' if t['ok'] else 'MISSED'} | {t.get('issue', '')} |"
        )
    met = sum(1 for t in targets if t["ok"])
    lines.append(f"\n{met} of {len(targets)} targets met.")
    return "\n".join(lines)


def _fmt_ratio(d: dict[str, Any], key: str) -> str:
    return f"{d[key]:.2f}x" if key in d else ""


def render_table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of the throughput rows (pasted as is into docs/performance.md).

    "floor" is the raw client of the row's own HTTP library (raw aiohttp or raw httpx).
    """
    cols = (
        "server",
        "workload",
        "client",
        "conc.",
        "req/s",
        "CPU us/req",
        "req/s vs floor",
        "CPU vs floor",
        "req/s vs raw aiohttp",
        "CPU vs raw aiohttp",
        "req/s vs pywa",
        "CPU vs pywa",
    )
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for d in rows:
        head = [d["target"], d["workload"], d["label"], str(d["concurrency"])]
        if "error" in d:
            cells = [*head, f"error: {d['error']}", *[""] * (len(cols) - 5)]
        else:
            cells = [
                *head,
                f"{d['rps']:,.0f}",
                f"{d['cpu_us_per_request']:.1f}",
                *(
                    _fmt_ratio(d, k)
                    for k in (
                        "rps_vs_floor",
                        "cpu_vs_floor",
                        "rps_vs_raw_aiohttp",
                        "cpu_vs_raw_aiohttp",
                        "rps_vs_pywa",
                        "cpu_vs_pywa",
                    )
                ),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for dist in ("meta-cloud-async", "aiohttp", "httpx", "pywa", "attrs", "cattrs"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _memory(args: argparse.Namespace, url: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for mode in ("tasks", "sdk_mock", "raw_aiohttp_server", "sdk_server"):
        argv = [sys.executable, "-m", "benchmarks.memory", "--mode", mode, "--calls", str(args.memory_calls)]
        if mode.endswith("_server"):
            argv += ["--url", url, "--pool", str(min(args.memory_calls, 1000))]
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
        if proc.returncode != 0:
            results.append({"mode": mode, "error": proc.stderr.strip()[-500:]})
        else:
            results.append(json.loads(proc.stdout))
        print(f"  memory {mode}: {results[-1]}", file=sys.stderr, flush=True)
    return results


# -- main -----------------------------------------------------------------------------


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts, one repeat (CI smoke run)")
    parser.add_argument("--requests", type=int, help="requests per measured run (default 3000; quick 100)")
    parser.add_argument(
        "--repeats", type=int, help="runs per row; the median is reported (default 5; quick 1)"
    )
    parser.add_argument(
        "--warmup", type=int, help="untimed requests before a row's runs (default 300; quick 20)"
    )
    parser.add_argument(
        "--concurrency",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 8, 64],
        help="comma-separated concurrency levels (default 1,8,64)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        help="stop a measured run after this long even if --requests are not done (default 2; quick 1)",
    )
    parser.add_argument("--clients", help="comma-separated client names to run (default: all)")
    parser.add_argument("--overhead-iterations", type=int, help="calls per overhead timing (default 50000)")
    parser.add_argument(
        "--memory-calls", type=int, help="in-flight calls for the memory check (default 10000)"
    )
    parser.add_argument("--no-sandbox", action="store_true", help="skip the sandbox server even if present")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory check")
    parser.add_argument("--no-webhooks", action="store_true", help="skip the webhook benchmarks")
    parser.add_argument("--no-rotation", action="store_true", help="skip the batch PIN rotation row")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per request under valgrind (load-free; about 2 minutes)",
    )
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop of the clients and the graph server (uvloop: the bench extra)",
    )
    parser.add_argument(
        "--rotation-numbers",
        type=int,
        help="numbers in the rotation row (default 100000; quick: a few thousand)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    quick = args.quick
    args.requests = args.requests or (100 if quick else 3000)
    args.repeats = args.repeats or (1 if quick else 5)
    args.warmup = args.warmup if args.warmup is not None else (20 if quick else 300)
    args.max_seconds = args.max_seconds or (1.0 if quick else 2.0)
    args.overhead_iterations = args.overhead_iterations or (2000 if quick else 50_000)
    args.memory_calls = args.memory_calls or (1000 if quick else 10_000)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    wanted = set(args.clients.split(",")) if args.clients else None
    specs: list[ClientSpec] = []
    skipped: list[dict[str, str]] = []
    for spec in CLIENTS:
        if (spec.name not in wanted) if wanted is not None else not spec.default:
            continue
        reason = spec.unavailable()
        if reason is None:
            specs.append(spec)
        else:
            skipped.append({"workload": spec.workload, "client": spec.name, "reason": reason})
            print(f"  skip {spec.name} ({spec.workload}): {reason}", file=sys.stderr)

    started = time.time()
    rows: list[Row] = []
    memory: list[dict[str, Any]] | None = None
    graph_cmd = [sys.executable, "-m", "benchmarks.graph_server", "--port", "0", "--loop", args.loop]
    with _server(graph_cmd, ready="http://") as lines:
        url = lines[-1]
        print(f"graph server at {url}", file=sys.stderr)
        rows += run_on(args.loop, _throughput("graph", Target(url), specs, args))
        if not args.no_memory:
            memory = _memory(args, url)
        instructions: dict[str, Any] | None = None
        if args.instructions:
            from benchmarks import instructions as instructions_bench

            instructions = instructions_bench.measure(url, requests=200 if args.quick else 2000)
            print(f"  {instructions_bench.report(instructions)}", file=sys.stderr)

    # The sandbox answers like Meta (usage headers included), so it shows what
    # the SDK's header parsing costs. Only set_pin: register has a 10-per-72h budget.
    sandbox: dict[str, Any] = {"ran": False}
    sandbox_cmd = None if args.no_sandbox else _sandbox_argv(TOKEN)
    if sandbox_cmd is None:
        sandbox["reason"] = (
            "disabled (--no-sandbox)" if args.no_sandbox else "meta_cloud_async.sandbox is missing"
        )
    else:
        try:
            with _server(sandbox_cmd, ready="ready") as lines:
                banner = _banner(lines)
                where = Target(
                    banner["base_url"], banner["phone_number_ids"].split(",")[0], banner["access_token"]
                )
                print(f"sandbox at {where.base_url}", file=sys.stderr)
                sb_specs = [s for s in specs if s.workload == SET_PIN]
                rows += run_on(args.loop, _throughput("sandbox", where, sb_specs, args))
                sandbox = {"ran": True, "command": " ".join(["meta-cloud-async", *sandbox_cmd[1:]])}
        except Exception as exc:
            sandbox["reason"] = f"{type(exc).__name__}: {exc}"
        if not sandbox["ran"]:
            print(f"  sandbox skipped: {sandbox['reason']}", file=sys.stderr)

    from benchmarks.overhead import measure_overhead_with

    # Each JSON library in its own interpreter (the library is chosen at import), median of repeats.
    overhead: dict[str, Any] = {}
    for backend in ("stdlib", "orjson"):
        measured = measure_overhead_with(backend, args.overhead_iterations, args.repeats)
        if measured is not None:
            overhead[backend] = measured
            print(f"  overhead ({backend}): {measured['us_per_call']}", file=sys.stderr)
    media = None
    if not args.no_memory:  # 64 MB streamed up and down: peak RSS and throughput vs raw aiohttp
        from benchmarks.media import run as run_media

        media = run_media(quick=args.quick)

    webhooks: dict[str, Any] | None = None
    if not args.no_webhooks:
        from benchmarks import webhooks as webhook_bench

        try:
            webhooks = webhook_bench.run(quick=args.quick)
        except Exception as exc:  # a broken part is reported, not a crashed run
            webhooks = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"  webhooks: {webhooks.get('targets', webhooks.get('error'))}", file=sys.stderr)

    rotation: dict[str, Any] | None = None
    if not args.no_rotation:
        from benchmarks import rotation as rotation_bench

        try:
            rotation = rotation_bench.run(quick=args.quick, numbers=args.rotation_numbers)
        except Exception as exc:  # reported, not a crashed run
            rotation = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"  rotation: {rotation.get('targets', rotation.get('error'))}", file=sys.stderr)

    row_dicts = _row_dicts(rows)
    targets = (
        _targets(row_dicts, overhead)
        + _webhook_targets(webhooks)
        + _media_targets(media)
        + _rotation_targets(rotation)
    )
    result = {
        "meta": {
            "command": " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)]),
            "quick": args.quick,
            "requests": args.requests,
            "repeats": args.repeats,
            "warmup": args.warmup,
            "max_seconds": args.max_seconds,
            "concurrency": args.concurrency,
            "loop": args.loop,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "elapsed_s": round(time.time() - started, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "versions": _versions(),
        },
        "throughput": row_dicts,
        "skipped": skipped,
        "sandbox": sandbox,
        "overhead": overhead,
        "memory": memory,
        "webhooks": webhooks,
        "media": media,
        "rotation": rotation,
        "instructions": instructions,
        "targets": targets,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")

    print(render_table(row_dicts))
    for s in skipped:
        print(f"\nskipped {s['client']} ({s['workload']}): {s['reason']}")
    for backend, result in overhead.items():
        us = result["us_per_call"]
        print(
            f"\nin-process overhead ({backend} json): {result['overhead_us']:.1f} us/call "
            f"(full set_pin {us['full']:.1f} us, handler alone {us['direct']:.2f} us, "
            f"middleware {result['middleware_us']:.1f} us, build {us['build']:.1f} us, decode {us['decode']:.1f} us; "
            f"with_options {result['with_options_us']:.2f} us, a copy per call {result['per_number_overhead_us']:.1f} us)"
        )
    if memory:
        for m in memory:
            if "error" in m:
                print(f"memory {m['mode']}: error {m['error']}")
            else:
                print(
                    f"memory {m['mode']}: {m['calls']} in flight, peak RSS {m['peak_rss_mb']} MB "
                    f"(+{m['delta_mb']} MB, {m['kb_per_call']} KB/call)"
                )
    if webhooks is not None:
        from benchmarks import webhooks as webhook_bench

        print()
        if "error" in webhooks:
            print(f"webhooks: error {webhooks['error']}")
        else:
            print("\n".join(webhook_bench.report(webhooks).splitlines()[:4]))
    if media:
        from benchmarks.media import report as media_report

        print(media_report(media))
    if rotation is not None:
        if "error" in rotation:
            print(f"rotation: error {rotation['error']}")
        else:
            print(
                f"rotation: {rotation['numbers']:,} numbers at {rotation['rate']:g}/s in {rotation['wall_s']:.1f} s "
                f"(floor {rotation['floor_s']:.1f} s), peak RSS {rotation['peak_rss_mb']:.0f} MB, "
                f"worst loop stall {rotation['worst_stall_ms']:.1f} ms, PINs match: {rotation['pins_match']}"
            )
    if instructions is not None:
        from benchmarks import instructions as instructions_bench

        print(instructions_bench.report(instructions))
    print(f"\nTargets (median of {args.repeats} repeats; {args.requests:,} requests a run):\n")
    print(render_targets(targets))
    print(f"\nwrote {args.out}")
    failed = (
        any("error" in d for d in row_dicts)
        or (webhooks is not None and "error" in webhooks)
        or (rotation is not None and "error" in rotation)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
