"""``meta-cloud-async pins``: rotate 2SV PINs in bulk, resume, inspect the vault.

Start with ``pins keygen --out pins.key`` (a new key in a file of mode 0600:
keep a copy in your secrets manager, the vault is unreadable without it) and
``pins init --vault pins.db --key-file pins.key``. Every command that opens
a vault takes ``--key-file FILE`` or the key in ``META_PIN_KEY``; the Graph
token comes from ``CLOUD_API_ACCESS_TOKEN`` (not needed with ``--sandbox``).
A vault is only created by ``pins init`` or ``pins rotate --create``: a
mistyped ``--vault`` is an error, never a new empty vault. ``--sandbox`` runs
use their own vault (default ``pins-sandbox.db``), marked as a sandbox vault.

Every input is checked before the vault is opened or a request is sent: a
bad numbers file, a wrong key, a locked vault or an unreachable Redis is a
message on stderr, a non-zero exit and no change to the vault.

Exit codes: 0 all good, 1 some numbers failed or were left undone (see the
report), 2 bad input or a vault that cannot be used (a run aborted by a vault
failure still writes its partial ``--report``), 130 on SIGINT and 143 on
SIGTERM (numbers in flight stay pending; ``pins resume`` settles them).
Durations everywhere take ``5ms``, ``30s``, ``10m``, ``2h``, ``30d``, ``2w``
(a bare number is seconds). PINs are printed in exactly one place:
``pins show ID --reveal``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import math
import os
import signal
import stat
import sys
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from .._durations import parse_duration as _parse_duration
from .._facts import is_ascii_digits
from . import plain, rich_progress

if TYPE_CHECKING:
    from .._client import WhatsApp
    from ..rotation import Progress, RotationReport, Vault

__all__ = ["InputError", "ProgressDisplay", "parse_duration", "read_numbers", "register", "run"]

ENV_TOKEN = "CLOUD_API_ACCESS_TOKEN"
DEFAULT_VAULT = "pins.db"
SANDBOX_VAULT = "pins-sandbox.db"
"""Where ``--sandbox`` runs keep their fake PINs unless ``--vault`` says otherwise: never ``pins.db``."""
EXIT_SIGTERM = 128 + int(signal.SIGTERM)
_VAULT_EXTRA = (
    "the PIN vault needs the 'cryptography' package: pip install 'meta-cloud-async[cli]' (or '[vault]')"
)
_SHOW_AT_MOST = 20
MAX_LINE = 256
"""Longest line a numbers file may have (ids are at most 32 digits; the rest is room for comments)."""
MAX_NUMBERS = 1_000_000
"""Most ids one numbers file may list: a bound, so ``--numbers /dev/zero`` is refused, not read forever."""
_WEEK = 7 * 86400.0


class InputError(Exception):
    """Bad input found before anything was changed; the message is for the user."""


def parse_duration(text: str, *, flag: str = "duration") -> float:
    """``"30d"`` -> seconds, through the package's one duration parser; bad text is an :class:`InputError`."""
    try:
        return _parse_duration(text)
    except ValueError as exc:
        raise InputError(f"{flag}: {exc}") from None


def _duration_flag(text: str, flag: str, *, low: float, high: float) -> float:
    seconds = parse_duration(text, flag=flag)
    if not low <= seconds <= high:
        raise InputError(f"{flag} must be within {_human(low)}..{_human(high)}, got {text!r}")
    return seconds


def _human(seconds: float) -> str:
    for unit, size in (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def _lines(handle: TextIO, path: str) -> Iterator[tuple[int, str]]:
    """Numbered lines, each at most :data:`MAX_LINE` characters, at most :data:`MAX_NUMBERS` ids in all."""
    ids = 0
    lineno = 0
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE and not line.endswith("\n"):
            raise InputError(f"the numbers file {path}: line {lineno} is longer than {MAX_LINE} characters")
        pid = line.strip()
        if pid and not pid.startswith("#"):
            ids += 1
            if ids > MAX_NUMBERS:
                raise InputError(
                    f"the numbers file {path} lists more than {MAX_NUMBERS} ids: split it into several runs"
                )
        yield lineno, pid


def read_numbers(path: str) -> int:
    """Check a numbers file (one id per line; blanks and ``#`` comments skipped) and count its ids.

    Refuses unreadable files, malformed ids and duplicates, naming the lines,
    so a typo cannot rotate the wrong set. Reads as a stream: memory is one
    set of ids, not the file.
    """
    seen: dict[str, int] = {}
    bad: list[str] = []
    dupes: list[str] = []
    try:
        with open(path, encoding="utf-8") as handle:
            for lineno, pid in _lines(handle, path):
                if not pid or pid.startswith("#"):
                    continue
                if not (is_ascii_digits(pid) and len(pid) <= 32):
                    if len(bad) < 5:
                        # Never echo the line: "id,pin" would print a PIN.
                        bad.append(f"line {lineno}: not a phone number id ({len(pid)} chars)")
                    else:
                        bad.append("")
                    continue
                first = seen.get(pid)
                if first is not None:
                    dupes.append(f"{pid} (lines {first} and {lineno})")
                    continue
                seen[pid] = lineno
    except UnicodeDecodeError:
        raise InputError(f"the numbers file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read the numbers file {path}: {exc.strerror or exc}") from None
    if bad:
        shown = [b for b in bad if b]
        more = f" (and {len(bad) - len(shown)} more)" if len(bad) > len(shown) else ""
        raise InputError(
            f"malformed phone number ids in {path} (expected digits only): {'; '.join(shown)}{more}"
        )
    if dupes:
        more = f" (and {len(dupes) - 5} more)" if len(dupes) > 5 else ""
        raise InputError(f"duplicate phone number ids in {path}: {'; '.join(dupes[:5])}{more}")
    if not seen:
        raise InputError(f"the numbers file {path} has no phone number ids")
    return len(seen)


def _iter_numbers(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as handle:
        for _, pid in _lines(handle, path):
            if pid and not pid.startswith("#"):
                yield pid


# -- progress -------------------------------------------------------------------------------


class ProgressDisplay:
    """A rich progress bar on a terminal, plain log lines (at most one a second) otherwise.

    Shows counts, rate, ETA and failures; never a PIN (it only ever sees a
    :class:`Progress`).
    """

    def __init__(self, total: int | None, *, stream: TextIO, label: str, interval: float = 1.0) -> None:
        self.total = total
        self.stream = stream
        self.label = label
        self.interval = interval
        self._last = time.monotonic()
        self._task: Any = None
        self._latest: Progress | None = None
        self._rich: Any = rich_progress(
            stream,
            lambda p: [
                p.TextColumn("{task.description}"),
                p.BarColumn(),
                p.MofNCompleteColumn(),
                p.TextColumn("{task.fields[rate]:>7.0f}/s"),
                p.TimeElapsedColumn(),
                p.TextColumn("ETA"),
                p.TimeRemainingColumn(),
                p.TextColumn("[red]{task.fields[failed]} failed"),
            ],
        )

    def __enter__(self) -> ProgressDisplay:
        if self._rich is not None:
            self._rich.start()
            self._task = self._rich.add_task(self.label, total=self.total, rate=0.0, failed=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.stop()
        elif self._latest is not None:
            self._line(self._latest)

    def update(self, progress: Progress) -> None:
        self._latest = progress
        if self._rich is not None:
            self._rich.update(self._task, completed=progress.done, rate=progress.rate, failed=progress.failed)
            return
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._line(progress)

    def _line(self, p: Progress) -> None:
        total = f"/{p.total}" if p.total is not None else ""
        eta = ""
        if p.total and p.rate > 0:
            eta = f", ETA {max(0.0, (p.total - p.done) / p.rate):.0f} s"
        throttled = f", throttled {p.throttled_for:.0f} s" if p.throttled_for else ""
        self.stream.write(
            f"{self.label}: {p.done}{total} done ({p.rate:.0f}/s{eta}): {p.rotated} rotated, {p.skipped} skipped, "
            f"{p.failed} failed{throttled}\n"
        )
        self.stream.flush()


# -- argument parsing ---------------------------------------------------------------------------


def _add_vault_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--vault",
        default=None,
        help=f"SQLite vault file (default {DEFAULT_VAULT}; {SANDBOX_VAULT} with --sandbox)",
    )
    p.add_argument(
        "--key-file",
        default=None,
        metavar="FILE",
        help="read the vault key from FILE (made by `pins keygen --out FILE`); default: META_PIN_KEY",
    )
    p.add_argument(
        "--redis", default=None, metavar="URL", help="use a RedisVault at URL instead (shared workers)"
    )
    p.add_argument("--redis-prefix", default="mca:pins", help="key prefix in Redis (default mca:pins)")
    p.add_argument(
        "--redis-timeout",
        default="3s",
        metavar="DURATION",
        help="how long to wait for Redis to connect (each command: 3x this) before failing (default 3s)",
    )
    p.add_argument(
        "--lock-timeout",
        default="2s",
        metavar="DURATION",
        help="how long to wait for a vault file another program has locked (default 2s)",
    )


def _add_run_args(p: argparse.ArgumentParser) -> None:
    _add_vault_args(p)
    p.add_argument(
        "--sandbox",
        action="store_true",
        help=f"rotate against an embedded in-process sandbox (its own vault, default {SANDBOX_VAULT})",
    )
    p.add_argument("--sandbox-numbers", type=int, default=1000, help="numbers in the embedded sandbox")
    p.add_argument("--seed", type=int, default=7, help="seed of the embedded sandbox (default 7)")
    p.add_argument(
        "--base-url", default=None, help="Graph base URL (e.g. a sandbox at http://127.0.0.1:PORT)"
    )
    p.add_argument("--concurrency", type=int, default=32, help="set-PIN requests in flight (default 32)")
    p.add_argument(
        "--rate", type=float, default=None, help="at most N requests per second in total (0.01..1000000)"
    )
    p.add_argument("--dry-run", action="store_true", help="say what would happen; send and write nothing")
    p.add_argument("--report", default=None, metavar="PATH", help="write a report (.json or .csv)")
    p.add_argument("--max-attempts", type=int, default=4, help="attempts per number on network errors")
    p.add_argument(
        "--claim-ttl",
        default="60s",
        metavar="DURATION",
        help="how long a crashed worker's claims survive (1s..7d, default 60s)",
    )
    p.add_argument(
        "--claim-wait",
        default=None,
        metavar="DURATION",
        help="how long to wait for numbers other workers hold (0..7d, default twice --claim-ttl)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "pins",
        help="rotate 2SV PINs in bulk and inspect the PIN vault",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1], _parser=p)
    psub = p.add_subparsers(dest="pins_command")

    init = psub.add_parser("init", help="create a new, empty vault (the only way besides rotate --create)")
    _add_vault_args(init)
    init.set_defaults(func=run, action="init", sandbox=False, _parser=init)

    rotate = psub.add_parser("rotate", help="give every listed number a fresh PIN (crash-safe)")
    rotate.add_argument("--numbers", default=None, metavar="FILE", help="one phone number id per line")
    rotate.add_argument(
        "--min-age",
        default=None,
        metavar="DURATION",
        help="skip numbers rotated more recently (e.g. 30d); default 1h with --redis",
    )
    rotate.add_argument(
        "--create",
        action="store_true",
        help="create the vault if it does not exist (otherwise a missing vault is an error)",
    )
    _add_run_args(rotate)
    rotate.set_defaults(func=run, action="rotate", _parser=rotate)

    resume = psub.add_parser("resume", help="re-apply every pending PIN until Meta confirms it")
    resume.add_argument(
        "--numbers", default=None, metavar="FILE", help="only these numbers (default: all pending)"
    )
    _add_run_args(resume)
    resume.set_defaults(func=run, action="resume", min_age=None, create=False, _parser=resume)

    status = psub.add_parser("status", help="counts per state, and the numbers that need attention")
    _add_vault_args(status)
    _add_sandbox_default(status)
    status.set_defaults(func=run, action="status", _parser=status)

    show = psub.add_parser("show", help="one number's state; --reveal prints its PIN")
    show.add_argument("phone_number_id")
    show.add_argument(
        "--reveal", action="store_true", help="print the PIN itself (the only command that does)"
    )
    _add_vault_args(show)
    _add_sandbox_default(show)
    show.set_defaults(func=run, action="show", _parser=show)

    keygen = psub.add_parser(
        "keygen",
        help="make a new vault key: --out FILE writes it with mode 0600",
        description=(
            "Make a new vault key. Keep it safe: without it no PIN in the vault can be read.\n"
            "--out FILE writes it to a new file of mode 0600 (never overwriting one); store a copy\n"
            "in your secrets manager and pass --key-file FILE (or META_PIN_KEY) to every command."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    keygen.add_argument(
        "--out", default=None, metavar="FILE", help="write the key to FILE (mode 0600, refuses to overwrite)"
    )
    keygen.set_defaults(func=run, action="keygen", _parser=keygen)


def _add_sandbox_default(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sandbox", action="store_true", help=f"read the sandbox runs' vault (default {SANDBOX_VAULT})"
    )


# -- running ----------------------------------------------------------------------------------


def _err(message: str) -> None:
    sys.stderr.write(f"meta-cloud-async pins: {message}\n")
    sys.stderr.flush()


class _Terminated(Exception):
    """SIGTERM arrived: the command was cancelled like a Ctrl-C."""


def run(args: argparse.Namespace) -> int:
    from ..rotation import MissingCryptographyError, VaultError, WrongKeyError

    try:
        if args.action == "keygen":
            return _keygen(args)
        return _run_bounded(_dispatch(args))
    except InputError as exc:
        _err(str(exc))
        return 2
    except MissingCryptographyError:
        _err(_VAULT_EXTRA)
        return 2
    except (VaultError, WrongKeyError) as exc:
        _err(_one_line(str(exc)))
        return 2
    except (KeyboardInterrupt, _Terminated) as exc:
        name = "SIGTERM" if isinstance(exc, _Terminated) else "interrupted"
        if args.action in ("rotate", "resume"):
            _err(f"{name}: numbers in flight stay pending in the vault; `pins resume` settles them")
        elif isinstance(exc, _Terminated):
            _err("stopped by SIGTERM")
        return EXIT_SIGTERM if isinstance(exc, _Terminated) else 130


def _keygen(args: argparse.Namespace) -> int:
    """A new key, in a new 0600 file with ``--out``; on stdout only with a warning on stderr."""
    from ..rotation import generate_key, key_fingerprint, load_key

    key = generate_key()
    fingerprint = key_fingerprint(load_key(key))
    if args.out is None:
        _err(
            "warning: this key is the only way to read the vault's PINs; it is shown once and kept "
            "nowhere. Store it in a secrets manager now (or use `pins keygen --out FILE`), "
            f"never only in a shell variable. Fingerprint: {fingerprint}"
        )
        sys.stdout.write(key + "\n")
        sys.stdout.flush()
        return 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(args.out, flags, 0o600)
    except FileExistsError:
        raise InputError(f"--out {args.out} already exists: refusing to overwrite a key") from None
    except OSError as exc:
        raise InputError(f"cannot create the key file {args.out}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), 0o600)  # exactly 0600, whatever the umask
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    sys.stdout.write(
        f"wrote a new vault key to {args.out} (mode 0600, fingerprint {fingerprint}).\n"
        "Keep a copy in your secrets manager: without it no PIN in the vault can be read.\n"
        f"Use it with --key-file {args.out} (or export META_PIN_KEY from your secrets manager).\n"
    )
    return 0


_EXIT_GRACE = 3.0
"""Real seconds tasks still running when the command is done get to finish their cancellation."""


def _run_bounded(main: Coroutine[Any, Any, int]) -> int:
    """``asyncio.run``, except that leftover tasks cannot keep the process alive.

    ``asyncio.run`` cancels leftover tasks and then waits for them without a
    bound: one task that swallows its cancellation (a cancel landing inside a
    library's ``wait_for`` on a stalled Redis) would hang the CLI for good.
    Here they get :data:`_EXIT_GRACE` seconds, then the loop is closed anyway.
    """
    loop = asyncio.new_event_loop()
    terminated = False
    try:
        asyncio.set_event_loop(loop)
        task = loop.create_task(main)

        def on_sigterm() -> None:
            # Like Ctrl-C: the run is cancelled, so numbers in flight stay pending and the vault closes.
            nonlocal terminated
            terminated = True
            task.cancel()

        with contextlib.suppress(NotImplementedError, ValueError, RuntimeError):  # Windows; not main thread
            loop.add_signal_handler(signal.SIGTERM, on_sigterm)
        try:
            return loop.run_until_complete(task)
        except asyncio.CancelledError:
            if terminated:
                raise _Terminated() from None
            raise
    finally:
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signal.SIGTERM)
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=_EXIT_GRACE))
            left = [t for t in pending if not t.done()]
            if left:
                _err(f"warning: {len(left)} tasks did not stop after the run; exiting anyway")
            for task in pending:
                if task.done() and not task.cancelled():
                    task.exception()  # retrieved: no "never retrieved" noise at exit
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), _EXIT_GRACE))
        except (Exception, KeyboardInterrupt):  # best effort: never hide the command's own outcome
            pass
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


async def _dispatch(args: argparse.Namespace) -> int:
    if args.action == "init":
        return await _init(args)
    if args.action in ("rotate", "resume"):
        return await _rotate(args)
    if args.action == "status":
        return await _status(args)
    return await _show(args)


def _key(args: argparse.Namespace) -> bytes:
    """The vault key: from ``--key-file`` if given, else ``META_PIN_KEY``; messages never echo it."""
    from ..rotation import ENV_PIN_KEY, load_key

    path = getattr(args, "key_file", None)
    if path is not None:
        try:
            with open(path, "rb") as handle:
                st = os.fstat(handle.fileno())
                text = handle.read(4097)
        except OSError as exc:
            raise InputError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
        if len(text) > 4096:
            raise InputError(f"the key file {path} is too large to be a vault key")
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            _err(
                f"warning: the key file {path} is readable by others (mode {st.st_mode & 0o777:o}); chmod 600 it"
            )
        try:
            return load_key(text.decode("ascii", "replace").strip())
        except ValueError as exc:
            raise InputError(f"the key file {path}: {exc}") from None
    if not os.environ.get(ENV_PIN_KEY):
        raise InputError(
            f"a vault key is required: pass --key-file FILE or set {ENV_PIN_KEY} "
            "(a new vault's key comes from `meta-cloud-async pins keygen --out FILE`)"
        )
    try:
        return load_key(None)
    except ValueError as exc:
        raise InputError(f"{ENV_PIN_KEY}: {exc}") from None


def _vault_settings(args: argparse.Namespace) -> None:
    """Check the vault flags (before anything is opened) and store them parsed on ``args``."""
    args.lock_timeout_s = _duration_flag(args.lock_timeout, "--lock-timeout", low=0.0, high=3600.0)
    args.redis_timeout_s = _duration_flag(args.redis_timeout, "--redis-timeout", low=0.001, high=600.0)
    if args.redis is not None:
        scheme = urlsplit(args.redis).scheme if "://" in args.redis else ""
        if scheme not in ("redis", "rediss", "unix"):
            raise InputError("--redis must be a redis://, rediss:// or unix:// URL")
    else:
        if args.vault is None:
            args.vault = SANDBOX_VAULT if getattr(args, "sandbox", False) else DEFAULT_VAULT
        vault = Path(args.vault)
        if not args.vault or "\x00" in args.vault:
            raise InputError("--vault must be a file name")
        if vault.is_dir():
            raise InputError(f"--vault {args.vault} is a directory; name a file in it")


def _make_vault(
    args: argparse.Namespace, key: bytes, *, read_only: bool = False, create: bool = True
) -> Vault:
    from ..rotation import SqliteVault

    try:
        if args.redis:
            try:
                from ..rotation.redis_vault import RedisVault
            except ImportError:  # pragma: no cover - only without the extra
                raise InputError(
                    "--redis needs the redis package: pip install 'meta-cloud-async[redis]'"
                ) from None
            return RedisVault(
                args.redis,
                key=key,
                prefix=args.redis_prefix,
                connect_timeout=args.redis_timeout_s,
                create=create and not read_only,
            )
        if not (create and not read_only) and not os.path.lexists(args.vault):
            raise InputError(_missing_vault(args.vault))
        # Runs say which kind of vault they need; status and show read either kind.
        sandbox = bool(args.sandbox) if args.action in ("init", "rotate", "resume") else None
        return SqliteVault(
            args.vault,
            key=key,
            read_only=read_only,
            create=create,
            busy_timeout=args.lock_timeout_s,
            sandbox=sandbox,
        )
    except (ValueError, TypeError) as exc:
        raise InputError(_one_line(str(exc))) from None


def _missing_vault(path: str) -> str:
    return (
        f"no vault at {path}: check the path for a typo, or create a new vault with "
        f"`meta-cloud-async pins init --vault {path}` (or `pins rotate --create`)"
    )


def _refuse_existing(args: argparse.Namespace) -> None:
    if args.redis is None and os.path.lexists(args.vault):
        raise InputError(f"--vault {args.vault} already exists: `pins init` only creates new vaults")


async def _init(args: argparse.Namespace) -> int:
    """Create an empty vault, and only that: an existing file is refused, not reused."""
    from ..rotation import NoVaultError

    _vault_settings(args)
    _refuse_existing(args)
    key = _key(args)
    if args.redis is not None:  # a Redis prefix has no file to test: look for a vault there first
        probe = _make_vault(args, key, create=False)
        try:
            await _open(probe)
        except NoVaultError:
            pass
        else:
            raise InputError(
                f"there is already a vault at {probe.location}: `pins init` only creates new vaults"
            )
        finally:
            await probe.aclose()
    vault = _make_vault(args, key, create=True)
    try:
        await _open(vault)
    finally:
        await vault.aclose()
    identity = getattr(vault, "identity", None)
    sys.stdout.write(f"created the vault {vault.location}\n")
    if identity is not None:
        sys.stdout.write(identity.describe() + "\n")
    return 0


async def _open(vault: Vault) -> None:
    opener = getattr(vault, "open", None)
    if opener is not None:
        await opener()
    for warning in getattr(vault, "warnings", ()):
        _err(f"warning: {warning}")


def _redis_store(args: argparse.Namespace) -> tuple[Any, Any]:
    """The shared rate-limit store and its client, with timeouts: a stalled Redis fails calls, never hangs them."""
    import redis.asyncio as aioredis

    from ..middleware.redis_store import RedisBucketStore

    timeout = args.redis_timeout_s
    client = aioredis.Redis.from_url(args.redis, socket_connect_timeout=timeout, socket_timeout=timeout * 3)
    return RedisBucketStore(client=client, prefix=args.redis_prefix + ":rl"), client


@contextlib.asynccontextmanager
async def _client(args: argparse.Namespace, store: Any) -> AsyncIterator[WhatsApp]:
    from .._client import WhatsApp
    from ..middleware.rate_limit import RateLimitPolicy
    from ..middleware.total_rate import TotalRateMiddleware

    middleware = [TotalRateMiddleware(args.rate, burst=1.0, store=store)] if args.rate else []
    # With Redis, the client's own buckets and throttle holds are shared by every worker too.
    rate_limit = RateLimitPolicy(store=store) if store is not None else RateLimitPolicy()
    if args.sandbox:
        from ..sandbox import Sandbox

        sandbox = Sandbox(phone_numbers=args.sandbox_numbers, seed=args.seed)
        args.embedded_sandbox = sandbox
        wa = WhatsApp(
            access_token=sandbox.access_token,
            base_url="http://sandbox.invalid",
            transport=sandbox.transport(),
            middleware=middleware,
            rate_limit=rate_limit,
        )
    else:
        token = os.environ.get(ENV_TOKEN)
        if not token:
            raise InputError(f"set {ENV_TOKEN} to the Graph access token (or use --sandbox)")
        try:
            wa = WhatsApp(
                access_token=token, base_url=args.base_url, middleware=middleware, rate_limit=rate_limit
            )
        except (ValueError, TypeError) as exc:
            raise InputError(_one_line(str(exc))) from None
    async with wa:
        yield wa


def _check_base_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port out of range
    except ValueError as exc:
        raise InputError(f"--base-url is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("--base-url must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise InputError("--base-url must not contain credentials (the token goes in CLOUD_API_ACCESS_TOKEN)")
    if port == 0 or any(c.isspace() or ord(c) < 32 for c in url):
        raise InputError("--base-url has a zero port or control characters")


def _check_report_path(path: str) -> None:
    """The report must be writable before the run starts, so a finished run cannot lose it."""
    target = Path(path)
    if target.suffix.lower() not in (".json", ".csv"):
        raise InputError("--report must end in .json or .csv")
    if target.is_dir():
        raise InputError(f"--report {path} is a directory")
    existed = target.exists()
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"cannot write the report {path}: {exc.strerror or exc}") from None
    os.close(fd)
    if not existed:
        with contextlib.suppress(OSError):
            target.unlink()


def _check_run_args(args: argparse.Namespace) -> None:
    _vault_settings(args)
    if not 1 <= args.concurrency <= 10_000:
        raise InputError("--concurrency must be within 1..10000")
    if args.rate is not None and not (math.isfinite(args.rate) and 0.01 <= args.rate <= 1e6):
        raise InputError("--rate must be within 0.01..1000000 requests per second")
    if not 1 <= args.max_attempts <= 100:
        raise InputError("--max-attempts must be within 1..100")
    args.claim_ttl_s = _duration_flag(args.claim_ttl, "--claim-ttl", low=1.0, high=_WEEK)
    args.claim_wait_s = (
        None
        if args.claim_wait is None
        else _duration_flag(args.claim_wait, "--claim-wait", low=0.0, high=_WEEK)
    )
    if args.base_url and args.sandbox:
        raise InputError("use either --sandbox or --base-url, not both")
    if getattr(args, "sandbox_numbers", None) is not None and not 0 <= args.sandbox_numbers <= 1_000_000:
        raise InputError("--sandbox-numbers must be >= 0 (and at most 1000000)")
    if args.base_url:
        _check_base_url(args.base_url)
    if args.report:
        _check_report_path(args.report)


async def _rotate(args: argparse.Namespace) -> int:
    from ..rotation import NoVaultError, PinState, VaultError, rotate_pins

    _check_run_args(args)
    total: int | None = None
    if args.numbers is not None:
        total = read_numbers(args.numbers)
    elif args.action == "rotate" and not args.sandbox:
        raise InputError("pins rotate needs --numbers FILE (one phone number id per line)")
    min_age = (
        _duration_flag(args.min_age, "--min-age", low=0.0, high=100 * 365 * 86400.0)
        if args.min_age is not None
        else (3600.0 if args.redis else None)
    )
    if not args.sandbox and not os.environ.get(ENV_TOKEN):
        raise InputError(f"set {ENV_TOKEN} to the Graph access token (or use --sandbox)")
    key = _key(args)
    # A vault is created only when asked (--create) or for a sandbox run; resume never creates one.
    create = args.action == "rotate" and (args.create or args.sandbox)
    vault = _make_vault(args, key, create=create)
    store: Any = None
    store_client: Any = None
    report: RotationReport | None = None
    try:
        try:
            await _open(vault)
        except NoVaultError as exc:
            # Not "nothing pending": there is nothing to read, and a run may have used a vault here.
            hint = (
                "create one with `pins rotate --create`" if args.action == "rotate" else "nothing was resumed"
            )
            raise InputError(f"{_one_line(str(exc))}; {hint}") from None
        if args.redis:
            store, store_client = _redis_store(args)
        async with _client(args, store) as wa:
            ids: Any
            if args.numbers is not None:
                ids = _iter_numbers(args.numbers)
            elif args.action == "resume":
                corrupt: list[str] = []
                ids = [
                    r.phone_number_id async for r in _records(vault, corrupt) if r.state is PinState.PENDING
                ]
                total = len(ids)
                for line in corrupt[:_SHOW_AT_MOST]:
                    _err(f"skipped {line}")
                if not ids:
                    if corrupt:
                        _err(f"{len(corrupt)} corrupt records could not be read; they are not settled")
                        return 1
                    sys.stdout.write("nothing pending: every number's PIN in the vault is in effect\n")
                    return 0
            else:
                ids = args.embedded_sandbox.phone_number_ids
                total = len(ids)
            label = "resuming" if args.action == "resume" else ("dry run" if args.dry_run else "rotating")
            stream: TextIO = io.StringIO() if args.quiet else sys.stdout
            with ProgressDisplay(total, stream=stream, label=label) as display, _setup_frozen():
                try:
                    report = await rotate_pins(
                        wa,
                        ids,
                        vault=vault,
                        concurrency=args.concurrency,
                        min_age=min_age,
                        dry_run=args.dry_run,
                        resume_only=args.action == "resume",
                        on_progress=display.update,
                        total=total,
                        max_attempts=args.max_attempts,
                        claim_ttl=args.claim_ttl_s,
                        claim_wait=args.claim_wait_s,
                    )
                except VaultError as exc:
                    if exc.report is not None:
                        _write_partial(args, exc.report)
                    raise
    finally:
        with contextlib.suppress(Exception):
            await vault.aclose()
        if store_client is not None:
            with contextlib.suppress(Exception):
                await store_client.aclose()
    return _finish(args, report)


@contextlib.contextmanager
def _setup_frozen() -> Iterator[None]:
    """Keep what exists before the run (client, vault, an embedded sandbox's numbers) out of the collector.

    The command owns this process: objects made during setup live for the
    whole run, and every full collection would walk them again, stalling the
    event loop longer the bigger the setup (an embedded sandbox of 100,000
    numbers: hundreds of milliseconds). Unfrozen afterwards, so a caller
    running the CLI in its own process gets its collector back as it was (a process that froze
    objects of its own is left alone: unfreezing would thaw those too).
    """
    if gc.get_freeze_count():
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write_partial(args: argparse.Namespace, report: RotationReport) -> None:
    """A run a vault failure aborted: say what it did, and keep the report the user asked for."""
    sys.stdout.write(report.summary() + "\n")
    if args.report:
        try:
            path = report.write(args.report)
        except OSError as exc:
            _err(f"cannot write the partial report {args.report}: {exc.strerror or exc}")
        else:
            sys.stdout.write(f"partial report written to {path}\n")
    sys.stdout.flush()


async def _records(vault: Vault, corrupt: list[str]) -> AsyncIterator[Any]:
    """The vault's records; corrupt ones are described in ``corrupt`` instead of stopping the listing."""
    from ..rotation import CorruptRecordError

    def note(exc: CorruptRecordError) -> None:
        corrupt.append(f"{exc.phone_number_id}: corrupt record ({exc.reason})")

    records: Any = vault.records
    try:
        iterator = records(on_corrupt=note)
    except TypeError:  # a vault of the user's own without on_corrupt
        iterator = records()
    async for record in iterator:
        yield record


def _finish(args: argparse.Namespace, report: RotationReport) -> int:
    out = sys.stdout
    out.write(report.summary() + "\n")
    failed = [o for o in report.outcomes if o.outcome.value == "failed"]
    for o in failed[:_SHOW_AT_MOST]:
        out.write(f"  failed {o.phone_number_id}: {o.error_type}: {o.error} [{o.detail}]\n")
    if len(failed) > _SHOW_AT_MOST:
        out.write(f"  ... and {len(failed) - _SHOW_AT_MOST} more (see --report)\n")
    unsettled = report.unsettled
    if unsettled:
        shown = ", ".join(unsettled[:_SHOW_AT_MOST])
        out.write(f"  not handled by this run (claims lost or held elsewhere): {shown}\n")
    if args.report:
        path = report.write(args.report)
        out.write(f"report written to {path}\n")
    if report.rotated and not args.dry_run:
        where = report.pin_location
        if args.key_file:  # the hint stays pasteable: it names the key file this run used
            where = where.replace(" --reveal`", f" --key-file {args.key_file} --reveal`")
        out.write(where + "\n")
    out.flush()
    return 0 if report.ok and not unsettled else 1


async def _status(args: argparse.Namespace) -> int:
    from ..rotation import PinState

    _vault_settings(args)
    vault = _make_vault(args, _key(args), read_only=True)
    # Asked before opening (see SqliteVault.in_use); a Redis vault's workers cannot be seen this way.
    in_use = getattr(vault, "in_use", None)
    live = bool(in_use()) if in_use is not None else False
    corrupt: list[str] = []
    try:
        await _open(vault)
        counts = {"current": 0, "pending": 0, "flagged": 0, "never": 0}
        attention: list[str] = []
        errors = 0
        async for record in _records(vault, corrupt):
            if record.state is PinState.CURRENT and record.current is None:
                counts["never"] += 1  # a first rotation that was refused: no PIN of ours is in effect
            else:
                counts[record.state.value] += 1
            counts["flagged"] += int(record.flagged)
            if record.last_error:
                errors += 1
            if record.state is PinState.PENDING and len(attention) < _SHOW_AT_MOST:
                lookup = record.lookup()
                attention.append("  " + lookup.describe())
    finally:
        await vault.aclose()
    total = counts["current"] + counts["pending"] + counts["never"] + len(corrupt)
    out = sys.stdout
    out.write(f"vault: {vault.location}\n")
    identity = getattr(vault, "identity", None)
    if identity is not None:
        out.write(identity.describe() + "\n")
    line = (
        f"{total} numbers: {counts['current']} current, {counts['pending']} pending "
        f"({counts['flagged']} flagged), {counts['never']} never rotated, {errors} with a recorded error"
    )
    if corrupt:
        line += f", {len(corrupt)} CORRUPT"
    out.write(line + "\n")
    if live:
        out.write(
            "a rotation is in progress on this vault (it holds the lock): pending numbers are its work\n"
        )
        if attention:
            out.write(
                "pending now:\n" + "\n".join(attention) + "\n"
                "after it ends, if any stay pending: "
                f"`meta-cloud-async pins resume {_vault_flags(args, vault)}`\n"
            )
    elif attention:
        out.write(
            f"needs attention (run `meta-cloud-async pins resume {_vault_flags(args, vault)}`):\n"
            + "\n".join(attention)
            + "\n"
        )
    if corrupt:
        out.write("corrupt records (unreadable; repair or remove them by hand):\n")
        out.write("".join(f"  {c}\n" for c in corrupt[:_SHOW_AT_MOST]))
        if len(corrupt) > _SHOW_AT_MOST:
            out.write(f"  ... and {len(corrupt) - _SHOW_AT_MOST} more\n")
        return 1
    return 0


def _vault_flags(args: argparse.Namespace, vault: Vault) -> str:
    """The flags that name this vault and key, for a command the user can paste."""
    flags = getattr(vault, "cli_args", None) or f"--vault {vault.location}"
    if getattr(args, "key_file", None):
        flags += f" --key-file {args.key_file}"
    return flags


async def _show(args: argparse.Namespace) -> int:
    from ..rotation import CorruptRecordError

    pid = args.phone_number_id.strip()
    if not (is_ascii_digits(pid) and len(pid) <= 32):
        raise InputError(f"not a phone number id: {pid[:40]!r}")
    _vault_settings(args)
    vault = _make_vault(args, _key(args), read_only=True)
    try:
        await _open(vault)
        try:
            record = await vault.load(pid)
        except CorruptRecordError as exc:
            _err(
                f"{pid}: corrupt record in the vault {vault.location} ({exc.reason}); no PIN can be read from it"
            )
            return 1
    finally:
        await vault.aclose()
    out = sys.stdout
    if record is None:
        _err(f"{pid} is not in the vault {vault.location}")
        return 1
    lookup = record.lookup()
    out.write(lookup.describe() + "\n")
    out.write(f"attempts: {record.attempts}")
    if record.rotated_at:
        out.write(f", last rotated {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(record.rotated_at))} UTC")
    out.write("\n")
    if record.last_error:
        out.write(f"last error: {record.last_error}\n")
    if not args.reveal:
        out.write("(add --reveal to print the PIN)\n")
        return 0
    if lookup.certain:
        out.write(f"PIN: {lookup.pin}\n")
    else:
        for label, pin in zip(
            ("pending PIN (likely in effect)", "previous PIN"), lookup.candidates, strict=False
        ):
            out.write(f"{label}: {pin}\n")
    return 0
