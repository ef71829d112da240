"""The Vault protocol: a user's own store (shaped like docs/rotation.md's secrets-manager example) just works."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import attrs

from meta_cloud_async import WhatsApp
from meta_cloud_async.rotation import (
    BaseVault,
    MemoryVault,
    PinRecord,
    PinState,
    SqliteVault,
    Vault,
    rotate_pins,
)
from meta_cloud_async.testing import FakeClock


class JsonSecretsVault(BaseVault):
    """One JSON secret per number, as a secrets manager would keep them."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[str, str] = {}

    @property
    def location(self) -> str:
        return "secrets:whatsapp/pins/"

    async def load(self, phone_number_id: str) -> PinRecord | None:
        raw = self.secrets.get(phone_number_id)
        if raw is None:
            return None
        data = json.loads(raw)
        return PinRecord(**{**data, "state": PinState(data["state"])})

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        self.secrets[record.phone_number_id] = json.dumps(
            attrs.asdict(record) | {"state": record.state.value}
        )

    async def records(self) -> AsyncIterator[PinRecord]:
        for pid in list(self.secrets):
            record = await self.load(pid)
            if record is not None:
                yield record


async def test_own_store_satisfies_the_protocol_and_rotates(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    vault = JsonSecretsVault()
    assert isinstance(vault, Vault) and isinstance(MemoryVault(), Vault)
    assert isinstance(SqliteVault(":memory:", key=b"k" * 32), Vault)
    meta.script["2"] = ["reset_after", ("error", 10, 403)]
    report = await rotate_pins(wa, ["1", "2"], vault=vault, clock=clock.time, sleep=clock.sleep)
    assert report.rotated == 1 and report.failed == 1
    assert (await vault.get_pin("1")).pin == meta.pins["1"]
    flagged = await vault.load("2")
    assert flagged is not None and flagged.flagged and flagged.state is PinState.PENDING
    assert [r.phone_number_id async for r in vault.records()] == ["1", "2"]
    assert "secrets:" in report.pin_location


async def test_base_vault_claims_expire_renew_and_release_per_owner() -> None:
    clock = FakeClock(start=100.0)
    vault = MemoryVault(clock=clock.time)
    assert await vault.claim("1", "a", ttl=10)
    assert await vault.claim("1", "a", ttl=10)  # the holder may claim again
    assert not await vault.claim("1", "b", ttl=10)
    clock.advance(8)
    await vault.renew(["1", "2"], "a", ttl=10)  # held until 118; "2" was never claimed: ignored
    await vault.renew(["1"], "b", ttl=1000)  # not b's: no effect
    clock.advance(9)  # t=117: a's renewed claim still holds (without renew it ended at 110)
    assert not await vault.claim("1", "b", ttl=10)
    assert "2" not in vault._claims
    clock.advance(2)  # t=119: expired
    assert await vault.claim("1", "b", ttl=10)
    await vault.release("1", "a")  # not a's any more: kept
    assert not await vault.claim("1", "a", ttl=10)
    await vault.release("1", "b")
    assert await vault.claim("1", "a", ttl=10)


def test_base_vault_checks_its_clock() -> None:
    import pytest

    with pytest.raises(TypeError, match="clock"):
        MemoryVault(clock=None)  # type: ignore[arg-type]
