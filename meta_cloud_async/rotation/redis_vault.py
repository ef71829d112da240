"""A vault in Redis, so several processes on several hosts share one rotation.

Each number's record is one JSON string with its PINs encrypted (AES-GCM,
the same key format as :class:`SqliteVault`). Claims are ``SET NX PX`` keys
holding the worker id; every write is a Lua script that first checks the
writer still holds the claim, so a worker whose claim expired (it hung, or
crashed and came back) cannot overwrite the worker that took over.

Durability is Redis's: run it with ``appendonly yes`` and
``appendfsync always`` (and replicas with ``WAIT``) before trusting it with
the only copy of your PINs.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ._crypto import PinCipher, load_key
from .records import PinLookup, PinRecord, PinState
from .vault import ClaimLostError, VaultError

__all__ = ["RedisVault"]

_SAVE = """
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""
_RENEW = """
local n = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    n = n + 1
  end
end
return n
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def redact_url(url: str) -> str:
    """The URL without its password, safe for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class RedisVault:
    """PIN records and claims in Redis under ``prefix``.

    ``url`` is a redis URL (``redis://host:6379/0``); pass ``client`` to use a
    ``redis.asyncio.Redis`` you own instead (it is not closed here).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        key: str | bytes | None = None,
        prefix: str = "mca:pins",
        client: Any = None,
        connect_timeout: float = 3.0,
    ) -> None:
        if url is None and client is None:
            raise ValueError("pass a redis url or client")
        self._cipher = PinCipher(load_key(key))
        self._url = url
        self._prefix = prefix
        self._owns = client is None
        self._client: Any = client
        self._connect_timeout = connect_timeout
        self._opened = False
        self._save: Any = None
        self._renew: Any = None
        self._release: Any = None

    def __repr__(self) -> str:
        return f"RedisVault({self.location!r})"

    @property
    def location(self) -> str:
        return f"{redact_url(self._url) if self._url else 'redis'} (prefix {self._prefix})"

    def _rec_key(self, pid: str) -> str:
        return f"{self._prefix}:rec:{pid}"

    def _claim_key(self, pid: str) -> str:
        return f"{self._prefix}:claim:{pid}"

    async def open(self) -> RedisVault:
        """Connect, create or check the key canary; raises :class:`VaultError` / ``WrongKeyError``."""
        if self._opened:
            return self
        from redis import exceptions as rexc

        if self._client is None:
            import redis.asyncio as aioredis

            assert self._url is not None
            self._client = aioredis.Redis.from_url(
                self._url,
                socket_connect_timeout=self._connect_timeout,
                socket_timeout=self._connect_timeout * 3,
            )
        client = self._client
        canary_key = f"{self._prefix}:meta:canary"
        try:
            await client.set(canary_key, self._cipher.canary(), nx=True)
            blob = await client.get(canary_key)
        except (rexc.ConnectionError, rexc.TimeoutError, OSError) as exc:
            await self._close_client()
            raise VaultError(f"cannot reach Redis at {self.location}: {type(exc).__name__}") from None
        except rexc.RedisError as exc:
            await self._close_client()
            raise VaultError(f"Redis at {self.location} refused: {exc}") from None
        try:
            self._cipher.check_canary(bytes(blob))
        except BaseException:
            await self._close_client()
            raise
        self._save = client.register_script(_SAVE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._opened = True
        return self

    async def _call(self, coro_factory: Any) -> Any:
        from redis import exceptions as rexc

        if not self._opened:
            await self.open()
        try:
            return await coro_factory()
        except (rexc.ConnectionError, rexc.TimeoutError, OSError) as exc:
            raise VaultError(f"lost Redis at {self.location}: {type(exc).__name__}") from None
        except rexc.RedisError as exc:
            # READONLY replica, WRONGTYPE, a script error, OOM...: still "the vault cannot be used".
            # Server error texts name the command, never its values (and values are ciphertext anyway).
            raise VaultError(
                f"Redis at {self.location} refused: {type(exc).__name__}: {str(exc)[:200]}"
            ) from None

    # -- records ------------------------------------------------------------------------

    def _encode(self, record: PinRecord) -> bytes:
        pid = record.phone_number_id

        def enc(field: str, pin: str | None) -> str | None:
            if pin is None:
                return None
            return base64.b64encode(self._cipher.encrypt(pin, f"{pid}:{field}")).decode("ascii")

        return json.dumps(
            {
                "id": pid,
                "state": record.state.value,
                "current": enc("current", record.current),
                "previous": enc("previous", record.previous),
                "pending": enc("pending", record.pending),
                "flagged": record.flagged,
                "attempts": record.attempts,
                "last_error": record.last_error,
                "updated_at": record.updated_at,
                "rotated_at": record.rotated_at,
                "pending_since": record.pending_since,
            },
            separators=(",", ":"),
        ).encode()

    def _decode(self, raw: bytes) -> PinRecord:
        data = json.loads(raw)
        pid = data["id"]

        def dec(field: str) -> str | None:
            value = data.get(field)
            if value is None:
                return None
            return self._cipher.decrypt(base64.b64decode(value), f"{pid}:{field}").decode()

        return PinRecord(
            phone_number_id=pid,
            state=PinState(data["state"]),
            current=dec("current"),
            previous=dec("previous"),
            pending=dec("pending"),
            flagged=bool(data["flagged"]),
            attempts=int(data["attempts"]),
            last_error=data.get("last_error"),
            updated_at=float(data["updated_at"]),
            rotated_at=data.get("rotated_at"),
            pending_since=data.get("pending_since"),
        )

    async def load(self, phone_number_id: str) -> PinRecord | None:
        raw = await self._call(lambda: self._client.get(self._rec_key(phone_number_id)))
        return None if raw is None else self._decode(raw)

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        pid = record.phone_number_id
        value = self._encode(record)
        ok = await self._call(
            lambda: self._save(keys=[self._rec_key(pid), self._claim_key(pid)], args=[owner or "", value])
        )
        if not ok:
            raise ClaimLostError(f"{pid}: this worker no longer holds the claim; not written")

    async def records(self, *, batch: int = 500) -> AsyncIterator[PinRecord]:
        if not self._opened:
            await self.open()
        cursor = 0
        match = f"{self._prefix}:rec:*"
        while True:
            cursor, keys = await self._call(lambda c=cursor: self._client.scan(c, match=match, count=batch))
            if keys:
                values = await self._call(lambda k=keys: self._client.mget(k))
                for raw in values:
                    if raw is not None:
                        yield self._decode(raw)
            if cursor == 0:
                return

    async def count(self) -> dict[str, int]:
        counts = {s.value: 0 for s in PinState} | {"flagged": 0}
        async for record in self.records():
            counts[record.state.value] += 1
            counts["flagged"] += int(record.flagged)
        return counts

    async def get_pin(self, phone_number_id: str) -> PinLookup:
        record = await self.load(phone_number_id)
        if record is None:
            return PinLookup(phone_number_id=phone_number_id, state=None, certain=False, pin=None)
        return record.lookup()

    # -- claims -------------------------------------------------------------------------

    async def claim(self, phone_number_id: str, owner: str, ttl: float) -> bool:
        key = self._claim_key(phone_number_id)
        result = await self._call(lambda: self._client.set(key, owner, nx=True, px=max(1, int(ttl * 1000))))
        if result:
            return True
        holder = await self._call(lambda: self._client.get(key))
        if holder is not None and holder.decode() == owner:
            await self.renew([phone_number_id], owner, ttl)
            return True
        return False

    async def renew(self, phone_number_ids: Sequence[str], owner: str, ttl: float) -> None:
        keys = [self._claim_key(pid) for pid in phone_number_ids]
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            await self._call(lambda c=chunk: self._renew(keys=c, args=[owner, max(1, int(ttl * 1000))]))

    async def release(self, phone_number_id: str, owner: str) -> None:
        await self._call(lambda: self._release(keys=[self._claim_key(phone_number_id)], args=[owner]))

    # -- lifecycle ----------------------------------------------------------------------

    async def _close_client(self) -> None:
        if not self._owns:
            return  # the caller's client: theirs to close
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        self._opened = False
        await self._close_client()

    async def __aenter__(self) -> RedisVault:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
