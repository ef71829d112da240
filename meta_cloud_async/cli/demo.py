"""``meta-cloud-async demo``: the main job, end to end, on a machine with nothing configured.

Starts a sandbox with 1,000 numbers (over real HTTP on 127.0.0.1 by default),
rotates every PIN into a fresh encrypted vault with the progress bar, then
asks the sandbox for each number's PIN in effect and compares it with the
vault. ``--faults`` adds connection resets and 5xx answers (some after the
PIN was applied) to show that the vault still ends up the truth: numbers
left pending are settled by a resume pass, exactly like ``pins resume``.
No environment variables are needed: the vault key is generated for the run
(``--vault PATH`` on an existing vault needs its key: ``--key-file FILE`` or
``META_PIN_KEY``). The vault is a sandbox vault (marked so; real PINs never go
in it, and ``pins rotate`` without ``--sandbox`` refuses it), in a temporary
directory unless ``--vault`` names one. SIGTERM stops it cleanly (temporary
files removed, exit 143).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import plain

__all__ = ["register", "run"]

_EXIT_SIGTERM = 128 + signal.SIGTERM
_VAULT_EXTRA = "pip install 'meta-cloud-async[vault]' (or '.[all]' from a checkout)"
_DEFAULT_FAULTS = "set_pin.reset_after=0.02,set_pin.reset_before=0.02,set_pin.transient=0.02"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="rotate 1,000 PINs against a local sandbox and check every one",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--numbers", type=int, default=1000, help="phone numbers in the sandbox (default 1000)")
    p.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    p.add_argument(
        "--in-process", action="store_true", help="skip HTTP: use the in-process sandbox transport"
    )
    p.add_argument(
        "--faults",
        nargs="?",
        const=_DEFAULT_FAULTS,
        default=None,
        metavar="SPEC",
        help=f"inject sandbox faults (bare --faults: {_DEFAULT_FAULTS})",
    )
    p.add_argument(
        "--vault", default=None, help="keep the sandbox vault here (default: a temporary directory)"
    )
    p.add_argument(
        "--key-file", default=None, metavar="FILE", help="key of an existing --vault (default: META_PIN_KEY)"
    )
    p.add_argument("--seed", type=int, default=7, help="sandbox seed (default 7)")
    p.set_defaults(func=run, _parser=p)
    # `demo` alone stays the PIN rotation; `demo bot` is the support bot end to end.
    from . import demo_bot

    demo_bot.register(p.add_subparsers(dest="demo_command", metavar="{bot}", parser_class=type(p)))


def _existing_key(args: argparse.Namespace) -> str | None:
    """The key for an existing ``--vault``: ``--key-file``, else ``META_PIN_KEY``, else None."""
    if args.key_file:
        with open(args.key_file, encoding="ascii", errors="replace") as handle:
            return handle.read(4096).strip()
    return os.environ.get("META_PIN_KEY") or None


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.numbers <= 1_000_000:
        sys.stderr.write("meta-cloud-async demo: --numbers must be within 1..1000000\n")
        return 2
    if args.concurrency < 1:
        sys.stderr.write("meta-cloud-async demo: --concurrency must be at least 1\n")
        return 2
    try:
        args.existing_key = _existing_key(args) if args.vault else None
    except OSError as exc:
        sys.stderr.write(f"meta-cloud-async demo: cannot read the key file {args.key_file}: {exc.strerror}\n")
        return 2
    if args.vault and Path(args.vault).exists() and not args.existing_key:
        sys.stderr.write(
            f"meta-cloud-async demo: --vault {args.vault} already exists; pass its key with --key-file FILE "
            "or META_PIN_KEY, or pick a new path\n"
        )
        return 2
    from ..rotation import VaultError, WrongKeyError

    try:
        return asyncio.run(_until_sigterm(args))
    except WrongKeyError as exc:  # says which key fingerprint the vault expects, never the key
        sys.stderr.write(f"meta-cloud-async demo: {exc}\n")
        return 2
    except (ValueError, VaultError, OSError) as exc:
        sys.stderr.write(f"meta-cloud-async demo: {exc}\n")
        return 2
    except RuntimeError as exc:
        # The vault raises this when the optional `cryptography` package is missing.
        if "cryptography" not in str(exc):
            raise
        sys.stderr.write(
            f"meta-cloud-async demo: the encrypted PIN vault needs the vault extra: {_VAULT_EXTRA}\n"
        )
        return 2


async def _until_sigterm(args: argparse.Namespace) -> int:
    """Run the demo as a task SIGTERM cancels, so its ``finally`` blocks (temp dir, server) still run."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(_demo(args))
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except NotImplementedError:  # pragma: no cover - Windows' default loop
        return await task
    try:
        return await task
    except asyncio.CancelledError:
        if not terminated:
            raise
        sys.stderr.write("meta-cloud-async demo: stopped by SIGTERM\n")
        return _EXIT_SIGTERM
    finally:
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signal.SIGTERM)


async def _demo(args: argparse.Namespace) -> int:
    from .._client import WhatsApp
    from ..rotation import SqliteVault, generate_key, rotate_pins
    from ..sandbox import Sandbox
    from .pins import ProgressDisplay

    out = sys.stdout
    sandbox = Sandbox(
        phone_numbers=args.numbers, wabas=max(1, args.numbers // 500), seed=args.seed, faults=args.faults
    )
    ids = sandbox.phone_number_ids
    with tempfile.TemporaryDirectory(prefix="mca-demo-") as tmp:
        vault_path = Path(args.vault) if args.vault else Path(tmp) / "pins.db"
        key = args.existing_key
        key_note = "key from --key-file" if args.key_file else "key from META_PIN_KEY"
        if not key:
            key = generate_key()
            key_note = "key generated for this run"
        vault = SqliteVault(vault_path, key=key, sandbox=True)
        await vault.open()
        try:
            async with _door(sandbox, args.in_process) as (wa_kwargs, where):
                out.write(f"sandbox: {len(ids)} numbers {where}; vault: {vault_path} ({key_note})\n")
                out.flush()
                async with WhatsApp(access_token=sandbox.access_token, **wa_kwargs) as wa:
                    started = time.perf_counter()
                    with ProgressDisplay(len(ids), stream=out, label="rotating") as display:
                        report = await rotate_pins(
                            wa,
                            ids,
                            vault=vault,
                            concurrency=args.concurrency,
                            on_progress=display.update,
                            total=len(ids),
                        )
                    out.write(report.summary() + "\n")
                    for attempt in range(1, 6):
                        pending = report.pending
                        if not pending:
                            break
                        out.write(f"resume pass {attempt}: settling {len(pending)} pending PINs\n")
                        report = await rotate_pins(
                            wa, pending, vault=vault, concurrency=args.concurrency, resume_only=True
                        )
                        out.write("  " + report.summary() + "\n")
                    elapsed = time.perf_counter() - started
            matched, pending_left, mismatched = 0, 0, []
            for pid in ids:
                lookup = await vault.get_pin(pid)
                if not lookup.certain:
                    pending_left += 1
                elif lookup.pin == sandbox.state(pid).pin:
                    matched += 1
                else:
                    mismatched.append(pid)
        finally:
            await vault.aclose()
    faults = f" with faults ({args.faults})" if args.faults else ""
    out.write(f"{matched}/{len(ids)} PINs in effect match the vault{faults}; rotated in {elapsed:.1f} s\n")
    if mismatched:
        out.write(f"MISMATCH for {len(mismatched)} numbers, e.g. {', '.join(mismatched[:5])}\n")
    if pending_left:
        out.write(f"{pending_left} numbers still pending (would need `pins resume`)\n")
    out.flush()
    return 0 if matched == len(ids) else 1


class _door:
    """The sandbox over HTTP on 127.0.0.1 (a free port), or in-process."""

    def __init__(self, sandbox: Any, in_process: bool) -> None:
        self._sandbox = sandbox
        self._in_process = in_process
        self._serving: Any = None

    async def __aenter__(self) -> tuple[dict[str, Any], str]:
        if self._in_process:
            return {
                "transport": self._sandbox.transport(),
                "base_url": "http://sandbox.invalid",
            }, "in-process"
        self._serving = self._sandbox.serve("127.0.0.1", 0)
        base_url = await self._serving.__aenter__()
        return {"base_url": base_url}, f"at {base_url}"

    async def __aexit__(self, *exc: Any) -> None:
        if self._serving is not None:
            await self._serving.__aexit__(*exc)
