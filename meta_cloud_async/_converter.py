"""The one cattrs converter, and the hooks it registers.

``make_converter()`` builds it; ``configure_converter(conv)`` registers:

- an unstructure hook factory for every :class:`ApiRequest` subclass that
  omits fields whose value is ``None`` (requests never send unset fields);
- nothing special for structuring: cattrs ignores unknown keys by default,
  which is what responses need (Meta adds fields all the time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from .types.shared import ApiRequest

__all__ = ["configure_converter", "converter", "make_converter"]


def _request_unstructure_factory(conv: cattrs.Converter) -> Callable[[type[Any]], Any]:
    def factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        overrides = {
            f.name: override(omit_if_default=True)
            for f in attrs.fields(cls)
            if f.default is None
        }
        return make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]

    return factory


def configure_converter(conv: cattrs.Converter) -> None:
    """Register the request-unstructuring hook factory described in the module docstring."""
    conv.register_unstructure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, ApiRequest),
        _request_unstructure_factory(conv),
    )


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    configure_converter(conv)
    return conv


converter = make_converter()
