"""``meta-cloud-async sandbox``: serve a fake Graph API on a local port until SIGINT/SIGTERM.

Prints (one ``key: value`` per line, then flushes) the base URL, the access
token it accepts, its WABA ids and phone number ids, so scripts can read them.
With ``--webhook-url`` and ``--app-secret`` it also POSTs signed webhooks there
(inbound messages from ``POST /_sandbox/inbound``, statuses of what was sent).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import signal
import sys
from typing import Any, TextIO

__all__ = ["register", "run"]

_SHOWN_IDS = 5

_DESCRIPTION = """\
Serve a stateful fake of the Graph API (2SV PINs, registration, ownership codes, phone numbers)
on a local port until SIGINT or SIGTERM. Prints base_url, access_token, waba_ids and the phone
number ids as "key: value" lines, then "ready".
"""

_EPILOG = """\
faults: comma-separated [route.]key=value; keys latency, jitter (durations: 5ms, 2s),
  transient, reset_before, reset_after, slow_body (rates 0..1 or 5%), slow_chunks,
  slow_chunk_delay, seed; routes set_pin, register, deregister, request_code, verify_code,
  get_phone_number, list_phone_numbers, get_waba, other. Webhook delivery (with --webhook-url):
  webhook.batch=N (items per POST), webhook.duplicate, webhook.reorder, webhook.fail (rates),
  webhook.backoff, webhook.max_backoff, webhook.retry_for, webhook.timeout (durations).
admin (same bearer token): GET /_sandbox/phone_numbers, GET /_sandbox/phone_numbers/{id}
  (state incl. PIN), GET /_sandbox/requests, POST /_sandbox/reset, POST /_sandbox/inbound
  (a user writes in), GET /_sandbox/messages. See docs/sandbox.md.
"""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sandbox",
        help="serve a stateful fake of the Graph API on a local port",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    p.add_argument("--numbers", type=int, default=5, help="phone numbers in the business (default 5)")
    p.add_argument("--wabas", type=int, default=1, help="WhatsApp Business Accounts to spread them over")
    p.add_argument(
        "--token", default=None, help="access token to accept (default: the documented sandbox token)"
    )
    p.add_argument("--seed", type=int, default=0, help="seed for ids, PINs, codes and faults (default 0)")
    p.add_argument(
        "--initial-pin",
        default="random",
        help="each number's starting 2SV PIN: 'random' (seeded), 'none', or 6 digits (default random)",
    )
    p.add_argument("--unregistered", action="store_true", help="start every number deregistered")
    p.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="fault injection, e.g. 'transient=0.05,reset_after=0.01,latency=5ms,register.reset_before=0.5'",
    )
    p.add_argument(
        "--budget",
        default=None,
        metavar="SPEC",
        help="call budgets, e.g. 'app=2000/1s,waba=5000/1h' (default app=1000000/1h, waba=500000/1h)",
    )
    p.add_argument(
        "--webhook-url",
        default=None,
        metavar="URL",
        help="POST signed webhooks (inbound messages, statuses) to this receiver URL",
    )
    p.add_argument(
        "--app-secret",
        default=None,
        metavar="SECRET",
        help="app secret that signs the webhooks (X-Hub-Signature-256); default $META_APP_SECRET",
    )
    p.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop; uvloop (if installed) serves more requests per second",
    )
    p.set_defaults(func=run, _parser=p)


def _parse_budgets(spec: str | None) -> dict[str, Any]:
    from ..sandbox import Budget

    out: dict[str, Any] = {}
    for item in (spec or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in ("app", "waba"):
            raise ValueError(f"budget item {item!r} must be app=N/window or waba=N/window")
        out[f"{key}_budget"] = Budget.parse(value)
    return out


def _print_banner(
    out: TextIO,
    base_url: str,
    token: str,
    waba_ids: list[str],
    phone_ids: list[str],
    webhook_url: str | None = None,
) -> None:
    lines = [
        f"base_url: {base_url}",
        f"access_token: {token}",
        f"waba_ids: {','.join(waba_ids)}",
    ]
    if webhook_url is not None:
        lines.append(f"webhook_url: {webhook_url}")  # never the app secret
    if len(phone_ids) <= _SHOWN_IDS * 2:
        lines.append(f"phone_number_ids: {','.join(phone_ids)}")
    else:
        lines.append(f"phone_numbers: {len(phone_ids)}")
        lines.append(f"phone_number_ids (first {_SHOWN_IDS}): {','.join(phone_ids[:_SHOWN_IDS])}")
        lines.append(f"all phone number ids: GET {base_url}/_sandbox/phone_numbers (same bearer token)")
    lines.append("ready (Ctrl-C or SIGTERM stops)")
    out.write("\n".join(lines) + "\n")
    out.flush()


async def _serve(args: argparse.Namespace, kwargs: dict[str, Any]) -> int:
    from ..sandbox import Sandbox

    sandbox = Sandbox(**kwargs)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows' default loop
            loop.add_signal_handler(sig, stop.set)
    async with sandbox.serve(args.host, args.port) as base_url:
        _print_banner(
            sys.stdout,
            base_url,
            sandbox.access_token,
            sandbox.waba_ids,
            sandbox.phone_number_ids,
            sandbox.webhook.url if sandbox.webhook is not None else None,
        )
        await stop.wait()
    if sandbox.webhook is not None:
        stats = sandbox.webhook_stats
        sys.stdout.write(
            f"webhooks: {stats.delivered} delivered, {stats.retried} retried, "
            f"{stats.duplicates_sent} duplicates, {stats.given_up} given up, {stats.pending} pending\n"
        )
    sys.stdout.write("sandbox stopped\n")
    sys.stdout.flush()
    return 0


def run(args: argparse.Namespace) -> int:
    from ..sandbox import DEFAULT_ACCESS_TOKEN

    initial_pin: str | None = args.initial_pin
    if initial_pin == "none":
        initial_pin = None
    try:
        kwargs: dict[str, Any] = {
            "phone_numbers": args.numbers,
            "wabas": args.wabas,
            "seed": args.seed,
            "access_token": args.token or DEFAULT_ACCESS_TOKEN,
            "faults": args.faults,
            "registered": not args.unregistered,
            "initial_pin": initial_pin,
            **_parse_budgets(args.budget),
        }
        app_secret = args.app_secret or os.environ.get("META_APP_SECRET") or None
        if args.webhook_url is not None:
            kwargs["webhook_url"] = args.webhook_url
            if app_secret is None:
                raise ValueError(
                    "--webhook-url needs --app-secret (or $META_APP_SECRET) to sign the webhooks"
                )
            kwargs["app_secret"] = app_secret
        elif args.app_secret is not None:
            raise ValueError("--app-secret is only used with --webhook-url")
        # Checked here: the pre-check below builds a 0-number sandbox, which hides a negative count.
        if args.numbers < 0:
            raise ValueError(f"--numbers must be >= 0, got {args.numbers}")
        if args.wabas < 1:
            raise ValueError(f"--wabas must be >= 1, got {args.wabas}")
        if not 0 <= args.port <= 65535:
            raise ValueError("--port must be within 0..65535")
        # Build once here so bad arguments fail before anything binds.
        from ..sandbox import Sandbox

        Sandbox(**{**kwargs, "phone_numbers": 0})
    except ValueError as exc:
        sys.stderr.write(f"meta-cloud-async sandbox: {exc}\n")
        return 2
    runner: Any = asyncio.run
    if args.loop == "uvloop":
        try:
            runner = importlib.import_module("uvloop").run
        except ImportError:
            sys.stderr.write("meta-cloud-async sandbox: --loop uvloop needs `pip install uvloop`\n")
            return 2
    try:
        code: int = runner(_serve(args, kwargs))
        return code
    except OSError as exc:
        sys.stderr.write(f"meta-cloud-async sandbox: cannot serve on {args.host}:{args.port}: {exc}\n")
        return 1
