"""Media benchmark: a 64 MB upload and a 64 MB download through the SDK, against raw aiohttp.

One local server (its own process) takes multipart uploads and serves a media
URL plus the bytes behind it. Each transfer runs in a fresh child process that
reports its peak RSS growth (``ru_maxrss`` after the transfer minus before it,
imports and a warm-up request already done) and its wall time. Raw aiohttp
streams the same file with the same chunk size to the same server; a download
goes, on both sides, from a media URL fetched before the clock starts to a file
written on a worker thread, so the throughput ratio compares like with like
(the SDK's extra work, hashing every byte and the rename, is what is measured).
Figures are medians of ``repeats``.

Usage: ``python -m benchmarks.media [--quick]``; :func:`run` is what a runner calls.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

__all__ = ["TARGET_RSS_MB", "TARGET_THROUGHPUT", "main", "run"]

TARGET_RSS_MB = 16.0
TARGET_THROUGHPUT = 0.9
CHUNK = 1 << 20
BLOCK = hashlib.sha256(b"meta-cloud-async media benchmark").digest() * (CHUNK // 32)
REPO_ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _digest(size: int) -> str:
    h = hashlib.sha256()
    for _ in range(size // CHUNK):
        h.update(BLOCK)
    h.update(BLOCK[: size % CHUNK])
    return h.hexdigest()


# -- the server ------------------------------------------------------------------------


async def _serve(size: int) -> None:
    from aiohttp import web

    digest = _digest(size)

    async def upload(request: web.Request) -> web.Response:
        n = 0
        async for chunk in request.content.iter_chunked(CHUNK):
            n += len(chunk)
        return web.json_response({"id": "4242", "received": n})

    async def media_url(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.json_response(
            {
                "url": f"{base}/dl?mid=4242",
                "sha256": digest,
                "file_size": str(size),
                "mime_type": "application/pdf",
            }
        )

    async def download(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"content-type": "application/pdf"})
        resp.content_length = size
        await resp.prepare(request)
        left = size
        while left:
            piece = BLOCK if left >= CHUNK else BLOCK[:left]
            await resp.write(piece)
            left -= len(piece)
        return resp

    app = web.Application(client_max_size=size + CHUNK)
    app.router.add_post("/v23.0/{pid}/media", upload)
    app.router.add_post("/raw/upload", upload)
    app.router.add_get("/v23.0/4242", media_url)
    app.router.add_get("/dl", download)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()


# -- the children ----------------------------------------------------------------------


async def _file_chunks(path: str) -> AsyncIterator[bytes]:
    f = await asyncio.to_thread(open, path, "rb")
    try:
        while chunk := await asyncio.to_thread(f.read, CHUNK):
            yield chunk
    finally:
        f.close()


async def _child(case: str, base: str, path: str, out: str) -> dict[str, float]:
    import aiohttp

    from meta_cloud_async import WhatsApp

    if case.startswith("sdk"):
        async with WhatsApp(access_token="bench", phone_number_id="1", base_url=base, timeout=None) as wa:
            # Warm (imports done, connection pooled), and the URL known before the clock starts,
            # as it is on the raw side: both then time the transfer of the bytes alone.
            info = await wa.media.get_url("4242")
            before = _rss_mb()
            cpu = time.process_time()
            started = time.perf_counter()
            if case == "sdk_upload":
                await wa.media.upload(path, mime_type="application/pdf")
            else:
                await wa.media.download(info, out)
            seconds = time.perf_counter() - started
    else:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
            async with session.get(f"{base}/v23.0/4242") as warm:
                info = await warm.json()
            before = _rss_mb()
            cpu = time.process_time()
            started = time.perf_counter()
            if case == "raw_upload":
                form = aiohttp.FormData()
                form.add_field("messaging_product", "whatsapp")
                form.add_field("type", "application/pdf")
                form.add_field("file", _file_chunks(path), filename="f.pdf", content_type="application/pdf")
                async with session.post(f"{base}/raw/upload", data=form) as resp:
                    await resp.read()
            else:
                async with session.get(info["url"], headers={"authorization": "Bearer bench"}) as resp:
                    f = await asyncio.to_thread(open, out, "wb")
                    try:
                        async for chunk in resp.content.iter_chunked(CHUNK):
                            await asyncio.to_thread(f.write, chunk)
                    finally:
                        f.close()
            seconds = time.perf_counter() - started
    # CPU of every thread of the child (the loop, the file threads): steadier than wall time on a
    # busy machine, and what the SDK adds (hashing every byte of a download, say) shows there.
    cpu_seconds = time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "rss_growth_mb": max(0.0, _rss_mb() - before)}


def _run_child(case: str, base: str, path: str, out: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.media",
            "--child",
            case,
            "--base",
            base,
            "--path",
            path,
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -- the run ---------------------------------------------------------------------------


def run(*, quick: bool = False, size_mb: int | None = None, repeats: int | None = None) -> dict[str, Any]:
    """Run every case; returns figures, ratios and whether each target is met (printing nothing)."""
    size = (size_mb or (8 if quick else 64)) * 1024 * 1024
    repeats = repeats or (1 if quick else 3)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.media", "--serve", "--size", str(size)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=env,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "in.pdf")
            with open(path, "wb") as f:
                left = size
                while left:
                    piece = BLOCK if left >= CHUNK else BLOCK[:left]
                    f.write(piece)
                    left -= len(piece)
            samples: dict[str, list[dict[str, float]]] = {}
            for _ in range(repeats):
                for case in ("raw_upload", "sdk_upload", "raw_download", "sdk_download"):
                    out = os.path.join(tmp, f"{case}.out")
                    samples.setdefault(case, []).append(_run_child(case, base, path, out))
                    if case.endswith("download"):
                        assert os.path.getsize(out) == size
                        os.unlink(out)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    med = {
        case: {k: statistics.median(s[k] for s in rows) for k in ("seconds", "cpu_seconds", "rss_growth_mb")}
        for case, rows in samples.items()
    }
    hash_cpu = _hash_cpu_seconds(size, repeats)
    checks = []
    for kind in ("upload", "download"):
        sdk, raw = med[f"sdk_{kind}"], med[f"raw_{kind}"]
        ratio = raw["seconds"] / sdk["seconds"]
        # Each repeat runs raw then SDK back to back: the spread of their ratios shows the noise.
        pairs = [
            r["seconds"] / s["seconds"]
            for r, s in zip(samples[f"raw_{kind}"], samples[f"sdk_{kind}"], strict=True)
        ]
        checks.append(
            {
                "name": f"{kind} throughput vs raw aiohttp",
                "value": ratio,
                "target": f">= {TARGET_THROUGHPUT}",
                "met": ratio >= TARGET_THROUGHPUT,
                "spread": [min(pairs), max(pairs)],
                "cpu_ratio": sdk["cpu_seconds"] / raw["cpu_seconds"],
            }
        )
        if kind == "download":
            # What verifying costs by itself, and the client's CPU without it: the SDK's other work
            # next to raw aiohttp's (on a machine whose cores the server and client already fill,
            # the hash's CPU shows one for one in wall time).
            checks[-1]["hash_cpu_seconds"] = hash_cpu
            checks[-1]["cpu_ratio_less_hash"] = (sdk["cpu_seconds"] - hash_cpu) / raw["cpu_seconds"]
        checks.append(
            {
                "name": f"{kind} peak RSS growth (MB)",
                "value": sdk["rss_growth_mb"],
                "target": f"< {TARGET_RSS_MB}",
                "met": sdk["rss_growth_mb"] < TARGET_RSS_MB,
            }
        )
    return {
        "size_mb": size / (1024 * 1024),
        "repeats": repeats,
        "cases": med,
        "sha256_cpu_seconds": hash_cpu,
        "checks": checks,
    }


def _hash_cpu_seconds(size: int, repeats: int) -> float:
    """CPU seconds sha256 takes over ``size`` bytes in 1 MiB pieces here (median of ``repeats``):
    the work a verified download does that raw aiohttp does not."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        _digest(size)
        times.append(time.process_time() - started)
    return statistics.median(times)


def report(result: dict[str, Any]) -> str:
    lines = [f"media: {result['size_mb']:.0f} MB, median of {result['repeats']}"]
    for case, fig in result["cases"].items():
        mbps = result["size_mb"] / fig["seconds"]
        lines.append(
            f"  {case:13s} {fig['seconds']:7.3f} s  {mbps:8.1f} MB/s  CPU {fig['cpu_seconds']:6.3f} s"
            f"  RSS +{fig['rss_growth_mb']:.1f} MB"
        )
    for check in result["checks"]:
        state = "MET" if check["met"] else "MISSED"
        line = f"  {check['name']:38s} {check['value']:7.2f}  target {check['target']:7s} {state}"
        if "spread" in check:
            low, high = check["spread"]
            line += f"  (per repeat {low:.2f}-{high:.2f}; client CPU x{check['cpu_ratio']:.2f})"
        if "hash_cpu_seconds" in check:
            line += (
                f"\n    sha256 alone {check['hash_cpu_seconds']:.3f} s CPU; the SDK's CPU less the hash"
                f" x{check['cpu_ratio_less_hash']:.2f} raw's"
            )
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.media", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 MB, one repeat (a smoke run)")
    parser.add_argument("--size-mb", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--base", default="", help=argparse.SUPPRESS)
    parser.add_argument("--path", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(args.size))
        return 0
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child, args.base, args.path, args.out))))
        return 0
    print(report(run(quick=args.quick, size_mb=args.size_mb, repeats=args.repeats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
