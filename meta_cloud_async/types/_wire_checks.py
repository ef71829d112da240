"""Checks over Meta's wire shape, shared by the typed message models and plain-dict input.

Every rule is written once, against the JSON Meta receives, so a typed
``ReplyButton`` and a hand-written ``{"type": "reply", "reply": {...}}`` are
refused by the same line with the same message. Errors name the field by its
wire path (``interactive.action.buttons[1].reply.title``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeGuard

__all__ = [
    "as_tuple",
    "canonical",
    "check_bool",
    "check_choice",
    "check_http_url",
    "check_list",
    "check_mapping",
    "check_number",
    "check_text",
    "check_unique",
    "is_mapping",
    "to_wire",
]


def is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    """A JSON object: a dict (checked first, without the slow ABC check) or any other Mapping."""
    return type(value) is dict or isinstance(value, Mapping)


def check_mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not is_mapping(value):
        raise TypeError(f"{field} must be an object (a dict), got {type(value).__name__}")
    return value


def check_text(
    value: Any, field: str, *, max_len: int, min_len: int = 1, required: bool = True
) -> str | None:
    """A string of ``min_len``-``max_len`` characters (Python ``len``, i.e. code points)."""
    if value is None:
        if required:
            raise ValueError(f"{field} is required")
        return None
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a string, got {type(value).__name__}")
    if not min_len <= len(value) <= max_len:
        raise ValueError(f"{field} must be {min_len}-{max_len} characters, got {len(value)}")
    return value


def check_list(
    value: Any, field: str, *, max_items: int, min_items: int = 1, required: bool = True
) -> Sequence[Any]:
    if value is None:
        if required:
            raise ValueError(f"{field} is required")
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(f"{field} must be a list, got {type(value).__name__}")
    if not min_items <= len(value) <= max_items:
        raise ValueError(f"{field} must have {min_items}-{max_items} items, got {len(value)}")
    return value


def check_unique(values: Sequence[Any], field: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{field} must be unique, {value!r} appears more than once")
        seen.add(value)


def check_number(value: Any, field: str, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{field} must be a number, got {type(value).__name__}")
    if not low <= value <= high:  # also refuses NaN
        raise ValueError(f"{field} must be in [{low:g}, {high:g}], got {value!r}")
    return value


def check_bool(value: Any, field: str) -> None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{field} must be true or false, got {type(value).__name__}")


def check_choice(value: Any, field: str, choices: Sequence[str], *, required: bool = True) -> None:
    if value is None and not required:
        return
    if value not in choices:
        raise ValueError(f"{field} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def check_http_url(value: Any, field: str, *, max_len: int = 2000) -> None:
    check_text(value, field, max_len=max_len)
    lowered = value.lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")) or len(value) <= 8:
        raise ValueError(f"{field} must be an http:// or https:// URL")


def canonical(value: Any) -> Any:
    """The same JSON with keys sorted and tuples as lists, so any input order gives the same bytes."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return value  # the common leaves first: this runs on every send
    if is_mapping(value):
        return {key: canonical(value[key]) for key in sorted(value)}
    if kind is list or kind is tuple:
        return [canonical(item) for item in value]
    return value


def to_wire(item: Any) -> Any:
    """A model's wire JSON; dicts and lists are walked, so typed parts may sit inside plain dicts."""
    if hasattr(item, "to_wire"):
        return item.to_wire()
    if isinstance(item, Mapping):
        return {key: to_wire(value) for key, value in item.items()}
    if isinstance(item, (list, tuple)):
        return [to_wire(value) for value in item]
    return item


def as_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter: a caller's list becomes a tuple and its dicts are copied, so a checked
    frozen model cannot change when the caller later edits what it passed in."""
    return tuple(to_wire(v) if isinstance(v, (Mapping, list)) else v for v in values)
