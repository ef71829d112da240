"""SqliteVault: encryption at rest, key check, locking, group commit, and not blocking the loop."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async.rotation import (
    CorruptRecordError,
    NoVaultError,
    PinRecord,
    PinState,
    SqliteVault,
    VaultError,
    VaultLockedError,
    WrongKeyError,
    generate_key,
)


def rec(pid: str, current: str = "482913", pending: str | None = None) -> PinRecord:
    record = PinRecord(phone_number_id=pid, current=current, updated_at=1.0, rotated_at=1.0)
    return record.begin(pending, 2.0) if pending else record


async def test_roundtrip_and_lookup(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1"))
        await vault.save(rec("2", pending="739164"))
        assert await vault.load("1") == rec("1")
        assert (await vault.load("2")) == rec("2", pending="739164")
        assert await vault.load("3") is None
        assert (await vault.get_pin("1")).pin == "482913"
        lookup = await vault.get_pin("2")
        assert not lookup.certain and lookup.candidates == ("739164", "482913")
        assert (await vault.get_pin("3")).state is None
        assert await vault.count() == {"current": 1, "pending": 1, "flagged": 0}
        assert [r.phone_number_id async for r in vault.records(batch=1)] == ["1", "2"]
        assert [r.phone_number_id async for r in vault.records(state=PinState.PENDING)] == ["2"]
    # reopened: still there
    async with SqliteVault(path, key=pin_key) as vault:
        assert (await vault.load("2")) == rec("2", pending="739164")


async def test_pins_are_encrypted_at_rest(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1", current="482913", pending="739164"))
    raw = await asyncio.to_thread(lambda: b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file()))
    assert b"482913" not in raw and b"739164" not in raw
    conn = sqlite3.connect(path)
    blob = conn.execute("SELECT current FROM pins").fetchone()[0]
    conn.close()
    assert isinstance(blob, bytes) and len(blob) > 12


async def test_wrong_key_is_a_clear_error_at_open(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1"))
    with pytest.raises(WrongKeyError, match="META_PIN_KEY"):
        await SqliteVault(path, key=generate_key()).open()
    # a failed open leaves no lock behind
    async with SqliteVault(path, key=pin_key) as vault:
        assert await vault.load("1") is not None


def test_bad_keys_are_value_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("META_PIN_KEY", raising=False)
    with pytest.raises(ValueError, match="META_PIN_KEY"):
        SqliteVault(tmp_path / "x.db")
    with pytest.raises(ValueError, match="32 bytes"):
        SqliteVault(tmp_path / "x.db", key="c2hvcnQ=")
    with pytest.raises(ValueError, match="base64"):
        SqliteVault(tmp_path / "x.db", key="not base64 at all!")
    key = generate_key()
    monkeypatch.setenv("META_PIN_KEY", key)
    assert repr(SqliteVault(tmp_path / "x.db")) == f"SqliteVault({str(tmp_path / 'x.db')!r})"
    assert key not in repr(SqliteVault(tmp_path / "x.db"))


async def test_second_process_is_refused(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key):
        code = (
            "import sys\nfrom meta_cloud_async.rotation import SqliteVault, VaultLockedError\n"
            f"v = SqliteVault({str(path)!r}, key={pin_key!r})\n"
            "try:\n    v.open_sync()\nexcept VaultLockedError as e:\n    print(e); sys.exit(3)\n"
        )
        proc = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
        )
        assert proc.returncode == 3, proc.stderr
        assert "in use by another process" in proc.stdout
        # read-only opens are allowed alongside (for `pins status`)
        ro = SqliteVault(path, key=pin_key, read_only=True)
        async with ro:
            assert await ro.count() == {"current": 0, "pending": 0, "flagged": 0}
            with pytest.raises(VaultError, match="read-only"):
                await ro.save(rec("1"))


async def test_file_locked_by_another_program(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(VaultLockedError, match="locked by another program"):
            await SqliteVault(path, key=pin_key, busy_timeout=0.05).open()
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_not_a_vault(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(VaultError, match=r"not a PIN vault|cannot"):
        await SqliteVault(path, key=pin_key).open()
    with pytest.raises(VaultError, match="no vault"):
        await SqliteVault(tmp_path / "missing.db", key=pin_key, read_only=True).open()


async def test_group_commit_batches_concurrent_saves_without_blocking_the_loop(
    tmp_path: Path, pin_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 2000
    loop_thread = threading.get_ident()
    batch_threads: set[int] = set()
    run_batch = SqliteVault._run_batch

    def spy(self: SqliteVault, batch: Any) -> Any:
        batch_threads.add(threading.get_ident())
        return run_batch(self, batch)

    monkeypatch.setattr(SqliteVault, "_run_batch", spy)
    async with SqliteVault(tmp_path / "pins.db", key=pin_key) as vault:
        await asyncio.gather(*(vault.save(rec(str(i))) for i in range(n)))
        assert vault.commits < n / 10  # many saves per fsync
        assert await vault.count() == {"current": n, "pending": 0, "flagged": 0}
    # Every batch (every SQLite call and fsync) ran on the vault's own thread, never the loop's.
    assert batch_threads and loop_thread not in batch_threads


class CommitFails:
    """A connection whose COMMIT fails (a disk error at fsync), passing everything else through."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rollbacks = 0

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("disk I/O error")
        if sql == "ROLLBACK":
            self.rollbacks += 1
        return self.conn.execute(sql, *args)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction


async def test_a_failed_commit_rolls_the_whole_batch_back(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1"))
        real = vault._conn
        assert real is not None
        failing = CommitFails(real)
        vault._conn = failing  # type: ignore[assignment]
        results = await asyncio.gather(
            *(vault.save(rec(str(i))) for i in range(2, 12)), return_exceptions=True
        )
        assert all(isinstance(r, VaultError) and "disk I/O error" in str(r) for r in results)
        assert failing.rollbacks >= 1 and not real.in_transaction
        vault._conn = real
        # None of the failed batch reached the file; the vault still works afterwards.
        assert {r.phone_number_id async for r in vault.records()} == {"1"}
        await vault.save(rec("99"))
    async with SqliteVault(path, key=pin_key, read_only=True) as again:
        assert {r.phone_number_id async for r in again.records()} == {"1", "99"}


async def test_a_failing_statement_rolls_back_and_fails_only_that_batch(tmp_path: Path, pin_key: str) -> None:
    async with SqliteVault(tmp_path / "pins.db", key=pin_key) as vault:
        await vault.save(rec("1"))

        def broken(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO pins (phone_number_id) VALUES ('x')"
            )  # NOT NULL columns: IntegrityError

        outcome = await asyncio.gather(vault.save(rec("2")), vault._submit(broken), return_exceptions=True)
        assert all(isinstance(r, VaultError) for r in outcome)
        assert {r.phone_number_id async for r in vault.records()} == {"1"}  # rec("2") was rolled back with it


# -- one file, one vault: the lock follows the inode -------------------------------------------


async def test_a_hard_linked_vault_is_refused(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1"))
    os.link(path, tmp_path / "alias.db")
    for name in ("pins.db", "alias.db"):
        with pytest.raises(VaultError, match="2 hard links"):
            await SqliteVault(tmp_path / name, key=pin_key).open()
        with pytest.raises(VaultError, match="2 hard links"):
            await SqliteVault(tmp_path / name, key=pin_key, read_only=True).open()


async def test_a_symlink_meets_the_same_lock(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    (tmp_path / "alias.db").symlink_to(path)
    async with SqliteVault(path, key=pin_key):
        code = (
            "import sys\nfrom meta_cloud_async.rotation import SqliteVault, VaultLockedError\n"
            f"v = SqliteVault({str(tmp_path / 'alias.db')!r}, key={pin_key!r})\n"
            "try:\n    v.open_sync()\nexcept VaultLockedError as e:\n    print(e); sys.exit(3)\n"
        )
        proc = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
        )
        assert proc.returncode == 3, proc.stderr
        assert "in use by another process" in proc.stdout
        # and within this process too, without touching the held file's locks
        with pytest.raises(VaultLockedError):
            await SqliteVault(tmp_path / "alias.db", key=pin_key).open()
    assert not await asyncio.to_thread(
        os.path.exists, tmp_path / "alias.db-wal"
    )  # SQLite's files live next to the real name


@pytest.mark.parametrize("target", ["/proc/pins.db", "/dev/null"])
async def test_unusable_paths_are_vault_errors(pin_key: str, target: str) -> None:
    with pytest.raises(VaultError, match="cannot"):
        await SqliteVault(target, key=pin_key).open()


# -- another application's database is not a vault ---------------------------------------------


def snapshot(path: Path) -> bytes:
    return path.read_bytes()


async def test_another_apps_database_is_left_untouched(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "other-app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users (name) VALUES ('ada')")
    conn.commit()
    conn.close()
    before = snapshot(path)
    with pytest.raises(VaultError, match="not a PIN vault"):
        await SqliteVault(path, key=pin_key).open()
    assert snapshot(path) == before  # no tables added, no WAL switched on
    assert not await asyncio.to_thread(os.path.exists, str(path) + "-wal")
    # A database that happens to have tables named like ours, without the marker, is refused too.
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (k TEXT)")
    conn.execute("CREATE TABLE pins (x TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(VaultError, match="not a PIN vault"):
        await SqliteVault(path, key=pin_key).open()


async def test_new_and_empty_files_become_vaults(tmp_path: Path, pin_key: str) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    no_tables = tmp_path / "no-tables.db"
    sqlite3.connect(no_tables).execute("VACUUM")
    for path in (tmp_path / "new.db", empty, no_tables):
        async with SqliteVault(path, key=pin_key) as vault:
            await vault.save(rec("1"))
        async with SqliteVault(path, key=pin_key, read_only=True) as again:
            assert (await again.load("1")) is not None


async def test_create_false_refuses_to_start_a_vault(tmp_path: Path, pin_key: str) -> None:
    with pytest.raises(NoVaultError, match="no vault"):
        await SqliteVault(tmp_path / "missing.db", key=pin_key, create=False).open()
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "empty.db").touch()
    with pytest.raises(NoVaultError, match="empty"):
        await SqliteVault(tmp_path / "empty.db", key=pin_key, create=False).open()


async def test_identity_is_written_at_creation_and_the_generation_counts_writers(
    tmp_path: Path, pin_key: str
) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as first:
        assert first.identity is not None
        vault_id = first.identity.vault_id
        assert vault_id and first.identity.generation == 1 and first.identity.created_at
    async with SqliteVault(path, key=pin_key) as second:
        assert second.identity is not None
        assert second.identity.vault_id == vault_id and second.identity.generation == 2
    async with SqliteVault(path, key=pin_key, read_only=True) as reader:
        assert reader.identity is not None
        assert reader.identity.vault_id == vault_id and reader.identity.generation == 2
        assert vault_id in reader.identity.describe()


async def test_a_vault_from_before_the_marker_is_still_opened_and_stamped(
    tmp_path: Path, pin_key: str
) -> None:
    path = tmp_path / "old.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(rec("1"))
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta WHERE key IN ('kind', 'vault_id', 'created_at', 'generation')")
    conn.commit()
    conn.close()
    async with SqliteVault(path, key=pin_key) as vault:
        assert vault.identity is not None and vault.identity.vault_id  # given an id now
        assert await vault.load("1") is not None


# -- one damaged record --------------------------------------------------------------------


async def test_a_damaged_record_is_reported_alone_and_never_as_a_wrong_key(
    tmp_path: Path, pin_key: str
) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        for pid in ("1", "2", "3", "4", "5", "6"):
            await vault.save(rec(pid, pending="739164"))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE pins SET state='weird' WHERE phone_number_id='2'")
    conn.execute("UPDATE pins SET attempts='many' WHERE phone_number_id='3'")
    conn.execute("UPDATE pins SET pending=X'00112233445566778899aabbccddeeff00' WHERE phone_number_id='4'")
    conn.execute("UPDATE pins SET current='plain text' WHERE phone_number_id='5'")
    conn.commit()
    conn.close()
    corrupt: list[CorruptRecordError] = []
    async with SqliteVault(path, key=pin_key, read_only=True) as vault:
        good = [r.phone_number_id async for r in vault.records(on_corrupt=corrupt.append, batch=2)]
        assert good == ["1", "6"]
        assert {(c.phone_number_id, c.reason) for c in corrupt} == {
            ("2", "unknown state"),
            ("3", "attempts is not a number"),
            ("4", "the pending PIN does not decrypt"),
            ("5", "current is not a ciphertext"),
        }
        for pid in ("2", "3", "4", "5"):
            with pytest.raises(CorruptRecordError, match="corrupt record") as caught:
                await vault.load(pid)
            assert not isinstance(caught.value, WrongKeyError)
        with pytest.raises(CorruptRecordError):  # without on_corrupt a listing stops at the damage
            _ = [r async for r in vault.records()]
        assert (await vault.load("1")) is not None


def test_constructor_arguments_are_checked_naming_them(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    with pytest.raises(TypeError, match="key"):
        SqliteVault(path, key=123)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path"):
        SqliteVault(123, key=pin_key)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="path"):
        SqliteVault("", key=pin_key)
    with pytest.raises(TypeError, match="read_only"):
        SqliteVault(path, key=pin_key, read_only="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="create"):
        SqliteVault(path, key=pin_key, create=1)  # type: ignore[arg-type]
    for bad in (float("nan"), float("inf"), -1.0, 10**9):
        with pytest.raises(ValueError, match="busy_timeout"):
            SqliteVault(path, key=pin_key, busy_timeout=bad)
    with pytest.raises(TypeError, match="busy_timeout"):
        SqliteVault(path, key=pin_key, busy_timeout="2")  # type: ignore[arg-type]
    assert not path.exists()


async def test_closed_vault_refuses(tmp_path: Path, pin_key: str) -> None:
    vault = SqliteVault(tmp_path / "pins.db", key=pin_key)
    await vault.open()
    await vault.aclose()
    with pytest.raises(VaultError, match="closed"):
        await vault.load("1")
