"""Crash-safe batch PIN rotation: the engine, the vault protocol, SQLite and Redis vaults, reports.

::

    from meta_cloud_async.rotation import rotate_pins, SqliteVault

    async with SqliteVault("pins.db", key=key) as vault:
        report = await rotate_pins(wa, ids, vault=vault, concurrency=32)

``RedisVault`` (extra ``redis``) lets several processes share one rotation.
"""

from ._crypto import (
    ENV_PIN_KEY,
    MissingCryptographyError,
    PinCipher,
    WrongKeyError,
    generate_key,
    key_fingerprint,
    load_key,
)
from .engine import classify_error, rotate_pins
from .records import PinLookup, PinRecord, PinState
from .report import NumberOutcome, Outcome, Progress, RotationReport
from .sqlite_vault import SqliteVault
from .vault import (
    BaseVault,
    ClaimLostError,
    CorruptRecordError,
    MemoryVault,
    NoVaultError,
    Vault,
    VaultError,
    VaultIdentity,
    VaultLockedError,
    VaultLostError,
)

__all__ = [
    "ENV_PIN_KEY",
    "BaseVault",
    "ClaimLostError",
    "CorruptRecordError",
    "MemoryVault",
    "MissingCryptographyError",
    "NoVaultError",
    "NumberOutcome",
    "Outcome",
    "PinCipher",
    "PinLookup",
    "PinRecord",
    "PinState",
    "Progress",
    "RotationReport",
    "SqliteVault",
    "Vault",
    "VaultError",
    "VaultIdentity",
    "VaultLockedError",
    "VaultLostError",
    "WrongKeyError",
    "classify_error",
    "generate_key",
    "key_fingerprint",
    "load_key",
    "rotate_pins",
]


def __getattr__(name: str) -> object:
    # RedisVault needs the optional ``redis`` package: imported only when asked for.
    if name == "RedisVault":
        from .redis_vault import RedisVault

        return RedisVault
    raise AttributeError(name)
