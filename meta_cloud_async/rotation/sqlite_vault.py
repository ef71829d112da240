"""The default vault: one SQLite file, encrypted PINs, group-committed writes.

Durability: WAL with ``synchronous=FULL``, so a commit is fsynced before
``save`` returns. Throughput: every load and save queued while the previous
batch was on disk runs in the next single transaction (group commit), so
thousands of concurrent rotations cost a few fsyncs a second, not one each.
All SQLite work happens on one private thread; the event loop only appends to
a list and awaits a future.

One process at a time: opening takes an exclusive ``flock`` on the vault file
itself (its inode, so a symlink or another name for the file meets the same
lock), and a vault with more than one hard link is refused (SQLite would keep
a separate ``-wal`` per name). A file another program holds locked
(``BEGIN EXCLUSIVE``) is reported as :class:`VaultLockedError`.

Tables are created only in a new or empty file; any other database must carry
the vault's own marker, so ``--vault other-app.db`` cannot turn another
application's database into a vault. A new file is created with mode 0600
(SQLite gives its ``-wal`` and ``-shm`` the same mode), and never in a missing
directory: a mistyped path fails instead of starting a second vault.

The vault records its key's fingerprint (:func:`key_fingerprint`), so a wrong
key is told which key the vault expects, and whether it is a sandbox vault, so
fake sandbox PINs and real ones never share a file.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ._crypto import PinCipher, WrongKeyError, load_key
from .records import PinRecord, PinState
from .vault import (
    BaseVault,
    CorruptRecordError,
    NoVaultError,
    VaultError,
    VaultIdentity,
    VaultLockedError,
    check_seconds,
)

try:  # pragma: no cover - platform dependent
    import fcntl as _fcntl
except ImportError:  # pragma: no cover
    _fcntl = None  # type: ignore[assignment]

__all__ = ["SqliteVault"]

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pins (
    phone_number_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    current BLOB,
    previous BLOB,
    pending BLOB,
    flagged INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at REAL NOT NULL,
    rotated_at REAL,
    pending_since REAL
);
"""
_UPSERT = (
    "INSERT OR REPLACE INTO pins (phone_number_id, state, current, previous, pending, flagged, attempts, "
    "last_error, updated_at, rotated_at, pending_since) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
_SELECT = (
    "SELECT phone_number_id, state, current, previous, pending, flagged, attempts, last_error, updated_at, "
    "rotated_at, pending_since FROM pins"
)
_SCHEMA_VERSION = b"1"
_MARKER = b"meta-cloud-async pin vault"
"""The ``meta`` row (key ``kind``) that says "this file is a PIN vault"."""
_MAX_BATCH = 512
_WAKE_CHUNK = 16
"""Callers woken per loop iteration after a group commit (each runs up to its next await)."""
_HELD: set[tuple[int, int]] = set()
"""(st_dev, st_ino) of the vault files this process holds: a second open here must not touch the file,
since closing any descriptor of it would drop the first connection's POSIX locks."""


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class SqliteVault(BaseVault):
    """PINs in a local SQLite file, encrypted with AES-GCM.

    ``key`` is the URL-safe base64 key (or 32 raw bytes); ``None`` reads
    ``META_PIN_KEY``. The file is created on first open with a canary row
    encrypted under the key, so a wrong key fails at open with
    :class:`WrongKeyError` instead of producing garbage later.
    ``read_only`` opens without the process lock (for ``pins status`` while a
    rotation runs) and refuses to save. ``create=False`` refuses to start a
    new vault (``pins resume`` on a missing vault must say so, not report
    "nothing pending"). ``busy_timeout`` is how long to wait for a lock
    another program holds before :class:`VaultLockedError`. ``sandbox=True``
    creates (or requires) a vault marked for sandbox runs, ``False`` requires
    an unmarked one, ``None`` accepts either.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        key: str | bytes | None = None,
        read_only: bool = False,
        create: bool = True,
        busy_timeout: float = 2.0,
        sandbox: bool | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        if not str(path) or "\x00" in str(path):
            raise ValueError("path must be a non-empty file name without NUL")
        for name, flag in (("read_only", read_only), ("create", create)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
        if sandbox is not None and not isinstance(sandbox, bool):
            raise TypeError(f"sandbox must be a bool or None, got {type(sandbox).__name__}")
        self._sandbox = sandbox
        self.path = Path(path)
        self._cipher = PinCipher(load_key(key))
        self._read_only = read_only
        self._create = create and not read_only
        self._busy_timeout = check_seconds(busy_timeout, "busy_timeout", low=0.0, high=3600.0)
        self.identity: VaultIdentity | None = None
        """Set once open: this vault's id, creation time and generation."""
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._inode: tuple[int, int] | None = None
        self._open_lock = asyncio.Lock()
        self._queue: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._flushing = False
        self._flush_task: asyncio.Task[None] | None = None
        self._closed = False
        self.commits = 0
        """How many transactions were written (for measuring the group commit)."""

    def __repr__(self) -> str:
        return f"SqliteVault({str(self.path)!r})"

    @property
    def location(self) -> str:
        """The database file's path."""
        return str(self.path)

    @property
    def cli_args(self) -> str:
        """The CLI flags that name this vault (for pasteable hints)."""
        return f"--vault {self.path}"

    def in_use(self) -> bool:
        """Whether a writer (a rotation or resume) holds this vault now; call it before opening.

        Tests the writer's ``flock`` with a shared, non-blocking lock released
        at once (a writer starting in that instant sees the vault in use, like
        any other reader racing it). Before opening, because closing a
        descriptor of the file would drop this process's SQLite locks on it.
        """
        real = os.path.realpath(self.path)
        try:
            st = os.stat(real)
        except OSError:
            return False
        if (st.st_dev, st.st_ino) in _HELD:
            return True
        if _fcntl is None:  # pragma: no cover - no flock on this platform
            return False
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
        except OSError:
            return False
        try:
            _fcntl.flock(fd, _fcntl.LOCK_SH | _fcntl.LOCK_NB)
        except OSError:
            return True
        else:
            _fcntl.flock(fd, _fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)

    # -- opening --------------------------------------------------------------------

    def open_sync(self) -> None:
        """Open now (creating the file if allowed): raises the clear errors early."""
        if self._conn is not None:
            return
        if self._closed:
            raise VaultError("this vault is closed")
        real = os.path.realpath(self.path)
        if not os.path.exists(real) and (self._read_only or not self._create):
            raise NoVaultError(f"no vault at {self.path}")
        lock_fd, empty = self._take_process_lock(real)
        try:
            conn = self._connect(real, empty)
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
                self._forget_inode()
            raise
        self._conn = conn
        self._lock_fd = lock_fd
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pin-vault")

    async def open(self) -> SqliteVault:
        """Open the file off the event loop (``open_sync`` in a thread) and return the vault; ``async with`` does this."""
        async with self._open_lock:
            if self._conn is None:
                await asyncio.to_thread(self.open_sync)
        return self

    def _take_process_lock(self, real: str) -> tuple[int | None, bool]:
        """Lock the vault file itself (not a name for it); returns the descriptor and whether it is empty.

        The lock follows the inode, so ``v.db`` and a symlink to it meet the
        same lock. A second hard link is refused outright: SQLite keeps a
        ``-wal`` per name, and two names would be two vaults on one file.
        ``flock`` and SQLite's own POSIX locks do not interfere on one file.
        """
        try:
            if self._read_only:
                # stat, not open: closing a descriptor would drop this process's SQLite locks on the file.
                return None, self._check_file(os.stat(real)).st_size == 0
            try:
                before: os.stat_result | None = os.stat(real)
            except FileNotFoundError:
                before = None
            if before is not None and (before.st_dev, before.st_ino) in _HELD:
                raise VaultLockedError(
                    f"the vault {self.path} is in use by another process (or already open in this one)"
                )
            if not self._create and before is None:
                raise NoVaultError(f"no vault at {self.path}")
            if before is None and not Path(real).parent.is_dir():
                raise NoVaultError(
                    f"cannot create the vault {self.path}: the directory {Path(real).parent} does not exist"
                )
            flags = os.O_RDWR | (os.O_CREAT if self._create else 0) | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(real, flags | getattr(os, "O_NOCTTY", 0), 0o600)
        except OSError as exc:
            raise VaultError(f"cannot open the vault {self.path}: {exc.strerror or exc}") from None
        try:
            st = self._check_file(os.fstat(fd))
            if _fcntl is not None:
                try:
                    _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
                except OSError:
                    raise VaultLockedError(
                        f"the vault {self.path} is in use by another process; wait for it to finish or stop it"
                    ) from None
                now = os.stat(real)
                if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):  # replaced while we opened it
                    raise VaultLockedError(f"the vault {self.path} was replaced while being opened; retry")
        except BaseException:
            os.close(fd)
            raise
        self._inode = (st.st_dev, st.st_ino)
        _HELD.add(self._inode)
        return fd, st.st_size == 0

    def _check_file(self, st: os.stat_result) -> os.stat_result:
        if not stat.S_ISREG(st.st_mode):
            raise VaultError(f"cannot use {self.path} as a vault: not a regular file")
        if st.st_nlink > 1:
            raise VaultError(
                f"the vault {self.path} has {st.st_nlink} hard links: refusing it, since a rotation "
                "through another name would not see this one's lock; remove the extra names"
            )
        return st

    def _connect(self, real: str, empty_file: bool) -> sqlite3.Connection:
        try:
            if self._read_only:
                conn = sqlite3.connect(
                    Path(real).as_uri() + "?mode=ro",
                    uri=True,
                    timeout=self._busy_timeout,
                    check_same_thread=False,
                    isolation_level=None,
                )
            else:
                conn = sqlite3.connect(
                    real, timeout=self._busy_timeout, check_same_thread=False, isolation_level=None
                )
        except sqlite3.Error as exc:
            raise VaultError(f"cannot open the vault {self.path}: {exc}") from None
        try:
            kind = "empty" if empty_file else self._inspect(conn)
            if kind == "foreign":
                raise VaultError(
                    f"{self.path} is not a PIN vault (a database without the vault's marker): refusing "
                    "to add tables to it; pick a new file for the vault"
                )
            if kind == "empty" and not self._create:
                raise NoVaultError(f"no vault at {self.path} (the file is empty: no vault was created in it)")
            if not self._read_only:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                if kind == "empty":
                    self._create_schema(conn)
                # Take the write lock once now, so a file someone else holds fails here, not mid-run.
                conn.execute("BEGIN IMMEDIATE")
                self._check_key(conn)
                self._bump_generation(conn)
                conn.execute("COMMIT")
            else:
                self._check_key(conn)
                self.identity = self._read_identity(conn)
        except sqlite3.OperationalError as exc:
            conn.close()
            if _is_locked(exc):
                raise VaultLockedError(
                    f"the vault {self.path} is locked by another program (waited {self._busy_timeout:g} s)"
                ) from None
            raise VaultError(f"cannot use the vault {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise VaultError(f"{self.path} is not a PIN vault: {exc}") from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _inspect(self, conn: sqlite3.Connection) -> str:
        """``empty`` (no tables), ``vault`` (our marker, or a canary from before the marker) or ``foreign``."""
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return "empty"
        if not {"meta", "pins"} <= tables:
            return "foreign"
        try:
            rows = dict(
                conn.execute("SELECT key, value FROM meta WHERE key IN ('kind', 'canary')").fetchall()
            )
        except sqlite3.OperationalError:  # a `meta` table of another shape
            return "foreign"
        kind = rows.get("kind")
        if kind is not None:
            return "vault" if bytes(kind) == _MARKER else "foreign"
        return "vault" if "canary" in rows else "foreign"

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        rows = (
            ("kind", _MARKER),
            ("schema", _SCHEMA_VERSION),
            ("canary", self._cipher.canary()),
            ("vault_id", uuid.uuid4().hex.encode()),
            ("created_at", repr(time.time()).encode()),
            ("generation", b"0"),
            ("key_fingerprint", self._cipher.fingerprint.encode()),
            *((("sandbox", b"1"),) if self._sandbox else ()),
        )
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", rows)
        conn.execute("COMMIT")

    def _check_key(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM meta WHERE key='canary'").fetchone()
        if row is None:
            raise VaultError(f"{self.path} is not a PIN vault (no key canary)")
        try:
            self._cipher.check_canary(bytes(row[0]))
        except WrongKeyError:
            found = conn.execute("SELECT value FROM meta WHERE key='key_fingerprint'").fetchone()
            expected = (
                f"the key with fingerprint {bytes(found[0]).decode('ascii', 'replace')}"
                if found is not None
                else "the key it was created with"
            )
            raise WrongKeyError(
                f"wrong key for the vault {self.path}: it expects {expected}, this key's fingerprint is "
                f"{self._cipher.fingerprint} (pass the right one with --key-file FILE or META_PIN_KEY)"
            ) from None

    def _read_identity(self, conn: sqlite3.Connection) -> VaultIdentity:
        rows = {k: bytes(v) for k, v in conn.execute("SELECT key, value FROM meta").fetchall()}
        try:
            created = float(rows["created_at"]) if "created_at" in rows else None
            generation = int(rows.get("generation", b"0"))
        except ValueError:
            raise VaultError(f"{self.path}: the vault's identity rows are damaged") from None
        vault_id = rows["vault_id"].decode("ascii", "replace") if "vault_id" in rows else None
        fingerprint = (
            rows["key_fingerprint"].decode("ascii", "replace") if "key_fingerprint" in rows else None
        )
        identity = VaultIdentity(
            vault_id, created, generation, key_fingerprint=fingerprint, sandbox=rows.get("sandbox") == b"1"
        )
        if self._sandbox is not None and identity.sandbox != self._sandbox:
            if identity.sandbox:
                raise VaultError(
                    f"{self.path} is a sandbox vault (fake PINs of an embedded sandbox): "
                    "use another vault for real numbers"
                )
            raise VaultError(f"{self.path} holds real PINs: sandbox runs must use their own vault")
        return identity

    def _bump_generation(self, conn: sqlite3.Connection) -> None:
        """Inside the open transaction: stamp the marker (older vaults lack it) and count this writer."""
        identity = self._read_identity(conn)
        writes: list[tuple[str, bytes]] = [
            ("kind", _MARKER),
            ("generation", str(identity.generation + 1).encode()),
        ]
        if identity.vault_id is None:
            writes.append(("vault_id", uuid.uuid4().hex.encode()))
        if identity.key_fingerprint is None:  # vaults from before fingerprints: the key was just checked
            writes.append(("key_fingerprint", self._cipher.fingerprint.encode()))
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", writes)
        self.identity = self._read_identity(conn)

    # -- the one thread that touches SQLite -------------------------------------------------

    async def _submit(self, op: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            await self.open()
        return await self._enqueue(op)

    def _enqueue(self, op: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue ``op`` for the next group commit; the future is its result (the vault must be open).

        ``load`` and ``save`` await this future themselves: every number waits on the vault
        three times, and a ``_submit`` frame between them would be one more to resume each time.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((op, future))
        if not self._flushing:
            self._flushing = True
            self._flush_task = loop.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                # Capped, so one huge burst cannot hold the GIL on the vault thread for long.
                batch, self._queue = self._queue[:_MAX_BATCH], self._queue[_MAX_BATCH:]
                assert self._executor is not None
                try:
                    results = await loop.run_in_executor(self._executor, self._run_batch, batch)
                except BaseException as exc:
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc if isinstance(exc, Exception) else VaultError(str(exc)))
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for i, ((_, fut), (ok, value)) in enumerate(zip(batch, results, strict=True)):
                    if i and i % _WAKE_CHUNK == 0:
                        # Every caller woken here runs its next step (encrypt, send, ...) in the
                        # same loop iteration: wake them a chunk at a time, letting timers and I/O
                        # in between, so one big batch cannot stall the loop for its whole size.
                        await asyncio.sleep(0)
                    if fut.done():
                        continue
                    if ok:
                        fut.set_result(value)
                    else:
                        fut.set_exception(value)
        finally:
            self._flushing = False

    def _run_batch(
        self, batch: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]]
    ) -> list[tuple[bool, Any]]:
        conn = self._conn
        assert conn is not None
        results: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE" if not self._read_only else "BEGIN")
            for op, _ in batch:
                try:
                    results.append((True, op(conn)))
                except (sqlite3.OperationalError, sqlite3.IntegrityError):
                    raise
                except Exception as exc:  # an op's own error (e.g. a wrong key) fails only that op
                    results.append((False, exc))
            conn.execute("COMMIT")
            self.commits += 1
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            error: Exception
            if isinstance(exc, sqlite3.OperationalError) and _is_locked(exc):
                error = VaultLockedError(f"the vault {self.path} is locked by another program")
            else:
                error = VaultError(f"vault write failed: {exc}")
            raise error from None
        return results

    # -- rows ---------------------------------------------------------------------------

    def _encrypt(self, pid: str, field: str, pin: str | None) -> bytes | None:
        return None if pin is None else self._cipher.encrypt(pin, f"{pid}:{field}")

    def _decrypt(self, pid: str, field: str, blob: Any) -> str | None:
        if blob is None:
            return None
        if not isinstance(blob, bytes):
            raise CorruptRecordError(pid, f"{field} is not a ciphertext")
        try:
            return self._cipher.decrypt(blob, f"{pid}:{field}").decode()
        except (WrongKeyError, UnicodeDecodeError):
            # The key was checked at open (the canary): this one ciphertext is damaged, not the key.
            raise CorruptRecordError(pid, f"the {field} PIN does not decrypt") from None

    def _row_to_record(self, row: tuple[Any, ...]) -> PinRecord:
        """Decode one row; anything off raises :class:`CorruptRecordError` for that number alone."""
        pid = str(row[0])
        try:
            state = PinState(row[1])
        except ValueError:
            raise CorruptRecordError(pid, "unknown state") from None
        numbers: list[Any] = []
        for name, value, optional in (
            ("flagged", row[5], False),
            ("attempts", row[6], False),
            ("updated_at", row[8], False),
            ("rotated_at", row[9], True),
            ("pending_since", row[10], True),
        ):
            if value is None and optional:
                numbers.append(None)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                numbers.append(value)
            else:
                raise CorruptRecordError(pid, f"{name} is not a number")
        if row[7] is not None and not isinstance(row[7], str):
            raise CorruptRecordError(pid, "last_error is not text")
        return PinRecord(
            phone_number_id=pid,
            state=state,
            current=self._decrypt(pid, "current", row[2]),
            previous=self._decrypt(pid, "previous", row[3]),
            pending=self._decrypt(pid, "pending", row[4]),
            flagged=bool(numbers[0]),
            attempts=int(numbers[1]),
            last_error=row[7],
            updated_at=float(numbers[2]),
            rotated_at=None if numbers[3] is None else float(numbers[3]),
            pending_since=None if numbers[4] is None else float(numbers[4]),
        )

    async def load(self, phone_number_id: str) -> PinRecord | None:
        def op(conn: sqlite3.Connection) -> PinRecord | None:
            row = conn.execute(_SELECT + " WHERE phone_number_id=?", (phone_number_id,)).fetchone()
            return None if row is None else self._row_to_record(row)

        if self._conn is None:
            await self.open()
        return await self._enqueue(op)

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        if self._read_only:
            raise VaultError("this vault was opened read-only")
        pid = record.phone_number_id
        params = (
            pid,
            record.state.value,
            self._encrypt(pid, "current", record.current),
            self._encrypt(pid, "previous", record.previous),
            self._encrypt(pid, "pending", record.pending),
            int(record.flagged),
            record.attempts,
            record.last_error,
            record.updated_at,
            record.rotated_at,
            record.pending_since,
        )

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(_UPSERT, params)

        if self._conn is None:
            await self.open()
        await self._enqueue(op)

    async def records(
        self,
        *,
        state: PinState | None = None,
        batch: int = 500,
        on_corrupt: Callable[[CorruptRecordError], None] | None = None,
    ) -> AsyncIterator[PinRecord]:
        """Every row in phone-id order, fetched ``batch`` at a time (never all in memory).

        A row that does not decode raises :class:`CorruptRecordError`, or, with
        ``on_corrupt``, is handed to it and skipped, so one damaged row does not
        hide the others.
        """
        after = ""
        while True:

            def op(conn: sqlite3.Connection, after: str = after) -> list[tuple[str, Any]]:
                where = " WHERE phone_number_id > ?"
                args: tuple[Any, ...] = (after,)
                if state is not None:
                    where += " AND state = ?"
                    args += (state.value,)
                rows = conn.execute(_SELECT + where + " ORDER BY phone_number_id LIMIT ?", (*args, batch))
                out: list[tuple[str, Any]] = []
                for r in rows.fetchall():
                    try:
                        out.append((str(r[0]), self._row_to_record(r)))
                    except CorruptRecordError as exc:
                        out.append((str(r[0]), exc))
                return out

            page = await self._submit(op)
            for _, item in page:
                if isinstance(item, CorruptRecordError):
                    if on_corrupt is None:
                        raise item
                    on_corrupt(item)
                else:
                    yield item
            if len(page) < batch:
                return
            after = page[-1][0]

    async def count(self) -> dict[str, int]:
        """Rows per state, plus ``flagged`` (read without decrypting anything)."""

        def op(conn: sqlite3.Connection) -> dict[str, int]:
            counts = {s.value: 0 for s in PinState}
            for state, n in conn.execute("SELECT state, COUNT(*) FROM pins GROUP BY state"):
                counts[state] = n
            counts["flagged"] = conn.execute("SELECT COUNT(*) FROM pins WHERE flagged=1").fetchone()[0]
            return counts

        return await self._submit(op)

    # -- closing --------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Wait for a pending flush, then close the file and drop the lock."""
        task = self._flush_task
        if task is not None and not task.done():
            await asyncio.shield(task)
        self.close_sync()

    def close_sync(self) -> None:
        """Close now, from synchronous code: the connection, its thread and the lock on the file."""
        self._closed = True
        executor, self._executor = self._executor, None
        conn, self._conn = self._conn, None
        if executor is not None:
            executor.shutdown(wait=True)
        if conn is not None:
            conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            self._forget_inode()

    def _forget_inode(self) -> None:
        if self._inode is not None:
            _HELD.discard(self._inode)
            self._inode = None

    async def __aenter__(self) -> SqliteVault:
        return await self.open()
