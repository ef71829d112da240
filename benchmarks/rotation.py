"""Rotation at scale: 100,000 numbers against the in-process sandbox, paced at a fixed budget.

The sandbox allows ``--rate`` calls per second (its app budget) and the
client paces itself at the same rate (one shared bucket), so the floor is
``(numbers - burst) / rate`` seconds: no client can finish sooner without being
throttled. The run streams the ids from a file, keeps every PIN in a real
SQLite vault (WAL, fsync on every group commit) and reports:

- wall time vs the floor, as a ratio (target: within 1.1x);
- peak RSS of the whole process, sandbox included (target: under 200 MB),
  and what the sandbox alone took before the rotation started;
- vault commits (group commit: many rows per fsync) and the worst event-loop lag;
- a check that every number's PIN in the sandbox equals the vault's.

Usage: ``python benchmarks/rotation.py [--numbers 100000] [--rate 2000] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
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


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


async def _lag_probe(stop: asyncio.Event, worst: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        worst[0] = max(worst[0], time.perf_counter() - started - 0.01)


async def bench(numbers: int, rate: float, burst: float, concurrency: int, workdir: Path) -> dict[str, Any]:
    sandbox = Sandbox(
        phone_numbers=numbers,
        wabas=max(1, numbers // 10_000),
        seed=11,
        app_budget=Budget(max(1, int(rate)), 1.0),
        waba_budget=Budget(10 * numbers, 3600.0),
    )
    rss_sandbox = peak_rss_mb()
    # The sandbox's 100,000 long-lived numbers would otherwise be rescanned by every full GC
    # pass; in production the sandbox is not in our process at all.
    gc.collect()
    gc.freeze()
    ids_file = workdir / "numbers.txt"
    ids_file.write_text("\n".join(sandbox.phone_number_ids) + "\n")
    wa = WhatsApp(
        access_token=sandbox.access_token,
        base_url="http://sandbox.invalid",
        transport=sandbox.transport(),
        middleware=[TotalRateMiddleware(rate, burst=burst)],
    )
    stop = asyncio.Event()
    worst_lag = [0.0]
    async with SqliteVault(workdir / "pins.db", key=generate_key()) as vault:
        probe = asyncio.ensure_future(_lag_probe(stop, worst_lag))
        with ids_file.open() as handle:
            started = time.perf_counter()
            report = await rotate_pins(
                wa, (line.strip() for line in handle), vault=vault, concurrency=concurrency
            )
            wall = time.perf_counter() - started
        stop.set()
        await probe
        mismatches = 0
        for pid in sandbox.phone_number_ids:
            lookup = await vault.get_pin(pid)
            mismatches += not (lookup.certain and lookup.pin == sandbox.state(pid).pin)
        commits = vault.commits
    await wa.aclose()
    floor = max(numbers - burst, 1) / rate  # the first `burst` calls may go at once
    return {
        "numbers": numbers,
        "rate": rate,
        "concurrency": concurrency,
        "burst": burst,
        "wall_s": round(wall, 2),
        "floor_s": round(floor, 2),
        "ratio": round(wall / floor, 3),
        "rotated": report.rotated,
        "failed": report.failed,
        "throttled_s": round(report.throttled_for, 2),
        "vault_commits": commits,
        "mismatches": mismatches,
        "worst_loop_lag_ms": round(worst_lag[0] * 1000, 1),
        "rss_after_sandbox_mb": round(rss_sandbox, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=2000.0, help="allowed and paced calls per second")
    parser.add_argument(
        "--burst",
        type=float,
        default=None,
        help="client bucket size (default rate/20: 50 ms of catch-up after a stall)",
    )
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="10,000 numbers (a few seconds)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args(argv)
    numbers = 10_000 if args.quick else args.numbers
    with tempfile.TemporaryDirectory(prefix="mca-bench-") as tmp:
        burst = args.burst if args.burst is not None else max(1.0, args.rate / 20)
        result = asyncio.run(bench(numbers, args.rate, burst, args.concurrency, Path(tmp)))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"rotated {result['rotated']}/{numbers} numbers at {args.rate:g}/s: wall {result['wall_s']} s, "
            f"floor {result['floor_s']} s, ratio {result['ratio']}x (target <= 1.1x)\n"
            f"peak RSS {result['peak_rss_mb']} MB (sandbox alone {result['rss_after_sandbox_mb']} MB; "
            f"target < 200 MB); vault commits {result['vault_commits']}; worst loop lag "
            f"{result['worst_loop_lag_ms']} ms; throttled {result['throttled_s']} s; failed {result['failed']}; "
            f"vault/sandbox mismatches {result['mismatches']}"
        )
    if not args.json:
        met = result["ratio"] <= 1.1 and result["peak_rss_mb"] < 200
        print(f"targets: {'MET' if met else 'MISSED'}")
    # Exit 1 only for a wrong result: a missed timing target is a printed verdict, never a failure
    # (the machine's load decides timings; CI runs this only to prove it still runs).
    return 0 if not result["mismatches"] and not result["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
