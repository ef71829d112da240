"""The default vault: one SQLite file, encrypted PINs, group-committed writes.

Durability: WAL with ``synchronous=FULL``, so a commit is fsynced before
``save`` returns. Throughput: every load and save queued while the previous
batch was on disk runs in the next single transaction (group commit), so
thousands of concurrent rotations cost a few fsyncs a second, not one each.
All SQLite work happens on one private thread; the event loop only appends to
a list and awaits a future.

One process at a time: opening takes an exclusive ``flock`` on
``<path>.lock`` (two rotations writing one file could give a number two
different pending PINs), and a file another program holds locked
(``BEGIN EXCLUSIVE``) is reported as :class:`VaultLockedError`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ._crypto import PinCipher, load_key
from .records import PinRecord, PinState
from .vault import BaseVault, VaultError, VaultLockedError

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
_MAX_BATCH = 512


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
    rotation runs) and refuses to save. ``busy_timeout`` is how long to wait
    for a lock another program holds before :class:`VaultLockedError`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        key: str | bytes | None = None,
        read_only: bool = False,
        busy_timeout: float = 2.0,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self._cipher = PinCipher(load_key(key))
        self._read_only = read_only
        self._busy_timeout = busy_timeout
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
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
        return str(self.path)

    # -- opening --------------------------------------------------------------------

    def open_sync(self) -> None:
        """Open now (creating the file if needed): raises the clear errors early."""
        if self._conn is not None:
            return
        if self._closed:
            raise VaultError("this vault is closed")
        if self._read_only and not self.path.exists():
            raise VaultError(f"no vault at {self.path}")
        lock_fd = None if self._read_only else self._take_process_lock()
        try:
            conn = self._connect()
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        self._conn = conn
        self._lock_fd = lock_fd
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pin-vault")

    async def open(self) -> SqliteVault:
        async with self._open_lock:
            if self._conn is None:
                await asyncio.to_thread(self.open_sync)
        return self

    def _take_process_lock(self) -> int | None:
        if _fcntl is None:  # pragma: no cover
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = str(self.path) + ".lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise VaultLockedError(
                f"the vault {self.path} is in use by another process (lock file {lock_path}); "
                "wait for it to finish or stop it"
            ) from None
        return fd

    def _connect(self) -> sqlite3.Connection:
        try:
            if self._read_only:
                conn = sqlite3.connect(
                    f"file:{self.path}?mode=ro",
                    uri=True,
                    timeout=self._busy_timeout,
                    check_same_thread=False,
                    isolation_level=None,
                )
            else:
                conn = sqlite3.connect(
                    self.path, timeout=self._busy_timeout, check_same_thread=False, isolation_level=None
                )
        except sqlite3.Error as exc:
            raise VaultError(f"cannot open the vault {self.path}: {exc}") from None
        try:
            if not self._read_only:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.executescript(_SCHEMA)
                # Take the write lock once now, so a file someone else holds fails here, not mid-run.
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("COMMIT")
            self._check_key(conn)
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

    def _check_key(self, conn: sqlite3.Connection) -> None:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='canary'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise VaultError(f"{self.path} is not a PIN vault") from None
            raise
        if row is None:
            if self._read_only:
                raise VaultError(f"{self.path} is not a PIN vault")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO meta(key, value) VALUES ('canary', ?)", (self._cipher.canary(),))
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            conn.execute("COMMIT")
            return
        self._cipher.check_canary(bytes(row[0]))

    # -- the one thread that touches SQLite -------------------------------------------------

    async def _submit(self, op: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            await self.open()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((op, future))
        if not self._flushing:
            self._flushing = True
            self._flush_task = loop.create_task(self._flush())
        return await future

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
                for (_, fut), (ok, value) in zip(batch, results, strict=True):
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

    def _decrypt(self, pid: str, field: str, blob: bytes | None) -> str | None:
        return None if blob is None else self._cipher.decrypt(bytes(blob), f"{pid}:{field}").decode()

    def _row_to_record(self, row: tuple[Any, ...]) -> PinRecord:
        pid = row[0]
        return PinRecord(
            phone_number_id=pid,
            state=PinState(row[1]),
            current=self._decrypt(pid, "current", row[2]),
            previous=self._decrypt(pid, "previous", row[3]),
            pending=self._decrypt(pid, "pending", row[4]),
            flagged=bool(row[5]),
            attempts=int(row[6]),
            last_error=row[7],
            updated_at=float(row[8]),
            rotated_at=row[9],
            pending_since=row[10],
        )

    async def load(self, phone_number_id: str) -> PinRecord | None:
        def op(conn: sqlite3.Connection) -> PinRecord | None:
            row = conn.execute(_SELECT + " WHERE phone_number_id=?", (phone_number_id,)).fetchone()
            return None if row is None else self._row_to_record(row)

        return await self._submit(op)

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

        await self._submit(op)

    async def records(self, *, state: PinState | None = None, batch: int = 500) -> AsyncIterator[PinRecord]:
        """Every row in phone-id order, fetched ``batch`` at a time (never all in memory)."""
        after = ""
        while True:

            def op(conn: sqlite3.Connection, after: str = after) -> list[PinRecord]:
                where = " WHERE phone_number_id > ?"
                args: tuple[Any, ...] = (after,)
                if state is not None:
                    where += " AND state = ?"
                    args += (state.value,)
                rows = conn.execute(_SELECT + where + " ORDER BY phone_number_id LIMIT ?", (*args, batch))
                return [self._row_to_record(r) for r in rows.fetchall()]

            page = await self._submit(op)
            for record in page:
                yield record
            if len(page) < batch:
                return
            after = page[-1].phone_number_id

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
        task = self._flush_task
        if task is not None and not task.done():
            await asyncio.shield(task)
        self.close_sync()

    def close_sync(self) -> None:
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

    async def __aenter__(self) -> SqliteVault:
        return await self.open()
