"""Dedupe stores: Meta redelivers and duplicates, so each event is claimed once by its key.

Keys (``Event.dedupe_key``): the message id; (status id, status) for statuses; a hash of
the item for everything else. ``claim`` answers, per key, whether this is its first sighting.
``MemoryDedupe`` serves one process; ``RedisDedupe`` (``SET key 1 NX EX ttl``, pipelined)
lets several receivers behind a load balancer handle each event once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["Dedupe", "MemoryDedupe", "RedisDedupe"]


@runtime_checkable
class Dedupe(Protocol):
    """Where the router remembers the events it already accepted, to drop Meta's redeliveries.

    ``MemoryDedupe`` serves one process; ``RedisDedupe`` shares the memory between receivers.
    """

    async def claim(self, keys: Sequence[str]) -> list[bool]:
        """For each key: True if unseen (and now marked seen), False if a repeat."""
        ...

    async def release(self, keys: Sequence[str]) -> None:
        """Forget keys claimed for events that could not be accepted after all."""
        ...


class MemoryDedupe:
    """Bounded LRU of keys with a TTL; ``clock`` is injectable (monotonic seconds)."""

    def __init__(
        self,
        *,
        ttl: float = 24 * 3600.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self._ttl = ttl
        self._max = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    async def claim(self, keys: Sequence[str]) -> list[bool]:
        """For each key: True if unseen (and now marked seen for the TTL), False if a repeat."""
        now = self._clock()
        seen = self._seen
        # Expire from the oldest end: entries are kept in insertion order, all with the same TTL.
        while seen:
            oldest, expires = next(iter(seen.items()))
            if expires > now:
                break
            del seen[oldest]
        out = []
        for key in keys:
            until = seen.get(key)
            if until is not None and until > now:
                out.append(False)
                continue
            seen[key] = now + self._ttl
            if until is not None:  # an expired key kept its old place: move it to the young end
                seen.move_to_end(key)
            out.append(True)
        while len(seen) > self._max:
            seen.popitem(last=False)
        return out

    async def release(self, keys: Sequence[str]) -> None:
        """Forget keys claimed for events that could not be accepted after all."""
        for key in keys:
            self._seen.pop(key, None)


class RedisDedupe:
    """``SET <prefix><key> 1 NX EX <ttl>`` for each key, in one pipeline (atomic per key).

    ``redis`` is a ``redis.asyncio.Redis`` (or a URL, then this store owns and closes it).
    Needs the ``redis`` extra.
    """

    def __init__(self, redis: Any, *, ttl: int = 24 * 3600, prefix: str = "mca:webhook:seen:") -> None:
        if ttl < 1:
            raise ValueError("ttl must be at least one second")
        if isinstance(redis, str):
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(redis)
            self._owned = True
        else:
            self._redis = redis
            self._owned = False
        self._ttl = int(ttl)
        self._prefix = prefix

    async def claim(self, keys: Sequence[str]) -> list[bool]:
        """For each key: True if unseen, False if a repeat; one ``SET NX EX`` per key in one pipeline, so receivers race safely."""
        if not keys:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.set(self._prefix + key, b"1", nx=True, ex=self._ttl)
        results = await pipe.execute()
        return [bool(r) for r in results]

    async def release(self, keys: Sequence[str]) -> None:
        """Forget keys claimed for events that could not be accepted after all."""
        if keys:
            await self._redis.delete(*(self._prefix + k for k in keys))

    async def aclose(self) -> None:
        """Close the Redis connection if this dedupe made it; a client passed in stays open."""
        if self._owned:
            await self._redis.aclose()
