"""Instructions and L1 cache misses per request, SDK against raw aiohttp: a figure no load can move.

On a shared 2-vCPU VM, CPU time per request drifts 10-20 % between seconds and the client's
share of a 5-10 % gap is lost in it. cachegrind (valgrind) counts the instructions the client
process executes and simulates its caches, the same count for the same code and inputs
whatever else the machine is doing. Each client runs its workload over real HTTP against the
runner's graph server twice, with ``requests`` measured calls and with none (start-up,
imports and warm-up cancel out); the difference divided by ``requests`` is per request.

Not a target: the targets are CPU time, and an instruction is not a fixed time (a miss costs
tens of instructions' worth). It is the load-free cross-check of the CPU ratios, and it is what
an A/B of a hot-path change should read. Opt in with ``python -m benchmarks --instructions``
(about two minutes); skipped when valgrind is not installed.

Child mode (what each valgrind run executes):
``python -m benchmarks.instructions CLIENT WORKLOAD CONCURRENCY REQUESTS URL``.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["CACHES", "COUNTERS", "measure", "parse_counts", "per_request", "report"]

#: A fixed simulated hierarchy (valgrind otherwise copies the host's, which a VM reports oddly):
#: 32 KiB 8-way L1 instruction and data caches, a 4 MiB 16-way last level, 64-byte lines.
CACHES = ("--I1=32768,8,64", "--D1=32768,8,64", "--LL=4194304,16,64")
#: cachegrind's summary lines read, and the name each is reported under.
COUNTERS = {"I refs": "instructions", "I1 misses": "i1_misses", "D1 misses": "d1_misses"}
_LINE = re.compile(r"==\d+== (I\s+refs|I1\s+misses|D1\s+misses):\s+([\d,]+)")
_CLIENTS = ("raw_aiohttp", "sdk_aiohttp")

Run = Callable[[Sequence[str]], str]


def parse_counts(stderr: str) -> dict[str, int]:
    """The counters of one cachegrind summary (its stderr); a missing counter is an error."""
    found = {
        COUNTERS[" ".join(m.group(1).split())]: int(m.group(2).replace(",", ""))
        for m in _LINE.finditer(stderr)
    }
    missing = set(COUNTERS.values()) - set(found)
    if missing:
        raise RuntimeError(f"cachegrind printed no {', '.join(sorted(missing))}: {stderr.strip()[-300:]}")
    return found


def per_request(loaded: dict[str, int], idle: dict[str, int], requests: int) -> dict[str, float]:
    """Counts per measured request: the run with ``requests`` calls less the run with none."""
    return {k: (loaded[k] - idle[k]) / requests for k in COUNTERS.values()}


def _valgrind_run(argv: Sequence[str]) -> str:
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[-5]} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return proc.stderr


def _argv(valgrind: str, client: str, workload: str, concurrency: int, requests: int, url: str) -> list[str]:
    child = [
        sys.executable,
        "-m",
        "benchmarks.instructions",
        client,
        workload,
        str(concurrency),
        str(requests),
        url,
    ]
    return [
        valgrind,
        "--tool=cachegrind",
        "--cache-sim=yes",
        *CACHES,
        "--cachegrind-out-file=/dev/null",
        *child,
    ]


def measure(
    url: str,
    workloads: Sequence[str] = ("set_pin", "send_text"),
    *,
    requests: int = 2000,
    concurrency: int = 8,
    run: Run = _valgrind_run,
    valgrind: str | None = None,
) -> dict[str, Any]:
    """Per-request counts of raw aiohttp and the SDK for each workload, and the SDK's ratios.

    ``{"skipped": reason}`` when valgrind is missing. ``run`` executes one valgrind command and
    returns its stderr (injected by the tests).
    """
    valgrind = valgrind or shutil.which("valgrind")
    if valgrind is None:
        return {"skipped": "valgrind is not installed"}
    jobs = [(workload, client, n) for workload in workloads for client in _CLIENTS for n in (requests, 0)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # one valgrind per core
        outputs = list(pool.map(lambda j: run(_argv(valgrind, j[1], j[0], concurrency, j[2], url)), jobs))
    counts = {job: parse_counts(out) for job, out in zip(jobs, outputs, strict=True)}
    rows = []
    for workload in workloads:
        sides = {
            c: per_request(counts[(workload, c, requests)], counts[(workload, c, 0)], requests)
            for c in _CLIENTS
        }
        raw, sdk = sides["raw_aiohttp"], sides["sdk_aiohttp"]
        rows.append(
            {
                "workload": workload,
                "raw_aiohttp": {k: round(v) for k, v in raw.items()},
                "sdk_aiohttp": {k: round(v) for k, v in sdk.items()},
                "ratio": {k: round(sdk[k] / raw[k], 3) for k in COUNTERS.values()},
            }
        )
    return {"requests": requests, "concurrency": concurrency, "caches": list(CACHES), "rows": rows}


def report(result: dict[str, Any]) -> str:
    """The rows as lines for the runner's output."""
    if "skipped" in result:
        return f"instructions: skipped ({result['skipped']})"
    lines = [
        f"instructions per request over HTTP (cachegrind, c={result['concurrency']}, "
        f"{result['requests']:,} requests; info, not a target):"
    ]
    for row in result["rows"]:
        raw, sdk, ratio = row["raw_aiohttp"], row["sdk_aiohttp"], row["ratio"]
        lines.append(
            f"  {row['workload']:9} raw aiohttp {raw['instructions']:,} · SDK {sdk['instructions']:,} "
            f"({ratio['instructions']:.3f}x); L1 misses I {ratio['i1_misses']:.3f}x, D {ratio['d1_misses']:.3f}x"
        )
    return "\n".join(lines)


async def _child(client: str, workload: str, concurrency: int, requests: int, url: str) -> None:
    from benchmarks.clients import CLIENTS, Target
    from benchmarks.run import _drive

    spec = next(s for s in CLIENTS if s.name == client and s.workload == workload)
    bench = await spec.factory(Target(url), concurrency)
    try:
        await _drive(bench, 300, concurrency)  # warm-up, in both runs: cancels out
        if requests:
            await _drive(bench, requests, concurrency)
    finally:
        await bench.aclose()


if __name__ == "__main__":
    name, work, conc, count, where = sys.argv[1:6]
    asyncio.run(_child(name, work, int(conc), int(count), where))
