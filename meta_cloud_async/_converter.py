"""The one cattrs converter, and the hooks it registers.

``make_converter()`` builds it; ``configure_converter(conv)`` registers:

- an unstructure hook factory for every :class:`ApiRequest` subclass that
  omits fields whose value is ``None`` (requests never send unset fields);
- ``{"success": true}`` structured as one shared (frozen) :class:`SuccessResponse`;
- strict structure hooks for ``bool``, ``str``, ``int`` and ``float``: cattrs
  would otherwise coerce (``bool("false")`` is True, ``str(None)`` is
  ``"None"``), turning a malformed answer into a wrong one instead of an
  error. Unknown keys are still ignored (Meta adds fields all the time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._multipart import FilePart
from .types.messages import SentMessage, parse_sent_message
from .types.shared import _KIND, ApiRequest, SuccessResponse

__all__ = ["configure_converter", "converter", "make_converter"]


def _request_unstructure_factory(conv: cattrs.Converter) -> Callable[[type[Any]], Any]:
    def factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        overrides = {}
        for f in attrs.fields(cls):
            if f.metadata.get(_KIND) == "body":
                # A whole body built and checked by its namespace: passed on as it is, never copied.
                overrides[f.name] = override(unstruct_hook=_identity, omit_if_default=f.default is None)
            elif f.default is None:
                overrides[f.name] = override(omit_if_default=True)
        return make_dict_unstructure_fn(cls, conv, **overrides)  # type: ignore[arg-type]

    return factory


def _identity(value: Any) -> Any:
    return value


def _structure_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a JSON boolean, got {type(value).__name__}")
    return value


def _structure_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a JSON string, got {type(value).__name__}")
    return value


def _structure_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a JSON integer, got {type(value).__name__}")
    return value


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a JSON number, got {type(value).__name__}")
    return float(value)


#: Meta's commonest answer, ``{"success": true}``, as one frozen instance every call shares.
_SUCCESS = SuccessResponse(success=True)


def _success_structure(conv: cattrs.Converter) -> Callable[[Any, Any], SuccessResponse]:
    generated = make_dict_structure_fn(SuccessResponse, conv)

    def structure(data: Any, cls: Any) -> SuccessResponse:
        # The answer to set_pin, register, mark_as_read and most management posts: no new object
        # for it. Anything else (false, a wrong type, a missing key) is the generated hook's.
        if type(data) is dict and data.get("success") is True:
            return _SUCCESS
        return generated(data, cls)

    return structure


def configure_converter(conv: cattrs.Converter) -> None:
    """Register the hooks described in the module docstring."""
    conv.register_unstructure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, ApiRequest),
        _request_unstructure_factory(conv),
    )
    # A file part is encoded by the multipart encoder itself, not turned into a dict.
    conv.register_unstructure_hook(FilePart, lambda part: part)
    # Meta answers a send with nested lists; the model is flat (``.id`` is the wamid).
    conv.register_structure_hook(SentMessage, parse_sent_message)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    # After the strict primitives: the generated fallback takes the hooks registered before it.
    conv.register_structure_hook_func(lambda t: t is SuccessResponse, _success_structure(conv))


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    configure_converter(conv)
    return conv


converter = make_converter()
