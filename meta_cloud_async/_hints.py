"""How long Meta asked us to wait: ``Retry-After``, the usage header's regain time, or the error text.

One parser for the retry middleware, the rate limiter and the error tree's
``retry_after`` attribute.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from ._http import loads_json

__all__ = ["server_wait_hint", "text_wait_hint"]


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "inf" and "nan" parse as floats; neither is a wait anyone meant.
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses as naive; HTTP dates are always UTC
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now)


def _regain_minutes(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        data: Any = loads_json(raw)
    except ValueError:
        return None
    best: float | None = None
    if isinstance(data, dict):
        for entries in data.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, dict):
                    eta = entry.get("estimated_time_to_regain_access")
                    if isinstance(eta, (int, float)) and not isinstance(eta, bool) and eta > 0:
                        best = max(best or 0.0, float(eta))
    return best


def server_wait_hint(
    headers: Mapping[str, str], *, wall_clock: Callable[[], float] = time.time
) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` or the BUC usage header."""
    retry_after = headers.get("retry-after")
    if retry_after:
        parsed = _parse_retry_after(retry_after, wall_clock())
        if parsed is not None:
            return parsed
    minutes = _regain_minutes(headers)
    return None if minutes is None else minutes * 60.0


_TEXT_WAIT = re.compile(r"(\d+(?:\.\d+)?)\s*(second|sec|minute|min|hour|day)s?\b", re.IGNORECASE)
_UNIT_SECONDS = {"second": 1.0, "sec": 1.0, "minute": 60.0, "min": 60.0, "hour": 3600.0, "day": 86400.0}


def text_wait_hint(text: str | None) -> float | None:
    """Seconds named in Meta's error text ("try again in 5 minutes"), or None when it names none."""
    if not text:
        return None
    found = _TEXT_WAIT.search(text)
    if found is None:
        return None
    value = float(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()]
    return value if math.isfinite(value) else None
