"""Vault safety: key fingerprints, 0600 files, no vault in a missing directory, sandbox vaults kept apart."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.rotation import (
    NoVaultError,
    PinRecord,
    RotationReport,
    SqliteVault,
    VaultError,
    WrongKeyError,
    generate_key,
    key_fingerprint,
    load_key,
    rotate_pins,
)
from meta_cloud_async.rotation.redis_vault import RedisVault
from meta_cloud_async.sandbox import Sandbox


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_fingerprint_is_stable_short_and_not_the_key() -> None:
    key = load_key(generate_key())
    fp = key_fingerprint(key)
    assert fp == key_fingerprint(key) and len(fp) == 8
    assert fp != key_fingerprint(load_key(generate_key()))
    assert fp not in key.hex()


async def test_a_wrong_key_is_told_the_fingerprint_the_vault_expects(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        assert vault.identity is not None
        assert vault.identity.key_fingerprint == key_fingerprint(load_key(pin_key))
    wrong = generate_key()
    for read_only in (False, True):
        with pytest.raises(WrongKeyError) as exc:
            await SqliteVault(path, key=wrong, read_only=read_only).open()
        text = str(exc.value)
        assert key_fingerprint(load_key(pin_key)) in text and key_fingerprint(load_key(wrong)) in text
        assert pin_key not in text and wrong not in text


async def test_a_vault_from_before_fingerprints_gets_one_on_its_next_write_open(
    tmp_path: Path, pin_key: str
) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key):
        pass
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM meta WHERE key='key_fingerprint'")
    conn.commit()
    conn.close()
    async with SqliteVault(path, key=pin_key) as vault:
        assert vault.identity is not None
        assert vault.identity.key_fingerprint == key_fingerprint(load_key(pin_key))


async def test_vault_files_are_0600_including_wal_and_shm(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    async with SqliteVault(path, key=pin_key) as vault:
        await vault.save(PinRecord(phone_number_id="1", current="482913"))
        sides = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(side.exists() for side in sides)
        assert [mode(p) for p in (path, *sides)] == [0o600, 0o600, 0o600]


async def test_no_vault_is_created_in_a_missing_directory(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "typo" / "pins.db"
    with pytest.raises(NoVaultError, match="does not exist"):
        await SqliteVault(path, key=pin_key).open()
    assert not path.parent.exists()


async def test_sandbox_and_real_vaults_refuse_each_other(tmp_path: Path, pin_key: str) -> None:
    fake, real = tmp_path / "pins-sandbox.db", tmp_path / "pins.db"
    async with SqliteVault(fake, key=pin_key, sandbox=True) as vault:
        assert vault.identity is not None and vault.identity.sandbox
        assert "SANDBOX" in vault.identity.describe()
    async with SqliteVault(real, key=pin_key, sandbox=False) as vault:
        assert vault.identity is not None and not vault.identity.sandbox
    with pytest.raises(VaultError, match="is a sandbox vault"):
        await SqliteVault(fake, key=pin_key, sandbox=False).open()
    with pytest.raises(VaultError, match="holds real PINs"):
        await SqliteVault(real, key=pin_key, sandbox=True).open()
    for path in (fake, real):  # None (status, show, the Python default) reads either kind
        async with SqliteVault(path, key=pin_key, read_only=True):
            pass
    with pytest.raises(TypeError, match="sandbox"):
        SqliteVault(real, key=pin_key, sandbox="yes")  # type: ignore[arg-type]


async def test_in_use_sees_a_writer(tmp_path: Path, pin_key: str) -> None:
    path = tmp_path / "pins.db"
    reader = SqliteVault(path, key=pin_key, read_only=True)
    assert not reader.in_use()  # no file yet
    async with SqliteVault(path, key=pin_key):
        assert reader.in_use()
    assert not reader.in_use()


async def test_reports_of_sandbox_runs_are_marked_and_name_the_vault_flags(
    tmp_path: Path, pin_key: str
) -> None:
    sandbox = Sandbox(phone_numbers=2, seed=1)
    async with (
        SqliteVault(tmp_path / "s.db", key=pin_key, sandbox=True) as vault,
        WhatsApp(
            access_token=sandbox.access_token,
            base_url="http://sandbox.invalid",
            transport=sandbox.transport(),
        ) as wa,
    ):
        report = await rotate_pins(wa, sandbox.phone_number_ids, vault=vault)
    assert report.sandbox and report.as_dict()["sandbox"] is True and "SANDBOX run" in report.summary()
    assert f"--vault {tmp_path / 's.db'}" in report.pin_location


def test_a_redis_report_hint_names_redis_not_vault() -> None:
    vault = RedisVault("redis://:secret@127.0.0.1:6379/0", key=generate_key(), prefix="mca:pins")
    assert vault.cli_args.startswith("--redis redis://") and "--redis-prefix mca:pins" in vault.cli_args
    assert "secret" not in vault.cli_args
    report = RotationReport(vault_location=vault.location, started_at=0.0, vault_args=vault.cli_args)
    assert "--redis redis://" in report.pin_location and "--vault" not in report.pin_location
