"""A vault in Redis, so several processes on several hosts share one rotation.

Each number's record is one JSON string with its PINs encrypted (AES-GCM,
the same key format as :class:`SqliteVault`). Claims are ``SET NX PX`` keys
holding the worker id; every write is a Lua script that first checks the
writer still holds the claim, so a worker whose claim expired (it hung, or
crashed and came back) cannot overwrite the worker that took over.

Durability is Redis's: run it with ``appendonly yes`` and
``appendfsync always`` (and replicas with ``WAIT``) before trusting it with
the only copy of your PINs. Opening warns (:attr:`RedisVault.warnings`) when
``appendonly`` is off. A vault identity (id, creation time, generation) is
written when the vault is created, so a Redis that lost its data is told
apart from a vault with nothing to do: with ``create=False`` a missing
identity is an error, and records without an identity are
:class:`VaultLostError` always.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ._crypto import PinCipher, WrongKeyError, load_key
from .records import PinLookup, PinRecord, PinState
from .vault import (
    ClaimLostError,
    CorruptRecordError,
    NoVaultError,
    VaultError,
    VaultIdentity,
    VaultLostError,
    check_seconds,
)

_SCHEMES = ("redis", "rediss", "unix")

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


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class RedisVault:
    """PIN records and claims in Redis under ``prefix``.

    ``url`` is a redis URL (``redis://host:6379/0``); pass ``client`` to use a
    ``redis.asyncio.Redis`` you own instead (it is not closed here).
    ``create=False`` refuses to start a new vault where none exists (for
    ``status``/``resume``: an absent vault may be one Redis lost).
    ``connect_timeout`` bounds connecting; each command waits at most three
    times as long, so a stalled Redis fails the run instead of hanging it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        key: str | bytes | None = None,
        prefix: str = "mca:pins",
        client: Any = None,
        connect_timeout: float = 3.0,
        create: bool = True,
    ) -> None:
        if url is None and client is None:
            raise ValueError("pass a redis url or client")
        if url is not None:
            if not isinstance(url, str):
                raise TypeError(f"url must be a str, got {type(url).__name__}")
            if urlsplit(url).scheme not in _SCHEMES:
                raise ValueError(
                    f"url must be a redis://, rediss:// or unix:// URL, got scheme {urlsplit(url).scheme!r}"
                )
        if not isinstance(prefix, str) or not prefix or any(c.isspace() or c in "*?[]" for c in prefix):
            raise ValueError("prefix must be a non-empty str without spaces or glob characters")
        if not isinstance(create, bool):
            raise TypeError(f"create must be a bool, got {type(create).__name__}")
        self._connect_timeout = check_seconds(
            connect_timeout, "connect_timeout", low=0.0, high=600.0, low_inclusive=False
        )
        self._create = create
        self.identity: VaultIdentity | None = None
        """Set once open: this vault's id, creation time and generation."""
        self.warnings: list[str] = []
        """Things the operator should know about the server (e.g. persistence off), set by ``open``."""
        self._cipher = PinCipher(load_key(key))
        self._url = url
        self._prefix = prefix
        self._owns = client is None
        self._client: Any = client
        self._opened = False
        self._save: Any = None
        self._renew: Any = None
        self._release: Any = None

    def __repr__(self) -> str:
        return f"RedisVault({self.location!r})"

    @property
    def location(self) -> str:
        return f"{redact_url(self._url) if self._url else 'redis'} (prefix {self._prefix})"

    @property
    def cli_args(self) -> str:
        """The CLI flags that name this vault (for pasteable hints; a password in the URL is redacted)."""
        url = redact_url(self._url) if self._url else "redis://HOST:6379/0"
        return f"--redis {url} --redis-prefix {self._prefix}"

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
        try:
            await self._open_identity(client)
        except (rexc.ConnectionError, rexc.TimeoutError, OSError) as exc:
            await self._close_client()
            raise VaultError(f"cannot reach Redis at {self.location}: {type(exc).__name__}") from None
        except rexc.RedisError as exc:
            await self._close_client()
            raise VaultError(f"Redis at {self.location} refused: {str(exc)[:200]}") from None
        except BaseException:
            await self._close_client()
            raise
        self._save = client.register_script(_SAVE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._opened = True
        return self

    def _meta_key(self, name: str) -> str:
        return f"{self._prefix}:meta:{name}"

    async def _open_identity(self, client: Any) -> None:
        """Check the key canary and the identity; create both only in a Redis with no trace of a vault."""
        canary_key = self._meta_key("canary")
        blob = await client.get(canary_key)
        if blob is None:
            traces = await self._traces(client)
            if traces:
                raise VaultLostError(
                    f"the vault at {self.location} lost its identity while {traces} remain: Redis lost "
                    "data (restarted without persistence?). PINs set by earlier runs may be recorded "
                    "nowhere; do not trust `pins status` here until this is understood"
                )
            if not self._create:
                raise NoVaultError(
                    f"no PIN vault at {self.location}: it was never created there, or Redis lost its data "
                    "(a restart without appendonly). If a run used this vault, numbers it left pending are "
                    "recorded nowhere now: check that run's report"
                )
            now = repr(time.time()).encode()
            await client.set(canary_key, self._cipher.canary(), nx=True)
            await client.set(self._meta_key("id"), uuid.uuid4().hex, nx=True)
            await client.set(self._meta_key("created_at"), now, nx=True)
            await client.set(self._meta_key("key_fingerprint"), self._cipher.fingerprint, nx=True)
            blob = await client.get(canary_key)
            if blob is None:  # pragma: no cover - deleted between our two calls
                raise VaultError(f"the vault at {self.location} vanished while being created")
        fingerprint_key = self._meta_key("key_fingerprint")
        try:
            self._cipher.check_canary(bytes(blob))
        except WrongKeyError:
            found = await client.get(fingerprint_key)
            expected = (
                f"the key with fingerprint {bytes(found).decode('ascii', 'replace')}"
                if found is not None
                else "the key it was created with"
            )
            raise WrongKeyError(
                f"wrong key for the vault at {self.location}: it expects {expected}, this key's fingerprint "
                f"is {self._cipher.fingerprint} (pass the right one with --key-file FILE or META_PIN_KEY)"
            ) from None
        # Vaults from before fingerprints get one now (the key was just checked).
        await client.set(fingerprint_key, self._cipher.fingerprint, nx=True)
        vault_id = await client.get(self._meta_key("id"))
        if vault_id is None:  # a vault from before ids were recorded: give it one now
            await client.set(self._meta_key("id"), uuid.uuid4().hex, nx=True)
            vault_id = await client.get(self._meta_key("id"))
        generation = int(await client.incr(self._meta_key("generation")))
        created_raw = await client.get(self._meta_key("created_at"))
        try:
            created = float(created_raw) if created_raw is not None else None
        except ValueError:
            created = None
        self.identity = VaultIdentity(
            None if vault_id is None else bytes(vault_id).decode("ascii", "replace"),
            created,
            generation,
            key_fingerprint=self._cipher.fingerprint,
        )
        self.warnings = await self._persistence_warnings(client)

    async def _traces(self, client: Any) -> str:
        """What is left under the prefix without a vault identity (records, claims), or ``""``."""
        found: list[str] = []
        for kind in ("rec", "claim"):
            cursor = 0
            while True:
                cursor, keys = await client.scan(cursor, match=f"{self._prefix}:{kind}:*", count=1000)
                if keys:
                    found.append("records" if kind == "rec" else "claims")
                    break
                if cursor == 0:
                    break
        return " and ".join(found)

    async def _persistence_warnings(self, client: Any) -> list[str]:
        from redis import exceptions as rexc

        try:
            config = await client.config_get("appendonly")
        except rexc.RedisError:  # CONFIG is often disabled on managed Redis: nothing to say then
            return []
        if str(_text(config.get("appendonly", b""))).lower() == "no":
            return [
                f"Redis at {self.location} runs with appendonly off: a restart loses every PIN in the vault. "
                "Set `appendonly yes` and `appendfsync always` before trusting it with PINs"
            ]
        return []

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

    def _decode(self, raw: bytes, pid: str) -> PinRecord:
        """One stored value to a record; anything off is a :class:`CorruptRecordError` for ``pid`` alone."""
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise CorruptRecordError(pid, "not JSON") from None
        if not isinstance(data, dict):
            raise CorruptRecordError(pid, "not a JSON object")
        if data.get("id") != pid:
            raise CorruptRecordError(pid, "stored under another number's key")

        def dec(field: str) -> str | None:
            value = data.get(field)
            if value is None:
                return None
            try:
                return self._cipher.decrypt(base64.b64decode(value, validate=True), f"{pid}:{field}").decode()
            except (TypeError, ValueError, binascii.Error, WrongKeyError):
                # The key was checked at open (the canary): this ciphertext is damaged, not the key.
                raise CorruptRecordError(pid, f"the {field} PIN does not decrypt") from None

        def num(field: str, *, optional: bool = False) -> Any:
            value = data.get(field)
            if value is None and optional:
                return None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CorruptRecordError(pid, f"{field} is not a number")
            return value

        try:
            state = PinState(data.get("state"))
        except ValueError:
            raise CorruptRecordError(pid, "unknown state") from None
        last_error = data.get("last_error")
        if last_error is not None and not isinstance(last_error, str):
            raise CorruptRecordError(pid, "last_error is not text")
        flagged = data.get("flagged")
        if not isinstance(flagged, bool):
            raise CorruptRecordError(pid, "flagged is not a boolean")
        rotated_at, pending_since = num("rotated_at", optional=True), num("pending_since", optional=True)
        return PinRecord(
            phone_number_id=pid,
            state=state,
            current=dec("current"),
            previous=dec("previous"),
            pending=dec("pending"),
            flagged=flagged,
            attempts=int(num("attempts")),
            last_error=last_error,
            updated_at=float(num("updated_at")),
            rotated_at=None if rotated_at is None else float(rotated_at),
            pending_since=None if pending_since is None else float(pending_since),
        )

    async def load(self, phone_number_id: str) -> PinRecord | None:
        raw = await self._call(lambda: self._client.get(self._rec_key(phone_number_id)))
        return None if raw is None else self._decode(raw, phone_number_id)

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        pid = record.phone_number_id
        value = self._encode(record)
        ok = await self._call(
            lambda: self._save(keys=[self._rec_key(pid), self._claim_key(pid)], args=[owner or "", value])
        )
        if not ok:
            raise ClaimLostError(f"{pid}: this worker no longer holds the claim; not written")

    async def records(
        self, *, batch: int = 500, on_corrupt: Callable[[CorruptRecordError], None] | None = None
    ) -> AsyncIterator[PinRecord]:
        """Every record; a value that does not decode raises, or with ``on_corrupt`` is reported and skipped."""
        if not self._opened:
            await self.open()
        cursor = 0
        match = f"{self._prefix}:rec:*"
        skip = len(self._prefix) + len(":rec:")
        while True:
            cursor, keys = await self._call(lambda c=cursor: self._client.scan(c, match=match, count=batch))
            if keys:
                values = await self._call(lambda k=keys: self._client.mget(k))
                for key, raw in zip(keys, values, strict=True):
                    if raw is None:
                        continue
                    try:
                        record = self._decode(raw, _text(key)[skip:])
                    except CorruptRecordError as exc:
                        if on_corrupt is None:
                            raise
                        on_corrupt(exc)
                        continue
                    yield record
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
