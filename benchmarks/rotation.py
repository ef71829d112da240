"""Rotation at scale: 100,000 numbers against the in-process sandbox, paced at a fixed budget.

The sandbox allows ``--rate`` calls per second (its app budget) and the
client paces itself at the same rate (one shared bucket), so the floor is
``(numbers - burst) / rate`` seconds: no client can finish sooner without being
throttled. The run streams the ids from a file, keeps every PIN in a real
SQLite vault (WAL, fsync on every group commit) and reports, against issue 16's targets:

- wall time vs the floor, as a ratio (target: at most 1.05x);
- peak RSS of the whole process, sandbox included (target: under 150 MB),
  and what the sandbox alone took before the rotation started;
- the worst event-loop stall (target: under 50 ms), sampled every 5 ms, with
  the garbage collector's pauses per generation and how much of the worst stall
  was spent collecting (the evidence for what stalls the loop);
- vault commits (group commit: many rows per fsync), CPU seconds per number;
- a check that every number's PIN in the sandbox equals the vault's.

The sandbox's long-lived numbers are frozen out of the collector after setup
(``gc.freeze()``): in production the sandbox is not in the rotating process.

Usage: ``python benchmarks/rotation.py [--numbers 100000] [--rate 2000] [--quick] [--json]``;
from code, :func:`run` measures in a fresh subprocess (so peak RSS and the
collector's state are this run's alone) and returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meta_cloud_async import WhatsApp
from meta_cloud_async.middleware.total_rate import TotalRateMiddleware
from meta_cloud_async.rotation import SqliteVault, generate_key, rotate_pins
from meta_cloud_async.sandbox import Budget, Sandbox

__all__ = ["main", "run"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NUMBERS = 100_000
QUICK_NUMBERS = 2_000
DEFAULT_RATE = 2000.0
DEFAULT_CONCURRENCY = 64
TARGET_WALL_VS_FLOOR = 1.05
TARGET_PEAK_RSS_MB = 150.0
TARGET_WORST_STALL_MS = 50.0
_PROBE_INTERVAL = 0.005


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


class _GcWatch:
    """Times every collection (``gc.callbacks``), so stalls can be laid against the collector's pauses."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.worst_ms = [0.0, 0.0, 0.0]
        self.worst_cpu_ms = [0.0, 0.0, 0.0]
        self.total_s = 0.0
        self.total_cpu_s = 0.0
        self._started = 0.0
        self._cpu = 0.0
        self.intervals: list[tuple[float, float]] = []

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        if phase == "start":
            self._started, self._cpu = now, cpu
            return
        gen = int(info["generation"])
        pause = now - self._started
        self.count[gen] += 1
        self.worst_ms[gen] = max(self.worst_ms[gen], pause * 1000)
        # CPU, unlike wall time, is not inflated by the process waiting for a core on a busy machine.
        self.worst_cpu_ms[gen] = max(self.worst_cpu_ms[gen], (cpu - self._cpu) * 1000)
        self.total_s += pause
        self.total_cpu_s += cpu - self._cpu
        if pause > 0.001:
            self.intervals.append((self._started, now))

    def inside(self, start: float, end: float) -> float:
        """Seconds of collection between ``start`` and ``end``."""
        return sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.intervals)


async def _lag_probe(stop: asyncio.Event, worst: list[float], window: list[float]) -> None:
    """Sleep ``_PROBE_INTERVAL`` over and over; the overshoot is how long the loop could not run us.

    ``worst`` gets the worst overshoot and the loop thread's CPU seconds during it: a stall
    with little CPU in it is the machine (other processes, the vault thread) not running
    the loop, one full of CPU is the loop's own work (a collection, a burst of callbacks).
    """
    while not stop.is_set():
        started = time.perf_counter()
        cpu = time.thread_time()
        await asyncio.sleep(_PROBE_INTERVAL)
        now = time.perf_counter()
        lag = now - started - _PROBE_INTERVAL
        if lag > worst[0]:
            worst[:] = [lag, time.thread_time() - cpu]
            window[:] = [started + _PROBE_INTERVAL, now]


async def bench(numbers: int, rate: float, burst: float, concurrency: int, workdir: Path) -> dict[str, Any]:
    sandbox = Sandbox(
        phone_numbers=numbers,
        wabas=max(1, numbers // 10_000),
        seed=11,
        app_budget=Budget(max(1, int(rate)), 1.0),
        waba_budget=Budget(10 * numbers, 3600.0),
    )
    rss_sandbox = peak_rss_mb()
    # The sandbox's long-lived numbers would otherwise be rescanned by every full GC
    # pass; in production the sandbox is not in our process at all.
    gc.collect()
    gc.freeze()
    ids_file = workdir / "numbers.txt"
    with ids_file.open("w") as out:  # line by line: no 100,000-id string joined in memory
        out.writelines(f"{pid}\n" for pid in sandbox.phone_number_ids)
    wa = WhatsApp(
        access_token=sandbox.access_token,
        base_url="http://sandbox.invalid",
        transport=sandbox.transport(),
        middleware=[TotalRateMiddleware(rate, burst=burst)],
    )
    stop = asyncio.Event()
    worst_lag = [0.0, 0.0]
    window = [0.0, 0.0]
    watch = _GcWatch()
    async with SqliteVault(workdir / "pins.db", key=generate_key()) as vault:
        probe = asyncio.ensure_future(_lag_probe(stop, worst_lag, window))
        gc.callbacks.append(watch)
        try:
            with ids_file.open() as handle:
                cpu = time.process_time()
                started = time.perf_counter()
                # The file's lines as they are: the engine strips each id itself (no generator of
                # ours resumed per number inside the timed section).
                report = await rotate_pins(wa, handle, vault=vault, concurrency=concurrency)
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu
        finally:
            gc.callbacks.remove(watch)
            stop.set()
            await probe
        commits = vault.commits
        # Every number's PIN, read back in pages (one transaction per 500 rows, not one per number)
        # and held against the sandbox's row by row: no dict of 100,000 expected PINs in the peak.
        mismatches = checked = 0
        async for record in vault.records():
            lookup = record.lookup()
            try:
                pin = sandbox.state(record.phone_number_id).pin
            except KeyError:  # a row for a number the sandbox does not have
                mismatches += 1
                continue
            checked += 1  # one row per number (the vault's primary key)
            mismatches += not (lookup.certain and lookup.pin == pin)
        mismatches += numbers - checked  # numbers the vault has no record of
    await wa.aclose()
    floor = max(numbers - burst, 1) / rate  # the first `burst` calls may go at once
    ratio = wall / floor
    counts = report.counts
    peak = peak_rss_mb()
    worst_ms = worst_lag[0] * 1000
    return {
        "numbers": numbers,
        "rate": rate,
        "concurrency": concurrency,
        "burst": burst,
        "wall_s": round(wall, 3),
        "floor_s": round(floor, 3),
        "ratio": round(ratio, 3),
        "cpu_s": round(cpu, 3),
        "cpu_us_per_number": round(cpu / max(numbers, 1) * 1e6, 1),
        "rotated": counts["rotated"],
        "failed": counts["failed"],
        "throttled_s": round(report.throttled_for, 2),
        "vault_commits": commits,
        "mismatches": mismatches,
        "pins_match": mismatches == 0 and counts["rotated"] == numbers,
        "worst_stall_ms": round(worst_ms, 1),
        "worst_stall_in_gc_ms": round(watch.inside(*window) * 1000, 1),
        "worst_stall_loop_cpu_ms": round(worst_lag[1] * 1000, 1),
        "gc_collections": watch.count,
        "gc_worst_pause_ms": [round(x, 1) for x in watch.worst_ms],
        "gc_worst_pause_cpu_ms": [round(x, 1) for x in watch.worst_cpu_ms],
        "gc_total_s": round(watch.total_s, 3),
        "gc_total_cpu_s": round(watch.total_cpu_s, 3),
        "rss_after_sandbox_mb": round(rss_sandbox, 1),
        "peak_rss_mb": round(peak, 1),
        "targets": [
            _target("wall vs floor", ratio, TARGET_WALL_VS_FLOOR, "<="),
            _target("peak RSS MB", peak, TARGET_PEAK_RSS_MB, "<"),
            _target("worst loop stall ms", worst_ms, TARGET_WORST_STALL_MS, "<"),
        ],
    }


def _target(check: str, value: float, target: float, op: str) -> dict[str, Any]:
    ok = value <= target if op == "<=" else value < target if op == "<" else value >= target
    return {"check": check, "value": round(value, 3), "target": target, "op": op, "ok": ok}


def run(*, quick: bool = False, numbers: int | None = None) -> dict[str, Any]:
    """One measured rotation in a fresh Python process (peak RSS and GC state are its own).

    ``quick`` rotates 2,000 numbers (a few seconds), else ``numbers`` (default 100,000).
    Returns the figures of :func:`bench`, including ``targets`` (issue 16's three checks)
    and ``pins_match``; raises ``RuntimeError`` if the run itself failed.
    """
    count = numbers if numbers is not None else (QUICK_NUMBERS if quick else DEFAULT_NUMBERS)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"numbers must be a whole number >= 1, got {numbers!r}")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--numbers", str(count), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=max(120.0, count / DEFAULT_RATE * 10),
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(
            f"the rotation benchmark printed nothing (exit {done.returncode}): {done.stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=DEFAULT_NUMBERS)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="allowed and paced calls per second")
    parser.add_argument(
        "--burst",
        type=float,
        default=None,
        help="client bucket size (default rate/20: 50 ms of catch-up after a stall)",
    )
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_NUMBERS:,} numbers (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args(argv)
    numbers = QUICK_NUMBERS if args.quick else args.numbers
    with tempfile.TemporaryDirectory(prefix="mca-bench-") as tmp:
        burst = args.burst if args.burst is not None else max(1.0, args.rate / 20)
        result = asyncio.run(bench(numbers, args.rate, burst, args.concurrency, Path(tmp)))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"rotated {result['rotated']}/{numbers} numbers at {args.rate:g}/s: wall {result['wall_s']} s, "
            f"floor {result['floor_s']} s; CPU {result['cpu_us_per_number']} us/number\n"
            f"peak RSS {result['peak_rss_mb']} MB (sandbox alone {result['rss_after_sandbox_mb']} MB); "
            f"vault commits {result['vault_commits']}; throttled {result['throttled_s']} s; "
            f"failed {result['failed']}; vault/sandbox mismatches {result['mismatches']}\n"
            f"worst loop stall {result['worst_stall_ms']} ms (loop thread CPU in it "
            f"{result['worst_stall_loop_cpu_ms']} ms, in GC {result['worst_stall_in_gc_ms']} ms); "
            f"GC collections per generation {result['gc_collections']}, worst pause "
            f"{result['gc_worst_pause_ms']} ms (CPU {result['gc_worst_pause_cpu_ms']} ms), total "
            f"{result['gc_total_s']} s (CPU {result['gc_total_cpu_s']} s)"
        )
        for t in result["targets"]:
            verdict = "MET" if t["ok"] else "MISSED"
            print(f"  {t['check']}: {t['value']:g} (target {t['op']} {t['target']:g}) {verdict}")
    # Exit 1 only for a wrong result: a missed timing target is a printed verdict, never a failure
    # (the machine's load decides timings; CI runs this only to prove it still runs).
    return 0 if result["pins_match"] and not result["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
