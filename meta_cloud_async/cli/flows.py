"""``meta-cloud-async flows keygen``: a key pair for a Flow data-exchange endpoint.

Register the public key for the number (``wa.encryption.set_public_key``) and
give the private one to ``FlowEndpoint(private_key=...)``. With ``--out DIR``
both are written there (mode 0600, never over an existing file) and only the
public key and the paths are printed; without it the pair goes to stdout, for
piping into a secrets manager. The private key never goes to stderr or a log.

Exit codes: 0 written, 2 bad input (an unreadable or empty passphrase file, an
existing key file, a missing directory), 1 without the ``flows`` extra.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

__all__ = ["PRIVATE_NAME", "PUBLIC_NAME", "keygen", "register"]

PRIVATE_NAME = "flow_private_key.pem"
PUBLIC_NAME = "flow_public_key.pem"


class _InputError(Exception):
    pass


def register(sub: Any) -> None:
    from . import CommandParser, plain

    p = sub.add_parser("flows", help="WhatsApp Flows helpers (keygen)", description=plain(__doc__))
    flows_sub = p.add_subparsers(dest="flows_command", required=True, parser_class=CommandParser)
    k = flows_sub.add_parser(
        "keygen",
        help="make an RSA-2048 key pair for a Flow endpoint",
        description=(
            "Make an RSA-2048 key pair for a Flow data-exchange endpoint: register the public key for "
            "the number, keep the private key (PKCS#8, encrypted with --passphrase-file when given)."
        ),
    )
    k.add_argument(
        "--passphrase-file",
        metavar="F",
        default=None,
        help="encrypt the private key with the passphrase in F (its first line)",
    )
    k.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help=f"write {PRIVATE_NAME} and {PUBLIC_NAME} into DIR (mode 0600) instead of printing the pair",
    )
    k.set_defaults(func=run)


def _passphrase(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise _InputError(f"cannot read the passphrase file {path}: {exc.strerror}") from None
    value = text.splitlines()[0] if text.strip() else b""
    if not value:
        raise _InputError(f"the passphrase file {path} is empty")
    return value


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 from the start (no window where others could read it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def keygen(
    *, passphrase_file: str | None, out: str | None, stdout: TextIO | None = None
) -> tuple[Path, Path] | None:
    """Make the pair; write it under ``out`` (returning the paths) or print it to ``stdout``."""
    stdout = stdout or sys.stdout
    passphrase = _passphrase(passphrase_file)
    target: Path | None = None
    if out is not None:
        target = Path(out)
        if not target.is_dir():
            raise _InputError(f"--out {out}: not a directory")
        for name in (PRIVATE_NAME, PUBLIC_NAME):
            if (target / name).exists():
                raise _InputError(f"{target / name} exists; refusing to overwrite a key")
    from ..flows.crypto import generate_key_pair

    private_pem, public_pem = generate_key_pair(passphrase)
    if target is None:
        stdout.write(private_pem)
        stdout.write(public_pem)
        stdout.flush()
        return None
    private_path, public_path = target / PRIVATE_NAME, target / PUBLIC_NAME
    _write_private(private_path, private_pem.encode())
    _write_private(public_path, public_pem.encode())
    stdout.write(public_pem)
    stdout.write(f"private key: {private_path}\npublic key: {public_path}\n")
    stdout.write("register the public key: await wa.encryption.set_public_key(pem)\n")
    stdout.flush()
    return private_path, public_path


def run(args: argparse.Namespace) -> int:
    try:
        keygen(passphrase_file=args.passphrase_file, out=args.out)
    except _InputError as exc:
        print(f"meta-cloud-async flows keygen: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"meta-cloud-async flows keygen: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"meta-cloud-async flows keygen: cannot write the key files: {exc.strerror}", file=sys.stderr)
        return 2
    return 0
