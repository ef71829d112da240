"""Set a fresh two-step verification PIN on a WhatsApp business phone number.

Offline by default: requests go to the embedded sandbox
(:class:`meta_cloud_async.sandbox.Sandbox`, a stateful fake of the Graph API)
through its in-process transport, so the script runs anywhere without a token,
and the sandbox can confirm the PIN in effect is the one we generated. Point it at a real server with
``--base-url`` (or ``WA_BASE_URL``); the token then comes from
``CLOUD_API_ACCESS_TOKEN`` and the number from ``--phone-number-id`` or
``WA_PHONE_NUMBER_ID``. Against a real server ``--pin-file`` is required:
Meta cannot show a PIN again, so the new PIN is written to ``FILE.pending``
(mode 0600, fsynced) before it is sent, and replaces ``FILE`` only once Meta
confirms; if the call fails in a way that may still have applied it, both
files are kept and the script says so.

    python examples/two_step_verification.py
    python examples/two_step_verification.py --base-url http://127.0.0.1:8080 --pin-file pin.txt

The PIN is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from meta_cloud_async import MetaCloudError, WhatsApp
from meta_cloud_async.pins import generate_pin
from meta_cloud_async.sandbox import Sandbox


def write_private(path: Path, pin: str) -> None:
    """Write ``pin`` readable by the owner only, and make it durable before anything else happens."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pin + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def pending_path(pin_file: Path) -> Path:
    return pin_file.with_name(pin_file.name + ".pending")


async def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--base-url",
        default=os.environ.get("WA_BASE_URL"),
        help="a real Graph endpoint (default: the embedded sandbox)",
    )
    parser.add_argument("--phone-number-id", default=None)
    parser.add_argument("--pin-file", type=Path, default=None, help="where to store the new PIN (mode 0600)")
    args = parser.parse_args(argv)

    if args.base_url:
        if args.pin_file is None:
            parser.error("--pin-file is required against a real endpoint: the PIN cannot be read back")
        try:
            client = WhatsApp(base_url=args.base_url, phone_number_id=args.phone_number_id)
        except ValueError as exc:  # no token, a malformed id or URL
            parser.error(str(exc))
        if client.options.phone_number_id is None:
            parser.error("pass --phone-number-id or set WA_PHONE_NUMBER_ID")
        where = args.base_url
        sandbox = None
    else:
        sandbox = Sandbox(phone_numbers=1, seed=7)
        client = WhatsApp(
            access_token=sandbox.access_token,
            phone_number_id=sandbox.phone_number_ids[0],
            transport=sandbox.transport(),
        )
        where = "the embedded sandbox"

    pin = generate_pin()
    # The new PIN goes to a side file first; the old one in --pin-file stays
    # untouched until Meta has confirmed the change.
    pending = pending_path(args.pin_file) if args.pin_file is not None else None
    if pending is not None:
        write_private(pending, pin)
    async with client as wa:
        number = wa.options.phone_number_id
        try:
            result = await wa.two_step_verification.set_pin(pin)
        except MetaCloudError as exc:
            print(f"setting the PIN on {number} via {where} failed: {exc}", file=sys.stderr)
            if pending is not None:
                if exc.may_have_applied:
                    print(
                        f"the new PIN may be in effect: keep both {args.pin_file} and {pending}",
                        file=sys.stderr,
                    )
                else:
                    pending.unlink()  # surely not applied: the old PIN is still the one in effect
            return 1
    if pending is not None and result.success:
        os.replace(pending, args.pin_file)
    stored = f"; stored in {args.pin_file}" if args.pin_file else " (not stored: offline demo)"
    print(
        f"two-step verification PIN set on phone number {number} via {where}: success={result.success}{stored}"
    )
    if sandbox is not None and number is not None:
        # Only a sandbox can show the PIN in effect; compare without printing either.
        matches = sandbox.state(number).pin == pin
        print(
            "the sandbox confirms the PIN in effect is the one generated"
            if matches
            else "MISMATCH: the PIN in effect differs from the one generated",
            file=sys.stdout if matches else sys.stderr,
        )
        return 0 if result.success and matches else 1
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
