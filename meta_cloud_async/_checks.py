"""Argument checks shared by the constructors: types and ranges, each error naming its argument.

A value accepted at construction is used on every later call, so a wrong
one (``"2"`` for a count, ``nan`` for a cap, ``inf`` for a timeout) would
fail far from its cause, often outside the error tree, or silently remove
a bound. These checks run once, before any I/O, and raise ``TypeError`` for
a wrong type and ``ValueError`` for a wrong range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["check_callable", "check_int", "check_number", "int_field", "number_field"]


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    exclusive: bool = False,
    maximum: float | None = None,
    optional: bool = False,
) -> None:
    """``value`` is a finite real (not a bool) within ``[minimum, maximum]`` (``(minimum, ...`` if exclusive)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        what = "a number or None" if optional else "a number"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and (value <= minimum if exclusive else value < minimum):
        raise ValueError(f"{name} must be {'>' if exclusive else '>='} {minimum:g}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, got {value!r}")


def check_int(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None, optional: bool = False
) -> None:
    """``value`` is an ``int`` (not a bool) within ``[minimum, maximum]``."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        what = "an int or None" if optional else "an int"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value!r}")


def check_callable(name: str, value: Any, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def number_field(
    *,
    minimum: float | None = None,
    exclusive: bool = False,
    maximum: float | None = None,
    optional: bool = False,
) -> Callable[[Any, Any, Any], None]:
    """An attrs validator running :func:`check_number` under the field's name."""

    def validate(_: Any, attribute: Any, value: Any) -> None:
        check_number(
            attribute.name, value, minimum=minimum, exclusive=exclusive, maximum=maximum, optional=optional
        )

    return validate


def int_field(
    *, minimum: int | None = None, maximum: int | None = None, optional: bool = False
) -> Callable[[Any, Any, Any], None]:
    """An attrs validator running :func:`check_int` under the field's name."""

    def validate(_: Any, attribute: Any, value: Any) -> None:
        check_int(attribute.name, value, minimum=minimum, maximum=maximum, optional=optional)

    return validate
