"""Seeded, reproducible fault injection in front of the router.

A fault is decided per request, before the state machine runs, from one
``random.Random(seed)``: the same seed and the same request sequence give the
same faults. Kinds:

- ``latency`` + ``jitter``: a delay of ``latency + uniform(0, jitter)`` seconds
  before the request is handled (taken with the door's injectable ``sleep``);
- ``transient``: a Graph error with ``is_transient: true`` (code 1 as HTTP 400,
  code 2 as 503, code 131000 as 500, as Meta's error-codes reference lists them), nothing applied;
- ``reset_before``: the connection drops before the change is applied;
- ``reset_after``: the change IS applied, then the connection drops with no answer;
- ``slow_body``: the answer is written in ``slow_chunks`` pieces with
  ``slow_chunk_delay`` between them;
- ``cut_body`` (media): a download's body stops halfway and the connection
  drops; an upload chunk's body arrives only halfway (that half is kept) before
  the connection drops, so a client must resume from the offset;
- ``corrupt_body`` (media): one byte of a download's body is flipped (its
  ``sha256`` no longer matches);
- ``expire_url`` (media): a download URL is answered 404 as if it had expired.

Text syntax (the CLI's ``--faults``), comma-separated ``[route.]key=value``::

    transient=0.05,reset_after=0.01,latency=5ms,jitter=2ms,register.reset_before=0.5,seed=7

A route entry starts from the global values and overrides the keys it names.

``webhook.<key>=value`` items configure how the sandbox delivers webhooks
(:class:`WebhookFaults`): ``webhook.batch=5,webhook.duplicate=0.1,webhook.reorder=0.2,webhook.fail=0.1``.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Mapping
from typing import Any

import attrs

from .budgets import parse_duration
from .routes import ROUTE_NAMES

__all__ = ["ROUTES", "Decision", "FaultConfig", "FaultInjector", "FaultKind", "FaultRates", "WebhookFaults"]

#: Route names faults can target (also the names in the request log): one per sandbox handler.
ROUTES = ROUTE_NAMES

_RATE_KEYS = (
    "transient",
    "reset_before",
    "reset_after",
    "slow_body",
    "cut_body",
    "corrupt_body",
    "expire_url",
)
_DURATION_KEYS = ("latency", "jitter", "slow_chunk_delay")

# (code, HTTP status, title) of the transient failures Meta sends.
_TRANSIENT = (
    (1, 400, "An unknown error occurred"),
    (2, 503, "Service temporarily unavailable"),
    (131000, 500, "Something went wrong"),
)


def _rate(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"fault rate {attribute.name} must be within 0..1, got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    # Finite: an infinite latency would hold every faulted call (and its connection) forever.
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{attribute.name} must be finite and >= 0, got {value!r}")


def _chunks(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {type(value).__name__}")
    if not 1 <= value <= 10_000:
        raise ValueError(f"{attribute.name} must be >= 1 and <= 10000, got {value!r}")


@attrs.frozen(kw_only=True)
class FaultRates:
    """Fault probabilities and delays for one route (or for all of them)."""

    latency: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    jitter: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    transient: float = attrs.field(default=0.0, converter=float, validator=_rate)
    reset_before: float = attrs.field(default=0.0, converter=float, validator=_rate)
    reset_after: float = attrs.field(default=0.0, converter=float, validator=_rate)
    slow_body: float = attrs.field(default=0.0, converter=float, validator=_rate)
    slow_chunk_delay: float = attrs.field(default=0.05, converter=float, validator=_non_negative)
    slow_chunks: int = attrs.field(default=4, validator=_chunks)
    cut_body: float = attrs.field(default=0.0, converter=float, validator=_rate)
    corrupt_body: float = attrs.field(default=0.0, converter=float, validator=_rate)
    expire_url: float = attrs.field(default=0.0, converter=float, validator=_rate)

    def __attrs_post_init__(self) -> None:
        if self.transient + self.reset_before + self.reset_after > 1.0 + 1e-9:
            raise ValueError("transient + reset_before + reset_after must not exceed 1")

    @property
    def active(self) -> bool:
        """Whether any fault is switched on (a zero everywhere costs the router nothing)."""
        return bool(
            self.latency
            or self.jitter
            or self.transient
            or self.reset_before
            or self.reset_after
            or self.slow_body
            or self.cut_body
            or self.corrupt_body
            or self.expire_url
        )

    def rates(self) -> FaultRates:
        """These values as a plain :class:`FaultRates` (drops a config's routes and seed)."""
        return FaultRates(**{f.name: getattr(self, f.name) for f in attrs.fields(FaultRates)})


def _batch(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {type(value).__name__}")
    if not 1 <= value <= 1000:
        raise ValueError(f"webhook.{attribute.name} must be >= 1 and <= 1000, got {value!r}")


def _positive_duration(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 < value < math.inf:
        raise ValueError(f"webhook.{attribute.name} must be finite and > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class WebhookFaults:
    """How the sandbox delivers webhooks: Meta's batching, duplicates, disorder and retries, scaled down.

    ``batch``: at most this many items (messages, statuses, template events) per POST,
    spread over entries (one per WABA) and changes (one per number and field).
    ``duplicate``: chance a POST is sent a second time after it was delivered.
    ``reorder``: chance an item swaps places with the next one (a ``read`` before its ``delivered``).
    ``fail``: chance an accepted message is never delivered: ``sent``, then ``failed`` (131026).
    A POST answered non-2xx, or not within ``timeout`` seconds, is retried after ``backoff``
    seconds, doubling up to ``max_backoff``, until ``retry_for`` seconds after its first try
    (Meta keeps trying for days; the defaults are an hour). Rates and delays are seeded with
    the fault seed and run on the sandbox's clock (instant on a ``VirtualClock``); ``timeout``
    is real time, since the receiver is real.
    """

    batch: int = attrs.field(default=1, validator=_batch)
    duplicate: float = attrs.field(default=0.0, converter=float, validator=_rate)
    reorder: float = attrs.field(default=0.0, converter=float, validator=_rate)
    fail: float = attrs.field(default=0.0, converter=float, validator=_rate)
    backoff: float = attrs.field(default=1.0, converter=float, validator=_positive_duration)
    max_backoff: float = attrs.field(default=300.0, converter=float, validator=_positive_duration)
    retry_for: float = attrs.field(default=3600.0, converter=float, validator=_non_negative)
    timeout: float = attrs.field(default=10.0, converter=float, validator=_positive_duration)


_WEBHOOK_RATE_KEYS = ("duplicate", "reorder", "fail")
_WEBHOOK_DURATION_KEYS = ("backoff", "max_backoff", "retry_for", "timeout")


def _check_routes(_: object, __: object, value: Mapping[str, FaultRates]) -> None:
    unknown = set(value) - ROUTES
    if unknown:
        raise ValueError(f"unknown fault route(s) {sorted(unknown)}; known: {sorted(ROUTES)}")


@attrs.frozen(kw_only=True)
class FaultConfig(FaultRates):
    """Global fault rates, per-route overrides (each replaces the global rates for its route) and a seed."""

    routes: Mapping[str, FaultRates] = attrs.field(factory=dict, validator=_check_routes)
    seed: int | None = None
    #: Webhook delivery behaviour (``webhook.*`` keys); never affects Graph calls.
    webhook: WebhookFaults = attrs.field(factory=WebhookFaults)

    @property
    def active(self) -> bool:
        """Whether any fault is on, in the defaults or for a route."""
        return super().active or any(r.active for r in self.routes.values())

    def for_route(self, route: str) -> FaultRates:
        """The rates for ``route``: its own override, else the defaults."""
        return self.routes.get(route) or self.rates()

    @classmethod
    def parse(cls, spec: str) -> FaultConfig:
        """Build a config from the ``[route.]key=value,...`` syntax; raises ``ValueError`` on anything unknown."""
        global_values: dict[str, Any] = {}
        route_values: dict[str, dict[str, Any]] = {}
        webhook_values: dict[str, Any] = {}
        seed: int | None = None
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not value:
                raise ValueError(f"fault item {item!r} must be key=value")
            if key == "seed":
                seed = int(value)
                continue
            route, dot, name = key.rpartition(".")
            if route == "webhook":
                webhook_values[name] = _parse_webhook_value(name, value)
                continue
            if dot and route not in ROUTES:
                raise ValueError(f"unknown fault route {route!r}; known: {sorted(ROUTES)}")
            target = route_values.setdefault(route, {}) if dot else global_values
            target[name] = _parse_value(name, value)
        base = FaultRates(**global_values)
        routes = {route: attrs.evolve(base, **values) for route, values in route_values.items()}
        return cls(
            **{**global_values, "routes": routes, "seed": seed, "webhook": WebhookFaults(**webhook_values)}
        )


def _parse_rate(name: str, value: str) -> float:
    text = value[:-1] if value.endswith("%") else value
    try:
        rate = float(text)
    except ValueError:
        raise ValueError(f"fault rate {name} must be a number, got {value!r}") from None
    return rate / 100 if value.endswith("%") else rate


def _parse_value(name: str, value: str) -> float | int:
    if name in _RATE_KEYS:
        return _parse_rate(name, value)
    if name in _DURATION_KEYS:
        return parse_duration(value)
    if name == "slow_chunks":
        return int(value)
    known = sorted((*_RATE_KEYS, *_DURATION_KEYS, "slow_chunks", "seed"))
    raise ValueError(f"unknown fault key {name!r}; known: {known}")


def _parse_webhook_value(name: str, value: str) -> float | int:
    if name in _WEBHOOK_RATE_KEYS:
        return _parse_rate(f"webhook.{name}", value)
    if name in _WEBHOOK_DURATION_KEYS:
        return parse_duration(value)
    if name == "batch":
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"webhook.batch must be an integer, got {value!r}") from None
    known = sorted((*_WEBHOOK_RATE_KEYS, *_WEBHOOK_DURATION_KEYS, "batch"))
    raise ValueError(f"unknown webhook fault key {name!r}; known: {['webhook.' + k for k in known]}")


class FaultKind(enum.Enum):
    NONE = "none"
    TRANSIENT = "transient"
    RESET_BEFORE = "reset_before"
    RESET_AFTER = "reset_after"


@attrs.frozen(slots=True)
class Decision:
    """What happens to one request. ``transient`` is (code, status, title) for ``TRANSIENT``."""

    delay: float = 0.0
    kind: FaultKind = FaultKind.NONE
    transient: tuple[int, int, str] | None = None
    slow_chunks: int = 0
    slow_chunk_delay: float = 0.0
    cut: bool = False
    corrupt: bool = False
    expire: bool = False

    @property
    def label(self) -> str | None:
        """A short name for the request log (None when nothing happened)."""
        parts = []
        if self.delay:
            parts.append(f"latency={self.delay * 1000:.1f}ms")
        if self.kind is not FaultKind.NONE:
            parts.append(self.kind.value)
        if self.slow_chunks:
            parts.append("slow_body")
        parts.extend(
            name
            for name, on in (
                ("cut_body", self.cut),
                ("corrupt_body", self.corrupt),
                ("expire_url", self.expire),
            )
            if on
        )
        return ",".join(parts) or None


_NO_FAULT = Decision()


class FaultInjector:
    """Draws decisions from one seeded RNG; ``enabled`` is False when nothing can ever happen."""

    def __init__(self, config: FaultConfig | None, seed: int) -> None:
        self.config = config
        self.enabled = bool(config and config.active)
        self._rng = random.Random(seed if config is None or config.seed is None else config.seed)
        self._by_route: dict[str, FaultRates] = {}
        self._global = FaultRates()
        if config is not None:
            self._global = config.rates()
            self._by_route = {route: config.for_route(route) for route in ROUTES}

    def decide(self, route: str) -> Decision:
        if not self.enabled:
            return _NO_FAULT
        rates = self._by_route.get(route) or self._global
        if not rates.active:
            return _NO_FAULT
        rng = self._rng
        delay = rates.latency
        if rates.jitter:
            delay += rng.random() * rates.jitter
        kind = FaultKind.NONE
        transient = None
        if rates.transient or rates.reset_before or rates.reset_after:
            u = rng.random()
            if u < rates.transient:
                kind = FaultKind.TRANSIENT
                transient = _TRANSIENT[rng.randrange(len(_TRANSIENT))]
            elif u < rates.transient + rates.reset_before:
                kind = FaultKind.RESET_BEFORE
            elif u < rates.transient + rates.reset_before + rates.reset_after:
                kind = FaultKind.RESET_AFTER
        slow = bool(rates.slow_body) and rng.random() < rates.slow_body
        # Drawn only when set, so configurations without media faults keep their sequences.
        cut = bool(rates.cut_body) and rng.random() < rates.cut_body
        corrupt = bool(rates.corrupt_body) and rng.random() < rates.corrupt_body
        expire = bool(rates.expire_url) and rng.random() < rates.expire_url
        return Decision(
            delay=delay,
            kind=kind,
            transient=transient,
            slow_chunks=rates.slow_chunks if slow else 0,
            slow_chunk_delay=rates.slow_chunk_delay if slow else 0.0,
            cut=cut,
            corrupt=corrupt,
            expire=expire,
        )
