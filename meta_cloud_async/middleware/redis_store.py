"""A :class:`~meta_cloud_async.middleware.rate_limit.BucketStore` in Redis: one budget for many hosts.

Same GCRA arithmetic as ``MemoryBucketStore`` (see the rate-limit module),
run atomically in Lua. Times inside Redis are the Redis server's own clock
(``TIME``); each call translates with the caller's ``now``, so processes on
different hosts, even with unrelated monotonic clocks, share one schedule.
Idle keys expire on their own.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RedisBucketStore"]

# Every script starts here: ARGV[1] is the caller's now, ARGV[2] says whose clock schedules.
_NOW = """
local cnow = tonumber(ARGV[1])
local snow = cnow
if ARGV[2] == 'server' then
  local t = redis.call('TIME')
  snow = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

_RESERVE = (
    _NOW
    + """
local rate = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local interval = 1.0 / rate
local tat = tonumber(redis.call('GET', KEYS[1]) or snow)
if tat < snow then tat = snow end
local blocked = redis.call('GET', KEYS[2])
if blocked then
  local floor = tonumber(blocked) + (burst - 1) * interval
  if tat < floor then tat = floor end
end
tat = tat + interval
local ttl = math.ceil((tat - snow + burst * interval) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', ttl)
local wait = tat - burst * interval - snow
if wait < 0 then wait = 0 end
return string.format('%.6f', wait)
"""
)

_REFUND = (
    _NOW
    + """
local tat = redis.call('GET', KEYS[1])
if tat then
  redis.call('SET', KEYS[1], string.format('%.6f', tonumber(tat) - 1.0 / tonumber(ARGV[3])), 'KEEPTTL')
end
return 1
"""
)

_BLOCK = (
    _NOW
    + """
local until_s = snow + (tonumber(ARGV[3]) - cnow)
local old = redis.call('GET', KEYS[1])
if (not old) or tonumber(old) < until_s then
  local ttl = math.ceil((until_s - snow) * 1000) + 60000
  redis.call('SET', KEYS[1], string.format('%.6f', until_s), 'PX', ttl)
end
return 1
"""
)

_BLOCKED = (
    _NOW
    + """
local old = redis.call('GET', KEYS[1])
if not old then return '0' end
return string.format('%.6f', tonumber(old) - snow + cnow)
"""
)


class RedisBucketStore:
    """Token buckets and holds in Redis under ``prefix``; share one across workers to share a budget.

    ``client`` is a ``redis.asyncio.Redis`` (not closed here), or pass ``url``.
    ``server_time=True`` (the default) schedules on Redis's clock, so callers'
    clocks need not agree; ``False`` uses the caller's ``now`` as is (exact,
    like ``MemoryBucketStore``; right when every caller passes ``time.time``
    from synchronised hosts, and for tests).
    """

    def __init__(
        self, url: str | None = None, *, client: Any = None, prefix: str = "mca:rl", server_time: bool = True
    ) -> None:
        if client is None:
            if url is None:
                raise ValueError("pass a redis url or client")
            import redis.asyncio as aioredis

            client = aioredis.Redis.from_url(url, socket_connect_timeout=3.0)
            self._owns = True
        else:
            self._owns = False
        self._client = client
        self._prefix = prefix
        self._mode = "server" if server_time else "caller"
        self._reserve = client.register_script(_RESERVE)
        self._refund = client.register_script(_REFUND)
        self._block = client.register_script(_BLOCK)
        self._blocked = client.register_script(_BLOCKED)

    def __repr__(self) -> str:
        return f"RedisBucketStore(prefix={self._prefix!r})"

    def _keys(self, key: str) -> list[str]:
        return [f"{self._prefix}:tat:{key}", f"{self._prefix}:blocked:{key}"]

    async def reserve(self, key: str, rate: float, burst: float, now: float) -> float:
        if not rate > 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        result = await self._reserve(
            keys=self._keys(key), args=[repr(now), self._mode, repr(rate), repr(burst)]
        )
        return float(result)

    async def refund(self, key: str, rate: float, now: float) -> None:
        await self._refund(keys=self._keys(key)[:1], args=[repr(now), self._mode, repr(rate)])

    async def block_until(self, key: str, until: float, now: float) -> None:
        await self._block(keys=self._keys(key)[1:], args=[repr(now), self._mode, repr(until)])

    async def blocked_until(self, key: str, now: float) -> float:
        return float(await self._blocked(keys=self._keys(key)[1:], args=[repr(now), self._mode]))

    async def aclose(self) -> None:
        if self._owns:
            await self._client.aclose()
