"""Small attrs validators and converters the namespaces share (each names the field it refuses)."""

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
    "digits",
    "digits_or_none",
    "limit",
    "max_len",
    "one_of",
    "str_list",
    "to_str_list",
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
    """A string of ``min_len`` to ``n`` characters; None passes (:func:`check_text` with min 0)."""
    return check_text(max_len=n, min_len=min_len)


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


def to_str_list(value: Iterable[str] | None) -> list[str] | None:
    """Converter: any iterable of strings to a list (a lone ``str`` is one item, not its letters)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)
