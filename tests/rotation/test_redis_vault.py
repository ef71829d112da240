"""RedisVault against a real redis-server: records, claims, fencing, and two workers sharing a run."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from meta_cloud_async import MockTransport, WhatsApp
from meta_cloud_async.rotation import (
    ClaimLostError,
    CorruptRecordError,
    NoVaultError,
    PinRecord,
    VaultError,
    VaultLostError,
    WrongKeyError,
    generate_key,
    rotate_pins,
)
from meta_cloud_async.rotation.redis_vault import RedisVault, redact_url

pytestmark = pytest.mark.redis


def rec(pid: str, pending: str | None = None) -> PinRecord:
    record = PinRecord(phone_number_id=pid, current="482913", updated_at=1.0, rotated_at=1.0)
    return record.begin(pending, 2.0) if pending else record


async def test_roundtrip_encrypted(redis_url: str, pin_key: str) -> None:
    import redis.asyncio as aioredis

    async with RedisVault(redis_url, key=pin_key) as vault:
        await vault.save(rec("1", pending="739164"))
        assert await vault.load("1") == rec("1", pending="739164")
        assert await vault.load("2") is None
        assert (await vault.get_pin("1")).candidates == ("739164", "482913")
        assert [r.phone_number_id async for r in vault.records()] == ["1"]
        assert await vault.count() == {"current": 0, "pending": 1, "flagged": 0}
    raw = aioredis.Redis.from_url(redis_url)
    try:
        values = [await raw.get(k) for k in await raw.keys("*")]
    finally:
        await raw.aclose()
    assert values and not any(b"482913" in v or b"739164" in v for v in values if v)


async def test_wrong_key_and_unreachable(redis_url: str, pin_key: str) -> None:
    async with RedisVault(redis_url, key=pin_key):
        pass
    with pytest.raises(WrongKeyError):
        await RedisVault(redis_url, key=generate_key()).open()
    with pytest.raises(VaultError, match="cannot reach Redis"):
        await RedisVault("redis://127.0.0.1:1/0", key=pin_key, connect_timeout=0.5).open()


async def test_claims_are_exclusive_expire_and_fence_writes(redis_url: str, pin_key: str) -> None:
    import redis.asyncio as aioredis

    raw = aioredis.Redis.from_url(redis_url)
    async with RedisVault(redis_url, key=pin_key, prefix="t") as vault:
        assert await vault.claim("1", "a", ttl=0.2)
        assert 0 < await raw.pttl("t:claim:1") <= 200
        assert not await vault.claim("1", "b", ttl=10)
        assert await vault.claim("1", "a", ttl=10)  # re-entrant for its owner, and renewed
        assert 200 < await raw.pttl("t:claim:1") <= 10_000
        await vault.save(rec("1"), owner="a")
        with pytest.raises(ClaimLostError):
            await vault.save(rec("1", pending="739164"), owner="b")
        await vault.release("1", "b")  # not b's: no effect
        assert not await vault.claim("1", "b", ttl=10)
        await vault.release("1", "a")
        assert await vault.claim("1", "b", ttl=0.1)
        await vault.renew(["1"], "b", ttl=30)
        assert 10_000 < await raw.pttl("t:claim:1") <= 30_000
        await vault.renew(["1"], "x", ttl=60)  # only the owner renews
        assert await raw.pttl("t:claim:1") <= 30_000
        await raw.delete("t:claim:1")  # what Redis does when the TTL runs out (b crashed)
        assert await vault.claim("1", "c", ttl=10)
        with pytest.raises(ClaimLostError):
            await vault.save(rec("1"), owner="b")
    await raw.aclose()


async def test_server_errors_are_vault_errors(redis_url: str, pin_key: str) -> None:
    # Regression: only connection errors were converted; a ResponseError (READONLY replica, WRONGTYPE,
    # a failing script) escaped as a redis exception and, from renew(), killed the claim renewer.
    import redis.asyncio as aioredis

    raw = aioredis.Redis.from_url(redis_url)
    try:
        async with RedisVault(redis_url, key=pin_key, prefix="t"):
            pass  # created first: junk under a prefix with no vault identity is a data-loss alarm instead
        await raw.rpush("t:rec:1", "not a record")
        await raw.rpush("t:claim:1", "not a claim")
        async with RedisVault(redis_url, key=pin_key, prefix="t") as vault:
            with pytest.raises(VaultError, match="refused: ResponseError"):
                await vault.load("1")
            with pytest.raises(VaultError, match="refused: ResponseError"):
                await vault.renew(["1"], "a", ttl=10)
            with pytest.raises(VaultError, match="refused: ResponseError"):
                await vault.save(rec("1"), owner="a")
            with pytest.raises(VaultError):
                await vault.claim("1", "a", ttl=10)
    finally:
        await raw.aclose()


def test_redact_url() -> None:
    assert redact_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert redact_url("redis://user:s3cret@host/0") == "redis://user:***@host/0"
    assert redact_url("redis://host:6379/0") == "redis://host:6379/0"


async def test_two_workers_share_one_rotation(redis_url: str, pin_key: str) -> None:
    pins: dict[str, str] = {}
    in_flight: dict[str, int] = {}
    overlaps = 0
    calls = 0

    async def meta(request: Any) -> Any:
        nonlocal overlaps, calls
        import json

        from meta_cloud_async import Response

        pid = request.url.rsplit("/", 1)[1]
        calls += 1
        in_flight[pid] = in_flight.get(pid, 0) + 1
        overlaps += in_flight[pid] > 1
        await asyncio.sleep(0.001)
        pins[pid] = json.loads(request.content)["pin"]
        in_flight[pid] -= 1
        return Response(status_code=200, content=b'{"success":true}')

    ids = [str(1000 + i) for i in range(300)]
    client = WhatsApp(access_token="t", transport=MockTransport(meta), rate_limit=None)
    vaults = [RedisVault(redis_url, key=pin_key), RedisVault(redis_url, key=pin_key)]
    try:
        reports = await asyncio.gather(
            *(
                rotate_pins(client, ids, vault=v, concurrency=8, min_age=3600, worker_id=f"w{i}")
                for i, v in enumerate(vaults)
            )
        )
        rotated = sum(r.rotated for r in reports)
        assert rotated == len(ids) and overlaps == 0 and calls == len(ids)
        assert all(r.ok for r in reports)
        for pid in ids:
            assert (await vaults[0].get_pin(pid)).pin == pins[pid]
    finally:
        for v in vaults:
            await v.aclose()


# -- identity, data loss, persistence, damaged values -------------------------------------------


async def test_identity_written_at_creation_and_generation_counts_writers(
    redis_url: str, pin_key: str
) -> None:
    async with RedisVault(redis_url, key=pin_key, prefix="id") as first:
        assert first.identity is not None and first.identity.vault_id
        vault_id = first.identity.vault_id
        assert first.identity.generation == 1
    async with RedisVault(redis_url, key=pin_key, prefix="id", create=False) as second:
        assert second.identity is not None
        assert second.identity.vault_id == vault_id and second.identity.generation == 2


async def test_a_redis_that_lost_its_data_is_not_an_empty_vault(redis_url: str, pin_key: str) -> None:
    import redis.asyncio as aioredis

    async with RedisVault(redis_url, key=pin_key, prefix="lost") as vault:
        await vault.save(rec("1", pending="739164"))
    raw = aioredis.Redis.from_url(redis_url)
    try:
        # All data gone (a restart without persistence): with create=False this is said, not "0 numbers".
        await raw.flushall()
        with pytest.raises(NoVaultError, match="lost its data"):
            await RedisVault(redis_url, key=pin_key, prefix="lost", create=False).open()
        assert await raw.keys("lost:*") == []  # and nothing was created by asking
        # Partly gone: records survive but the identity does not. Never silently start again.
        async with RedisVault(redis_url, key=pin_key, prefix="lost") as vault:
            await vault.save(rec("1", pending="739164"))
        await raw.delete("lost:meta:canary", "lost:meta:id")
        for create in (True, False):
            with pytest.raises(VaultLostError, match="lost its identity while records remain"):
                await RedisVault(redis_url, key=pin_key, prefix="lost", create=create).open()
    finally:
        await raw.aclose()


async def test_appendonly_off_is_warned_about(redis_url: str, pin_key: str) -> None:
    # The session's redis-server runs with --appendonly no.
    async with RedisVault(redis_url, key=pin_key, prefix="aof") as vault:
        assert any("appendonly off" in w for w in vault.warnings)


async def test_a_damaged_value_is_reported_alone(redis_url: str, pin_key: str) -> None:
    import redis.asyncio as aioredis

    async with RedisVault(redis_url, key=pin_key, prefix="dmg") as vault:
        for pid in ("1", "2", "3", "4", "5"):
            await vault.save(rec(pid, pending="739164"))
        raw = aioredis.Redis.from_url(redis_url)
        try:
            good = json.loads(await raw.get("dmg:rec:3") or b"")
            await raw.set("dmg:rec:2", b"\xff not json")
            await raw.set("dmg:rec:3", json.dumps({**good, "pending": "AAAA" + good["pending"][4:]}))
            await raw.set("dmg:rec:4", json.dumps({**good, "id": "4", "state": "weird"}))
            five = json.loads(await raw.get("dmg:rec:5") or b"")
            await raw.set("dmg:rec:5", json.dumps({**five, "attempts": "many"}))
        finally:
            await raw.aclose()
        corrupt: list[CorruptRecordError] = []
        ids = {r.phone_number_id async for r in vault.records(on_corrupt=corrupt.append)}
        assert ids == {"1"}
        assert {(c.phone_number_id, c.reason) for c in corrupt} == {
            ("2", "not JSON"),
            ("3", "the pending PIN does not decrypt"),
            ("4", "unknown state"),
            ("5", "attempts is not a number"),
        }
        with pytest.raises(CorruptRecordError) as caught:
            await vault.load("3")
        assert not isinstance(caught.value, WrongKeyError)


def test_constructor_arguments_are_checked_naming_them(pin_key: str) -> None:
    with pytest.raises(ValueError, match="url"):
        RedisVault("bogus://x", key=pin_key)
    with pytest.raises(TypeError, match="url"):
        RedisVault(123, key=pin_key)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="key"):
        RedisVault("redis://127.0.0.1", key=123)  # type: ignore[arg-type]
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="connect_timeout"):
            RedisVault("redis://127.0.0.1", key=pin_key, connect_timeout=bad)
    for prefix in ("", "a b", "x*"):
        with pytest.raises(ValueError, match="prefix"):
            RedisVault("redis://127.0.0.1", key=pin_key, prefix=prefix)
