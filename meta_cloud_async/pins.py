"""Two-step verification PINs: validate, generate, and spot weak ones.

Meta accepts exactly six ASCII digits sent as a string (leading zeros
matter). Validation happens before any request is built, and no message here
ever contains the PIN itself.
"""

from __future__ import annotations

import secrets
from typing import Any

__all__ = ["check_pin_field", "generate_pin", "is_weak_pin", "validate_pin"]

_DIGITS = frozenset("0123456789")


def validate_pin(pin: Any, *, name: str = "pin") -> str:
    """Return ``pin`` if it is six ASCII digits as a ``str``; else raise ``ValueError``.

    ``int`` is refused on purpose: ``012345`` cannot survive as an int, so
    accepting ints would silently corrupt some PINs.
    """
    if not isinstance(pin, str):
        raise ValueError(f"{name} must be a string of 6 ASCII digits, got {type(pin).__name__}")
    if len(pin) != 6 or not _DIGITS.issuperset(pin):
        raise ValueError(f"{name} must be exactly 6 ASCII digits (0-9)")
    return pin


def check_pin_field(_: Any, attribute: Any, value: Any) -> None:
    """``validate_pin`` as an attrs validator, under the field's name (the request models' PIN fields).

    A valid PIN passes with no further call: this runs on every ``set_pin`` and ``register``.
    """
    if not (type(value) is str and len(value) == 6 and _DIGITS.issuperset(value)):
        validate_pin(value, name=attribute.name)


_ASCENDING = "0123456789"
_DESCENDING = "9876543210"


def _is_sequence(pin: str) -> bool:
    # Every step +1 (or every step -1) is exactly a run of the digits in order (or reversed).
    return pin in _ASCENDING or pin in _DESCENDING


def _is_date_like(pin: str) -> bool:
    a, b, c = int(pin[0:2]), int(pin[2:4]), int(pin[4:6])
    # DDMMYY, MMDDYY and YYMMDD all read as a calendar date.
    ddmmyy = 1 <= a <= 31 and 1 <= b <= 12
    mmddyy = 1 <= a <= 12 and 1 <= b <= 31
    yymmdd = 1 <= b <= 12 and 1 <= c <= 31
    return ddmmyy or mmddyy or yymmdd


def is_weak_pin(pin: str) -> bool:
    """Whether ``pin`` is guessable: few distinct digits, runs, repeats, sequences or dates.

    Covers one or two distinct digits (``111111``, ``121212``), ascending or
    descending runs (``123456``, ``987654``), a
    repeated half or third (``123123``, ``121212``), a palindrome
    (``123321``) and anything that reads as a DDMMYY, MMDDYY or YYMMDD date.
    """
    return _is_weak(validate_pin(pin))


def _is_weak(pin: str) -> bool:
    """:func:`is_weak_pin` of a PIN already known to be six ASCII digits."""
    if len(set(pin)) <= 2:
        return True
    if _is_sequence(pin):
        return True
    if pin[:3] == pin[3:] or pin[:2] == pin[2:4] == pin[4:]:
        return True
    if pin == pin[::-1]:
        return True
    return _is_date_like(pin)


def generate_pin() -> str:
    """A uniformly random PIN from :mod:`secrets`, redrawn until it is not weak."""
    while True:
        pin = f"{secrets.randbelow(1_000_000):06d}"
        if not _is_weak(pin):  # six digits by construction: no second validation
            return pin
