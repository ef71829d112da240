"""SqliteVault: encryption at rest, key check, locking, group commit, and not blocking the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from meta_cloud_async.rotation import (
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
    tmp_path: Path, pin_key: str
) -> None:
    n = 2000
    lags: list[float] = []
    stop = False

    async def ticker() -> None:
        while not stop:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - t - 0.001)

    async with SqliteVault(tmp_path / "pins.db", key=pin_key) as vault:
        tick = asyncio.ensure_future(ticker())
        await asyncio.gather(*(vault.save(rec(str(i))) for i in range(n)))
        stop = True
        await tick
        assert vault.commits < n / 10  # many saves per fsync
        assert await vault.count() == {"current": n, "pending": 0, "flagged": 0}
    # The loop kept ticking while SQLite wrote on its own thread (no timing threshold: a
    # loaded machine may tick slowly, but a blocked loop would not tick at all).
    assert len(lags) >= 2


async def test_closed_vault_refuses(tmp_path: Path, pin_key: str) -> None:
    vault = SqliteVault(tmp_path / "pins.db", key=pin_key)
    await vault.open()
    await vault.aclose()
    with pytest.raises(VaultError, match="closed"):
        await vault.load("1")
