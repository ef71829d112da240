"""Call budgets: Graph's per-app and per-WABA throttles, and the usage headers they report.

A budget of ``calls`` per ``window`` seconds is kept as a leaky bucket: each
accepted call adds one unit, and the level drains at ``calls / window`` units
per second of sandbox time. That is a rolling window without a timestamp per
call (so a 100,000-number rotation costs O(1) memory per budget), and it
decays smoothly, the way Meta describes usage recovering.
"""

from __future__ import annotations

import math
import re

import attrs

__all__ = ["Budget", "UsageMeter", "parse_duration"]

_DURATION = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(us|ms|s|m|min|h|d)?\s*")
_UNITS = {None: 1.0, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """``"5ms"`` -> 0.005; units us, ms, s, m/min, h, d; a bare number is seconds."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 5ms, 2s, 1h)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _positive_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int, got {value!r}")


def _positive_float(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 < value < math.inf:
        raise ValueError(f"{attribute.name} must be finite and > 0, got {value!r}")


@attrs.frozen
class Budget:
    """At most ``calls`` Graph calls per rolling ``window`` seconds."""

    calls: int = attrs.field(validator=_positive_int)
    window: float = attrs.field(default=3600.0, converter=float, validator=_positive_float)

    @classmethod
    def parse(cls, text: str) -> Budget:
        """``"2000/1s"``, ``"5000/1h"``, or a bare ``"200"`` (per hour)."""
        calls, sep, window = text.partition("/")
        try:
            n = int(calls.strip())
        except ValueError:
            raise ValueError(f"budget must look like 2000/1s or 5000/1h, got {text!r}") from None
        return cls(n, parse_duration(window) if sep else 3600.0)

    def __str__(self) -> str:
        return f"{self.calls}/{self.window:g}s"


class UsageMeter:
    """The running level of one budget; mutated on every call, so plain slots, no attrs."""

    __slots__ = ("_rate", "_stamp", "calls", "level")

    def __init__(self, budget: Budget, now: float) -> None:
        self.calls = budget.calls
        self._rate = budget.calls / budget.window
        self.level = 0.0
        self._stamp = now

    def _drain(self, now: float) -> None:
        elapsed = now - self._stamp
        if elapsed > 0:
            level = self.level - elapsed * self._rate
            self.level = level if level > 0 else 0.0
            self._stamp = now

    def try_acquire(self, now: float) -> bool:
        """Count one call, or refuse it (refused calls are not counted) when the budget is spent."""
        self._drain(now)
        if self.level + 1.0 > self.calls:
            return False
        self.level += 1.0
        return True

    def percent(self, now: float) -> int:
        """Share of the budget in use at ``now``, as Meta's headers give it (0-100)."""
        self._drain(now)
        return min(100, int(self.level * 100 // self.calls))

    def regain_minutes(self, now: float) -> int:
        """Whole minutes until one more call fits (0 when one fits now)."""
        self._drain(now)
        excess = self.level + 1.0 - self.calls
        if excess <= 0:
            return 0
        return max(1, math.ceil(excess / self._rate / 60.0))
