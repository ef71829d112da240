"""The one duration parser behind every command-line flag and spec string that takes a duration.

Kept outside ``cli/`` so the sandbox's fault and budget specs can use it too:
``5ms`` means the same thing to ``pins --min-age``, ``sandbox --faults`` and
``--budget``.
"""

from __future__ import annotations

import math
import re
from typing import Final

__all__ = ["DURATION_UNITS", "parse_duration"]

DURATION_UNITS: Final = {
    None: 1.0,
    "us": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
}
"""Seconds per unit; a bare number is seconds."""

# Bounded digit runs: the text comes from users and must not be able to make the parser slow.
_DURATION: Final = re.compile(r"^\s*([0-9]{0,15}\.?[0-9]{1,15})\s*(us|ms|s|min|m|h|d|w)?\s*$")


def parse_duration(text: str) -> float:
    """``"5ms"`` -> 0.005, ``"30d"`` -> 2592000.0; units us, ms, s, m/min, h, d, w.

    Raises ``ValueError`` ("not a duration: ...") for anything else, including
    negative numbers; callers check their own ranges.
    """
    if not isinstance(text, str):
        raise TypeError(f"a duration must be text like '30s', got {type(text).__name__}")
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text[:40]!r} (use e.g. 5ms, 30s, 10m, 2h, 30d, 2w)")
    seconds = float(match.group(1)) * DURATION_UNITS[match.group(2)]
    if not math.isfinite(seconds):  # pragma: no cover - bounded digits keep it finite
        raise ValueError(f"not a duration: {text[:40]!r}")
    return seconds
