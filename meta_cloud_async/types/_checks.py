"""Small attrs validators the phone-level namespaces share (each names the field it refuses)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

import attrs

__all__ = [
    "check_int_range",
    "check_one_of",
    "check_text",
    "check_url",
    "str_list",
]

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def check_text(*, max_len: int, min_len: int = 1, optional: bool = True) -> Validator:
    """A ``str`` of ``min_len`` to ``max_len`` characters (None allowed when ``optional``)."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str):
            raise TypeError(f"{attribute.name} must be a str, got {type(value).__name__}")
        if not min_len <= len(value) <= max_len:
            raise ValueError(f"{attribute.name} must be {min_len} to {max_len} characters, got {len(value)}")

    return check


def check_one_of(allowed: Collection[str], *, optional: bool = True) -> Validator:
    """One of Meta's enumerated values (mypy sees the ``Literal``; this is the runtime check)."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {sorted(allowed)}, got {value!r}")

    return check


def check_int_range(low: int, high: int) -> Validator:
    """An optional ``int`` in ``[low, high]`` (a bool is refused: it is no count)."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{attribute.name} must be an int from {low} to {high}, got {value!r}")

    return check


def check_url(name: str, value: Any, max_len: int = 2048) -> None:
    """An absolute http(s) URL, as Meta's ``format: uri`` fields expect."""
    if not isinstance(value, str) or len(value) > max_len or not _URL.match(value):
        raise ValueError(f"{name} must be an absolute http(s) URL of at most {max_len} characters")


def str_list(value: Iterable[str] | None) -> list[str] | None:
    """Converter: any iterable of strings to a list (a lone ``str`` is one item, not its letters)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)
