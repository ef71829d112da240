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

``python -m benchmarks.instructions --in-process`` counts one call of each workload through the
whole client over an instant ``MockTransport`` instead (no HTTP, no raw side): the SDK's own
instructions per call, the figure a hot-path change moves first.

Child modes (what each valgrind run executes):
``python -m benchmarks.instructions CLIENT WORKLOAD CONCURRENCY REQUESTS URL`` and
``python -m benchmarks.instructions inproc WORKLOAD CALLS``.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = [
    "CACHES",
    "COUNTERS",
    "IN_PROCESS",
    "measure",
    "measure_in_process",
    "parse_counts",
    "per_request",
    "report",
    "report_in_process",
]

#: A fixed simulated hierarchy (valgrind otherwise copies the host's, which a VM reports oddly):
#: 32 KiB 8-way L1 instruction and data caches, a 4 MiB 16-way last level, 64-byte lines.
CACHES = ("--I1=32768,8,64", "--D1=32768,8,64", "--LL=4194304,16,64")
#: cachegrind's summary lines read, and the name each is reported under.
COUNTERS = {"I refs": "instructions", "I1 misses": "i1_misses", "D1 misses": "d1_misses"}
_LINE = re.compile(r"==\d+== (I\s+refs|I1\s+misses|D1\s+misses):\s+([\d,]+)")
_CLIENTS = ("raw_aiohttp", "sdk_aiohttp")
#: The workloads counted in process (``per_number``: ``set_pin`` through a copy per call, as profiled).
IN_PROCESS = ("set_pin", "register", "per_number", "send_text")

Run = Callable[[Sequence[str]], str]


def parse_counts(stderr: str, wanted: Sequence[str] = tuple(COUNTERS.values())) -> dict[str, int]:
    """The ``wanted`` counters of one cachegrind summary (its stderr); a missing one is an error."""
    found = {
        COUNTERS[" ".join(m.group(1).split())]: int(m.group(2).replace(",", ""))
        for m in _LINE.finditer(stderr)
    }
    missing = set(wanted) - set(found)
    if missing:
        raise RuntimeError(f"cachegrind printed no {', '.join(sorted(missing))}: {stderr.strip()[-300:]}")
    return found


def per_request(loaded: dict[str, int], idle: dict[str, int], requests: int) -> dict[str, float]:
    """Counts per measured request: the run with ``requests`` calls less the run with none."""
    return {k: (loaded[k] - idle[k]) / requests for k in COUNTERS.values()}


def _valgrind_run(argv: Sequence[str]) -> str:
    # A fixed hash seed: dict and set layouts (and so the counts) are the same from run to run.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=900, env=env)
    if proc.returncode != 0:
        child = " ".join(argv[list(argv).index("benchmarks.instructions") + 1 :])
        raise RuntimeError(f"child {child!r} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return proc.stderr


def _run_children(run: Run, valgrind: str, cache_sim: bool, children: Sequence[Sequence[str]]) -> list[str]:
    """Each ``python -m benchmarks.instructions ...`` child under cachegrind, two at a time (one per core)."""
    tool = [valgrind, "--tool=cachegrind", "--cachegrind-out-file=/dev/null"]
    tool += ["--cache-sim=yes", *CACHES] if cache_sim else ["--cache-sim=no"]
    argvs = [[*tool, sys.executable, "-m", "benchmarks.instructions", *child] for child in children]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, argvs))


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
    children = [[client, workload, str(concurrency), str(n), url] for workload, client, n in jobs]
    outputs = _run_children(run, valgrind, True, children)
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


def measure_in_process(
    workloads: Sequence[str] = IN_PROCESS,
    *,
    calls: int = 5000,
    run: Run = _valgrind_run,
    valgrind: str | None = None,
) -> dict[str, Any]:
    """Instructions per call of each workload through the whole client over an instant MockTransport."""
    valgrind = valgrind or shutil.which("valgrind")
    if valgrind is None:
        return {"skipped": "valgrind is not installed"}
    jobs = [(workload, n) for workload in workloads for n in (calls, 0)]
    outputs = _run_children(run, valgrind, False, [["inproc", workload, str(n)] for workload, n in jobs])
    counts = {
        job: parse_counts(out, ("instructions",))["instructions"]
        for job, out in zip(jobs, outputs, strict=True)
    }
    per_call = {w: round((counts[(w, calls)] - counts[(w, 0)]) / calls) for w in workloads}
    return {"calls": calls, "instructions_per_call": per_call}


def report_in_process(result: dict[str, Any]) -> str:
    """One line per workload."""
    if "skipped" in result:
        return f"instructions in process: skipped ({result['skipped']})"
    counts = result["instructions_per_call"]
    return f"instructions per call in process (cachegrind, {result['calls']:,} calls): " + ", ".join(
        f"{w} {n:,}" for w, n in counts.items()
    )


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


async def _in_process_child(workload: str, calls: int) -> None:
    from benchmarks.profiles import mock_operation

    wa, op = mock_operation(workload)
    for _ in range(500 + calls):  # 500 warm-up calls in both runs: they cancel out
        await op()
    await wa.aclose()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--in-process"]:
        print(report_in_process(measure_in_process()))
    elif sys.argv[1:2] == ["inproc"]:
        asyncio.run(_in_process_child(sys.argv[2], int(sys.argv[3])))
    else:
        name, work, conc, count, where = sys.argv[1:6]
        asyncio.run(_child(name, work, int(conc), int(count), where))
