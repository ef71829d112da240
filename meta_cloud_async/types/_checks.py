"""Small attrs validators the account-level namespaces share (each names the field it refuses)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

import attrs

__all__ = [
    "comma_list",
    "digits",
    "digits_or_none",
    "limit",
    "max_len",
    "one_of",
    "str_list",
    "tuple_of_str",
]

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _name(attribute: attrs.Attribute[Any]) -> str:
    return attribute.name


def digits(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A Graph object id: a non-empty string of ASCII digits."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise ValueError(f"{_name(attribute)} must be a string of digits (a Graph id), got {value!r}")


def digits_or_none(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        digits(inst, attribute, value)


def limit(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A page size from 1 to 100 (or None for Meta's default)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100):
        raise ValueError(f"{_name(attribute)} must be an int from 1 to 100, got {value!r}")


def one_of(allowed: Collection[str]) -> Any:
    """The value (or every value of a tuple) is one of ``allowed``; None passes."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if item not in allowed:
                raise ValueError(f"{_name(attribute)}: {item!r} is not one of {sorted(allowed)}")

    return check


def max_len(n: int, *, min_len: int = 0) -> Any:
    """A string of ``min_len`` to ``n`` characters; None passes."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            raise TypeError(f"{_name(attribute)} must be a str, got {type(value).__name__}")
        if not min_len <= len(value) <= n:
            raise ValueError(f"{_name(attribute)} must be {min_len} to {n} characters, got {len(value)}")

    return check


def tuple_of_str(value: Any) -> tuple[str, ...] | None:
    """Converter: any iterable of strings (not a bare string) to a tuple; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def str_list(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise TypeError(f"{_name(attribute)} must be an iterable of non-empty strings")


def comma_list(value: Iterable[str] | str | None) -> str | None:
    """Converter: names joined by commas (Graph's ``fields`` style); empty means not sent."""
    if value is None or isinstance(value, str):
        return value or None
    return ",".join(value) or None
