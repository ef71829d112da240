"""Client-side pacing: Meta's budgets as token buckets, slowed by its usage headers.

Budgets
-------
Each operation declares the budget it draws on (``ApiRequest.budget``), and the
client turns it into bucket keys in ``request.meta.rate_limit_keys``:

- ``messaging`` (message sends only): ``"phone:<sending number>"`` at
  ``RateLimitPolicy.messaging_rate``/``messaging_burst`` (Meta's 80 mps default;
  1,000 for upgraded numbers, 20 for coexistence numbers), plus the pair key
  ``"pair:phone:<number>:<recipient>"`` at ``1 / pair_interval`` with
  ``pair_burst`` (Meta's pair limit, 131056: about one message per 6 s to one user);
- ``management`` (2SV, registration, reads, templates...): ``"waba:<id>"`` at
  ``per_waba_rate``/``per_waba_burst`` (off by default: Meta steers these
  budgets through ``X-Business-Use-Case-Usage``, below);
- ``app`` (uploads): ``"app"`` at ``app_rate``/``app_burst`` (off by default).

So management calls never wait behind message sends. Every attempt (retries
included: this middleware sits inside the retry middleware) takes one token
from the bucket of each key; a key whose rate is ``None`` is not paced (unless
the usage rules below switch it on).

Buckets use a reservation model (GCRA, "virtual scheduling"). With
``T = 1 / rate`` each bucket keeps one number, ``tat`` (the theoretical
arrival time), and a take at time ``now`` does::

    tat  = max(tat, now, blocked + (burst - 1) * T) + T
    wait = max(0, tat - burst * T - now)

So a full bucket lets ``burst`` calls through at once, and afterwards the
N-th queued caller waits exactly ``N / rate``: concurrent waiters are each
given their own slot when they arrive and sleep until it, without waking each
other. ``blocked`` is a hold (below): no call goes before it, and the bucket
restarts empty-but-one at that instant, so a hold is followed by a steady
pace, not a burst. A caller cancelled while waiting gives its token back.

Usage headers
-------------
Each response's ``X-Business-Use-Case-Usage`` (per business object id, mapped
to key ``"waba:<id>"``) and ``X-App-Usage`` (mapped to key ``"app"``, which
then applies to every call) give a usage ``u``: the largest of
``call_count``, ``total_cputime`` and ``total_time`` (percent) over the
entries of that object. With ``s = slow_at`` and ``p = pause_at``::

    factor(u) = 1                                          if u <  s
              = 1 - (1 - min_factor) * (u - s) / (p - s)   if s <= u < p
              = min_factor                                 if u >= p

and the key's effective rate and burst become ``rate * factor`` and
``max(1, burst * factor)``. A key without a configured rate (``"app"``, or a
WABA when ``per_waba_rate`` is None) is paced at ``usage_base_rate * factor``
with burst 1 while ``factor < 1`` or it is held, and not at all otherwise.

Holds: when ``u >= pause_at``, the key is held for ``pause_seconds``; when an
entry has ``estimated_time_to_regain_access`` (minutes) > 0 the hold is that
many minutes; when a throttling error arrives (codes 4, 17, 341 hold
``"app"``; 80007 the request's WABA keys; 130429 its phone keys) the hold is
the server's hint (``Retry-After``, else the regain time) or else
``usage_hold_seconds`` (4, 17, 341, 80007) or ``throughput_hold_seconds``
(130429); a 131056 holds only the request's ``pair:`` key, for
``pair_interval``. Holds only ever extend. Headers that are absent cost nothing;
headers that are malformed are ignored.

Sharing budgets
---------------
Buckets and holds live in a :class:`BucketStore`. The default
:class:`MemoryBucketStore` is per process; a shared store (e.g. Redis) lets
several processes draw from one budget. Holds on keys without a configured
rate are only known to the process that saw them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from .._checks import check_number, number_field
from .._facts import is_ascii_digits
from .._hints import server_wait_hint
from .._http import Request, RequestMeta, Response, loads_json
from .._options import NOT_GIVEN
from ..errors import (
    APP_THROTTLE_CODES,
    PAIR_LIMIT_CODES,
    THROUGHPUT_CODES,
    WABA_THROTTLE_CODES,
    ConnectError,
    LocalThrottleError,
    MetaCloudError,
)
from .base import Handler

logger = logging.getLogger("meta_cloud_async")

__all__ = ["BucketStore", "MemoryBucketStore", "RateLimitMiddleware", "RateLimitPolicy", "usage_factor"]

APP_KEY = "app"
#: Waits this long or longer are logged at INFO; a steady 80/s pace is not worth a line per call.
HOLD_LOG_SECONDS = 1.0


@runtime_checkable
class BucketStore(Protocol):
    """Where token buckets and holds live; share one between processes to share a budget.

    All times are seconds on the middleware's clock (``now`` is passed in);
    processes sharing a store must use comparable clocks (e.g. ``time.time``
    on hosts with synchronised clocks), or a store may use its own time source
    consistently and translate with ``now``. Every method must be atomic with
    respect to concurrent callers of the same key.
    """

    async def reserve(self, key: str, rate: float, burst: float, now: float) -> float:
        """Take one token from bucket ``key`` and return how long the caller must wait.

        The token is reserved whatever the result: the caller must wait the
        returned seconds (``0.0`` when it may send now) before sending, and
        later callers queue behind it. ``rate`` (tokens per second, > 0) and
        ``burst`` (bucket size, >= 1) are given on every call and may change
        between calls. The wait also respects any hold set by
        :meth:`block_until`. Exact arithmetic: see the module docstring.
        """
        ...

    async def refund(self, key: str, rate: float, now: float) -> None:
        """Give back one token reserved by a caller that will not send (e.g. it was cancelled).

        ``tat -= 1 / rate``; the freed slot goes to the next arrival and never
        moves a call before an active hold.
        """
        ...

    async def block_until(self, key: str, until: float, now: float) -> None:
        """Hold ``key``: no reservation may be scheduled before ``until``.

        Holds only extend (``blocked = max(blocked, until)``); after ``until``
        the bucket refills from one token.
        """
        ...

    async def blocked_until(self, key: str, now: float) -> float:
        """The time until which ``key`` is held, or ``0.0`` if it never was."""
        ...


class MemoryBucketStore:
    """The default in-process store: two dicts, no locks needed on one event loop.

    Its ``*_now`` methods are the synchronous core; the middleware calls them
    directly to keep an uncontended take to a few microseconds.
    """

    __slots__ = ("_blocked", "_tat")

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._blocked: dict[str, float] = {}

    def reserve_now(self, key: str, rate: float, burst: float, now: float) -> float:
        """``reserve`` without the await: take one token from ``key`` and return the wait in seconds."""
        interval = 1.0 / rate
        tat = self._tat.get(key, now)
        if tat < now:
            tat = now
        if self._blocked:
            blocked = self._blocked.get(key)
            if blocked is not None:
                floor = blocked + (burst - 1.0) * interval
                if tat < floor:
                    tat = floor
        tat += interval
        self._tat[key] = tat
        wait = tat - burst * interval - now
        return wait if wait > 0.0 else 0.0

    def refund_now(self, key: str, rate: float, now: float) -> None:
        """``refund`` without the await: give back one token of ``key``."""
        tat = self._tat.get(key)
        if tat is not None:
            self._tat[key] = tat - 1.0 / rate

    def block_until_now(self, key: str, until: float, now: float) -> None:
        """``block_until`` without the await: hold ``key`` until ``until`` (holds only extend)."""
        if until > self._blocked.get(key, -math.inf):
            self._blocked[key] = until

    async def reserve(self, key: str, rate: float, burst: float, now: float) -> float:
        """Take one token from bucket ``key`` and return how long the caller must wait (see ``BucketStore.reserve``)."""
        return self.reserve_now(key, rate, burst, now)

    async def refund(self, key: str, rate: float, now: float) -> None:
        """Give back one token reserved by a caller that will not send."""
        self.refund_now(key, rate, now)

    async def block_until(self, key: str, until: float, now: float) -> None:
        """Hold ``key``: no reservation may be scheduled before ``until``."""
        self.block_until_now(key, until, now)

    async def blocked_until(self, key: str, now: float) -> float:
        """The time until which ``key`` is held, or ``0.0`` if it never was."""
        return self._blocked.get(key, 0.0)


_positive_or_none = number_field(minimum=0, exclusive=True, optional=True)
_positive = number_field(minimum=0, exclusive=True)
_non_negative = number_field(minimum=0)
_burst = number_field(minimum=1)


def _check_thresholds(instance: RateLimitPolicy, _: Any, value: float) -> None:
    check_number("pause_at", value)
    if not 0 <= instance.slow_at < instance.pause_at:
        raise ValueError(
            f"need 0 <= slow_at < pause_at, got slow_at={instance.slow_at!r}, pause_at={instance.pause_at!r}"
        )


def _check_store(_: Any, __: Any, value: Any) -> None:
    if value is not None and not isinstance(value, BucketStore):
        raise TypeError(
            f"store must be a BucketStore (reserve, refund, block_until, blocked_until) or None, "
            f"got {type(value).__name__}"
        )


@attrs.frozen(kw_only=True)
class RateLimitPolicy:
    """How fast to send, per key; ``WhatsApp(rate_limit=None)`` turns pacing off.

    Rates are tokens per second (``per_waba_rate=5000 / 3600`` for 5,000 calls
    an hour); bursts are bucket sizes. The defaults follow Meta's 80
    messages/s per number and its pair limit, and leave the WABA and app
    budgets to the usage headers.

    - ``slow_at``/``pause_at`` (percent), ``min_factor``: the usage slowdown;
    - ``usage_base_rate``: pace of a slowed or held key that has no rate of its own;
    - ``pause_seconds``: hold when usage reaches ``pause_at``;
    - ``usage_hold_seconds``/``throughput_hold_seconds``: hold after a
      4/17/341/80007 or a 130429 error that came without a wait hint;
    - ``max_hold_seconds``: no hint, however large, holds a key longer;
    - ``max_wait``: a call that would wait longer than this before sending
      raises :class:`~meta_cloud_async.errors.LocalThrottleError` instead
      (nothing sent, its tokens given back); None waits as long as it takes;
    - ``store``: where buckets live; None gives each middleware its own
      :class:`MemoryBucketStore` (``with_options`` copies share it).

    Every number must be finite (a ``nan`` rate would never refill; a
    ``nan`` cap would never apply); a wrong type is a ``TypeError`` naming
    the field. Formulas: module docstring.
    """

    messaging_rate: float | None = attrs.field(default=80.0, validator=_positive_or_none)
    messaging_burst: float = attrs.field(default=80.0, validator=_burst)
    pair_interval: float | None = attrs.field(default=6.0, validator=_positive_or_none)
    pair_burst: float = attrs.field(default=3.0, validator=_burst)
    app_rate: float | None = attrs.field(default=None, validator=_positive_or_none)
    app_burst: float = attrs.field(default=10.0, validator=_burst)
    per_waba_rate: float | None = attrs.field(default=None, validator=_positive_or_none)
    per_waba_burst: float = attrs.field(default=100.0, validator=_burst)
    slow_at: float = attrs.field(default=75.0, validator=number_field())
    pause_at: float = attrs.field(default=95.0, validator=_check_thresholds)
    min_factor: float = attrs.field(default=0.1, validator=number_field(minimum=0, exclusive=True, maximum=1))
    usage_base_rate: float = attrs.field(default=5.0, validator=_positive)
    pause_seconds: float = attrs.field(default=60.0, validator=_non_negative)
    usage_hold_seconds: float = attrs.field(default=60.0, validator=_non_negative)
    throughput_hold_seconds: float = attrs.field(default=1.0, validator=_non_negative)
    max_hold_seconds: float = attrs.field(default=3600.0, validator=_positive)
    max_wait: float | None = attrs.field(default=300.0, validator=_positive_or_none)
    store: BucketStore | None = attrs.field(default=None, eq=False, validator=_check_store)

    def limit_for(self, key: str) -> tuple[float, float] | None:
        """The configured ``(rate, burst)`` for ``key``, or None when it is not paced."""
        kind = key.partition(":")[0]
        if kind == "phone" and self.messaging_rate is not None:
            return (self.messaging_rate, self.messaging_burst)
        if kind == "pair" and self.pair_interval is not None:
            return (1.0 / self.pair_interval, self.pair_burst)
        if kind == "waba" and self.per_waba_rate is not None:
            return (self.per_waba_rate, self.per_waba_burst)
        if kind == APP_KEY and self.app_rate is not None:
            return (self.app_rate, self.app_burst)
        return None


_OFF = RateLimitPolicy()


def usage_factor(usage: float, policy: RateLimitPolicy) -> float:
    """The rate multiplier for a usage percentage (formula in the module docstring)."""
    if usage < policy.slow_at:
        return 1.0
    if usage >= policy.pause_at:
        return policy.min_factor
    span = (usage - policy.slow_at) / (policy.pause_at - policy.slow_at)
    return 1.0 - (1.0 - policy.min_factor) * span


class _Adaptive:
    """What the usage headers and throttle errors said about one key."""

    __slots__ = ("factor", "hold_until")

    def __init__(self) -> None:
        self.factor = 1.0
        self.hold_until = -math.inf


_NOT_CACHED: Any = object()


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _entry_usage(entry: Any) -> tuple[float, float]:
    """``(max percent, regain minutes)`` of one usage entry; zeros when malformed."""
    if not isinstance(entry, dict):
        return (0.0, 0.0)
    usage = 0.0
    for name in ("call_count", "total_cputime", "total_time"):
        value = _number(entry.get(name))
        if value is not None and value > usage:
            usage = value
    regain = _number(entry.get("estimated_time_to_regain_access")) or 0.0
    return (usage, max(regain, 0.0))


# Usage headers repeat the same text for many calls in a row (percentages move
# in whole steps), so parsing is cached by the raw string: a hit costs a dict
# lookup instead of a JSON decode and a walk per response.
@functools.lru_cache(maxsize=256)
def _parse_buc(raw: str) -> tuple[tuple[str, tuple[float, float]], ...]:
    try:
        data: Any = loads_json(raw)
    except ValueError:
        return ()
    if not isinstance(data, dict):
        return ()
    out: list[tuple[str, tuple[float, float]]] = []
    for object_id, entries in data.items():
        usage = regain = 0.0
        for entry in entries if isinstance(entries, list) else [entries]:
            u, r = _entry_usage(entry)
            usage, regain = max(usage, u), max(regain, r)
        out.append((f"waba:{object_id}", (usage, regain)))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _parse_app(raw: str) -> tuple[float, float] | None:
    try:
        data: Any = loads_json(raw)
    except ValueError:
        return None
    return _entry_usage(data) if isinstance(data, dict) else None


def must_observe(response: Response) -> bool:
    """Whether an answer carries something to learn: an error, or one of Meta's usage headers."""
    if response.status_code >= 400:
        return True
    headers = response.headers
    return bool(headers) and ("x-business-use-case-usage" in headers or "x-app-usage" in headers)


def _throttle_code(response: Response) -> int | None:
    # The body is decoded once per response and shared with the error mapping and the client.
    data: Any = response.decoded()
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, str) and is_ascii_digits(code):  # int('²') raises
        code = int(code)
    return code if isinstance(code, int) and not isinstance(code, bool) else None


class RateLimitMiddleware:
    """Wait for a token on each of the request's keys, then send; learn from the response.

    Sits inside the retry middleware so every attempt is paced. ``clock`` and
    ``sleep`` are injected for exact tests; ``wall_clock`` only reads
    ``Retry-After`` dates.
    """

    def __init__(
        self,
        policy: RateLimitPolicy | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        # ``None``: off, unless a ``with_options(rate_limit=...)`` copy turns it on for its calls.
        self.policy = policy if policy is not None else _OFF
        self._off = policy is None
        self.store: BucketStore = (
            policy.store if policy is not None and policy.store is not None else MemoryBucketStore()
        )
        self._memory = self.store if type(self.store) is MemoryBucketStore else None
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._limits: dict[str, tuple[float, float] | None] = {}
        self._plans: dict[tuple[str, ...], tuple[tuple[str, float, float], ...]] = {}
        self._adaptive: dict[str, _Adaptive] = {}
        self._app: _Adaptive | None = None

    # -- introspection ----------------------------------------------------------------

    def factor(self, key: str) -> float:
        """The current usage multiplier for ``key`` (1.0 when nothing slowed it)."""
        state = self._adaptive.get(key)
        return 1.0 if state is None else state.factor

    def held_until(self, key: str) -> float:
        """The time on ``clock`` until which this process holds ``key`` (``-inf`` if not held)."""
        state = self._adaptive.get(key)
        return -math.inf if state is None else state.hold_until

    # -- the call path ------------------------------------------------------------------

    def _limit(self, key: str, policy: RateLimitPolicy) -> tuple[float, float] | None:
        if policy is not self.policy:
            return policy.limit_for(key)
        limit = self._limits.get(key, _NOT_CACHED)
        if limit is _NOT_CACHED:
            if len(self._limits) > 100_000:  # one entry per recipient pair: keep it bounded
                self._limits.clear()
            limit = self._limits[key] = policy.limit_for(key)
        return limit  # type: ignore[no-any-return]

    def _effective(self, key: str, now: float, policy: RateLimitPolicy) -> tuple[float, float] | None:
        limit = self._limit(key, policy)
        state = self._adaptive.get(key) if self._adaptive else None
        if state is None:
            return limit
        factor = state.factor
        if limit is None:
            if factor >= 1.0 and state.hold_until <= now:
                return None
            return (policy.usage_base_rate * factor, 1.0)
        if factor >= 1.0:
            return limit
        return (limit[0] * factor, max(1.0, limit[1] * factor))

    def _plan(
        self, keys: tuple[str, ...], now: float, policy: RateLimitPolicy
    ) -> tuple[tuple[str, float, float], ...]:
        """The buckets one attempt takes from: (key, rate, burst) of every limited key.

        While nothing was learnt from Meta's answers (no usage factor, no hold), a key set's
        limits depend on the policy alone, so they are resolved once per key set and reused.
        """
        cacheable = policy is self.policy and not self._adaptive
        if cacheable:
            plan = self._plans.get(keys)
            if plan is not None:
                return plan
        resolved = []
        for key in keys:
            limit = self._effective(key, now, policy)
            if limit is not None:
                resolved.append((key, limit[0], limit[1]))
        plan = tuple(resolved)
        if cacheable:
            if len(self._plans) > 100_000:  # one entry per recipient pair: keep it bounded
                self._plans.clear()
            self._plans[keys] = plan
        return plan

    def policy_for(self, meta: RequestMeta) -> RateLimitPolicy | None:
        """The policy that paces a call with this metadata: a copy's own, the middleware's, or None (off)."""
        policy = meta.rate_limit
        if policy is NOT_GIVEN:
            return None if self._off else self.policy
        return policy  # type: ignore[no-any-return]

    def __call__(self, request: Request, call_next: Handler) -> Awaitable[Response]:
        # A plain function: with pacing off for this call it adds no coroutine frame.
        policy = self.policy_for(request.meta)
        if policy is None:
            return call_next(request)
        return self._paced(request, call_next, policy)

    async def _paced(self, request: Request, call_next: Handler, policy: RateLimitPolicy) -> Response:
        pending = self.take(request, policy)
        if pending is not None:
            await pending
        response = await call_next(request)
        if must_observe(response):
            await self.observe(request, response, policy)
        return response

    def take(self, request: Request, policy: RateLimitPolicy) -> Awaitable[None] | None:
        """Take one token per bucket of this attempt; an awaitable when the caller must wait first.

        With the in-process store and tokens to spare this is synchronous and returns None: the
        retry middleware calls it inline (see ``build_chain``), so pacing adds no coroutine frame.
        """
        keys = request.meta.rate_limit_keys
        if self._app is not None and APP_KEY not in keys:
            keys = (*keys, APP_KEY)
        if not keys:
            return None
        memory = self._memory
        if memory is None:
            return self._take_from_store(request, keys, policy)
        now = self._clock()
        plan = self._plan(keys, now, policy)
        wait = 0.0
        for key, rate, burst in plan:
            w = memory.reserve_now(key, rate, burst, now)
            if w > wait:
                wait = w
        if wait > 0.0:
            return self._wait(request, [(key, rate) for key, rate, _ in plan], wait, policy)
        return None

    async def _take_from_store(
        self, request: Request, keys: tuple[str, ...], policy: RateLimitPolicy
    ) -> None:
        now = self._clock()
        taken: list[tuple[str, float]] = []
        wait = 0.0
        for key, rate, burst in self._plan(keys, now, policy):
            w = await self._reserve(key, rate, burst, now, taken)
            taken.append((key, rate))
            if w > wait:
                wait = w
        if wait > 0.0:
            await self._wait(request, taken, wait, policy)

    async def _wait(
        self, request: Request, taken: list[tuple[str, float]], wait: float, policy: RateLimitPolicy
    ) -> None:
        """Sleep until the reserved slot, or refuse (``max_wait``); a cancelled waiter gives its tokens back."""
        max_wait = policy.max_wait
        if max_wait is not None and wait > max_wait:
            await self._refund(taken)
            raise LocalThrottleError(
                f"pacing would hold this call for {wait:.0f} s (max_wait={max_wait:g} s); not sent",
                is_transient=True,
            )
        if wait >= HOLD_LOG_SECONDS:
            logger.info(
                "pacing holds %s for %.2f s (budget %s)",
                request.meta.operation,
                wait,
                ", ".join(k.partition(":")[0] for k, _ in taken) or "usage",
            )
        try:
            await self._sleep(wait)
        except asyncio.CancelledError:
            # A refund failing (its store is what stalled) must never replace the cancellation.
            with contextlib.suppress(Exception):
                await self._refund(taken)
            raise

    async def observe(self, request: Request, response: Response, policy: RateLimitPolicy) -> None:
        """Learn from an answer :func:`must_observe` picked: usage headers, throttling codes."""
        try:
            await self._observe(request, response, policy)
        except Exception as exc:  # the call happened: never lose its answer to a store failure
            logger.warning("rate limiter could not record usage: %s", type(exc).__name__)

    async def _reserve(
        self, key: str, rate: float, burst: float, now: float, taken: list[tuple[str, float]]
    ) -> float:
        """Reserve from a shared store; its failure means nothing was sent, which retries may repeat."""
        try:
            return await self.store.reserve(key, rate, burst, now)
        except (MetaCloudError, asyncio.CancelledError):
            raise
        except Exception as exc:
            with contextlib.suppress(Exception):
                await self._refund(taken)
            raise ConnectError(f"rate-limit store unavailable: {type(exc).__name__}") from exc

    async def _refund(self, taken: list[tuple[str, float]]) -> None:
        now = self._clock()
        for key, rate in taken:
            if self._memory is not None:
                self._memory.refund_now(key, rate, now)
            else:
                await self.store.refund(key, rate, now)

    # -- learning from responses ------------------------------------------------------

    def _state(self, key: str) -> _Adaptive:
        state = self._adaptive.get(key)
        if state is None:
            state = self._adaptive[key] = _Adaptive()
            if key == APP_KEY:
                self._app = state
        return state

    async def _hold(self, key: str, until: float, now: float, policy: RateLimitPolicy) -> None:
        until = min(until, now + policy.max_hold_seconds)
        state = self._state(key)
        if until > state.hold_until:
            state.hold_until = until
        await self.store.block_until(key, until, now)

    async def _apply_usage(
        self, key: str, usage: float, regain_minutes: float, now: float, policy: RateLimitPolicy
    ) -> None:
        factor = usage_factor(usage, policy)
        state = self._adaptive.get(key)
        if state is None and factor >= 1.0 and regain_minutes <= 0.0:
            return  # nothing to slow down: keep the hot path free of this key
        state = self._state(key)
        state.factor = factor
        hold = regain_minutes * 60.0
        if usage >= policy.pause_at:
            hold = max(hold, policy.pause_seconds)
        if hold > 0.0:
            await self._hold(key, now + hold, now, policy)
        elif factor >= 1.0 and state.hold_until <= now:
            self._forget(key)

    def _forget(self, key: str) -> None:
        del self._adaptive[key]
        if key == APP_KEY:
            self._app = None

    async def _observe(self, request: Request, response: Response, policy: RateLimitPolicy) -> None:
        headers: Mapping[str, str] = response.headers
        now = self._clock()
        buc = headers.get("x-business-use-case-usage")
        if buc:
            for key, (usage, regain) in _parse_buc(buc):
                await self._apply_usage(key, usage, regain, now, policy)
        app = headers.get("x-app-usage")
        if app:
            parsed = _parse_app(app)
            if parsed is not None:
                await self._apply_usage(APP_KEY, parsed[0], parsed[1], now, policy)
        if response.status_code < 400:
            return
        code = _throttle_code(response)
        if code in APP_THROTTLE_CODES:
            targets: tuple[str, ...] = (APP_KEY,)
            default_hold = policy.usage_hold_seconds
        elif code in WABA_THROTTLE_CODES:
            targets = self._keys_of(request, "waba:")
            default_hold = policy.usage_hold_seconds
        elif code in THROUGHPUT_CODES:
            targets = self._keys_of(request, "phone:")
            default_hold = policy.throughput_hold_seconds
        elif code in PAIR_LIMIT_CODES:
            # Only that recipient waits: never the sending number's other conversations.
            targets = tuple(k for k in request.meta.rate_limit_keys if k.startswith("pair:"))
            default_hold = policy.pair_interval or 6.0
        else:
            return
        hint = server_wait_hint(headers, wall_clock=self._wall_clock)
        hold = hint if hint is not None and hint > 0.0 else default_hold
        for key in targets:
            await self._hold(key, now + hold, now, policy)

    @staticmethod
    def _keys_of(request: Request, prefix: str) -> tuple[str, ...]:
        keys = request.meta.rate_limit_keys
        return tuple(k for k in keys if k.startswith(prefix)) or keys
