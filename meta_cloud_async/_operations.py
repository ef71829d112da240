"""Compiling operation declarations: what the client, the sandbox and the docs read.

:func:`operation_of` turns an :class:`~meta_cloud_async.types.shared.ApiRequest`
subclass into an :class:`Operation` once (cached): its path template split
into literal and placeholder parts, each field's kind, the encoding, the
response model taken from the generic argument, and a regular expression
that matches concrete paths (the sandbox routes by it). :func:`registry`
lists every declared operation, for the conformance tests and the docs table.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs

from ._http import dumps_json
from .types.shared import ApiRequest, Budget, Encoding, field_kind

__all__ = [
    "OPTION_PARAMS",
    "Operation",
    "encode_value",
    "operation_of",
    "path_segment",
    "path_segment_with_query",
    "registry",
]

#: Placeholders the client fills from its options when the request has no such field set.
OPTION_PARAMS: Final = frozenset({"phone_number_id", "business_account_id", "app_id"})

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# Characters a path segment never carries: they would change the URL's meaning.
_UNSAFE_SEGMENT = re.compile(r"[/?#%\s\x00-\x1f\x7f]")


def path_segment(name: str, value: object) -> str:
    """Check one path parameter: a non-empty string that stays one URL segment."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {type(value).__name__}")
    if _UNSAFE_SEGMENT.search(value) or not value.isascii() or value in (".", ".."):
        raise ValueError(f"{name} must be a single URL path segment (no '/', '?', '#', '%' or spaces)")
    return value


_UNSAFE_QUERY = re.compile(r"[#\s\x00-\x1f\x7f]")


def path_segment_with_query(name: str, value: object) -> str:
    """Check a ``session_param``: one path segment, optionally followed by ``?`` and query text."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {type(value).__name__}")
    segment, sep, query = value.partition("?")
    path_segment(name, segment)
    if sep and (not query or _UNSAFE_QUERY.search(query) or not query.isascii()):
        raise ValueError(f"{name}: the text after '?' must be a non-empty query without '#' or spaces")
    return value


def encode_value(value: Any) -> str:
    """A query or form value as Graph reads it: ``true``/``false``, JSON for lists and objects."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot send a non-finite number ({value!r})")
        return repr(value)
    return dumps_json(value)


@attrs.frozen(kw_only=True, slots=True)
class Operation:
    """One compiled declaration. ``parts`` alternates literal text and placeholder names."""

    cls: type[ApiRequest[Any]]
    name: str
    operation_id: str | None
    method: str
    path: str
    encoding: Encoding
    idempotent: bool
    budget: Budget
    pair_field: str | None
    retry_refused: bool
    response: Any
    parts: tuple[str, ...]
    placeholders: tuple[str, ...]
    #: Placeholders filled from the client's options (no field of that name, or the field is None).
    option_placeholders: tuple[str, ...]
    path_fields: frozenset[str]
    query_fields: frozenset[str]
    header_fields: Mapping[str, str]
    body_field: str | None
    #: True when every field follows the encoding: the unstructured dict is sent as it is.
    plain: bool
    #: True when the BODY field is the only field that is not a path parameter (message sends).
    body_only: bool
    pattern: re.Pattern[str]
    #: Path fields declared with ``session_param``: they may carry their own ``?query``.
    with_query_fields: frozenset[str] = frozenset()

    def render_path(self, values: Mapping[str, Any], options: Mapping[str, str | None]) -> str:
        """The concrete path; ``values`` are the request's unstructured fields, ``options`` the client's ids."""
        out = []
        parts = self.parts
        for i, part in enumerate(parts):
            if i % 2 == 0:
                out.append(part)
                continue
            value = values.get(part)
            if value is None:
                value = options.get(part) if part in OPTION_PARAMS else None
                if value is None:
                    if part in OPTION_PARAMS:
                        raise ValueError(f"{self.name} needs {part}: pass it to WhatsApp() or with_options()")
                    raise ValueError(f"{self.name} needs {part}")
            if part in self.with_query_fields:
                out.append(path_segment_with_query(part, value))
            else:
                out.append(path_segment(part, value))
        return "".join(out)

    def render_options(self, options: Mapping[str, str | None]) -> str:
        """The path of an operation whose placeholders all come from the client's (validated) ids."""
        for name in self.placeholders:
            if not options.get(name):
                raise ValueError(f"{self.name} needs {name}: pass it to WhatsApp() or with_options()")
        return self.path.format_map(options) if self.placeholders else self.path

    def match(self, path: str) -> dict[str, str] | None:
        """The placeholder values if ``path`` (relative, no version) is this operation's, else None."""
        m = self.pattern.fullmatch(path)
        return m.groupdict() if m else None


_cache: dict[type[Any], Operation] = {}


def _response_model(cls: type[Any]) -> Any:
    for klass in cls.__mro__:
        for base in klass.__dict__.get("__orig_bases__", ()):
            origin = get_origin(base)
            if isinstance(origin, type) and issubclass(origin, ApiRequest):
                args = get_args(base)
                if args and not isinstance(args[0], TypeVar):
                    return args[0]
    raise TypeError(f"{cls.__name__} must name its response model: class {cls.__name__}(ApiRequest[Model])")


def operation_of(cls: type[ApiRequest[Any]]) -> Operation:
    """The compiled declaration of ``cls`` (compiled on first use, then a dict lookup)."""
    op = _cache.get(cls)
    if op is not None:
        return op
    path: str = cls.path
    pieces = _PLACEHOLDER.split(path)
    placeholders = tuple(pieces[1::2])
    if "{" in "".join(pieces[0::2]) or "}" in "".join(pieces[0::2]):
        raise TypeError(f"{cls.__name__}.path has a malformed placeholder: {path!r}")
    names = frozenset(placeholders)
    fields = {f.name: f for f in attrs.fields(cls)}
    kinds = {name: field_kind(f, names) for name, f in fields.items()}
    for name in placeholders:
        if name not in fields and name not in OPTION_PARAMS:
            raise TypeError(
                f"{cls.__name__}.path names {{{name}}}, which is neither a field nor a client option"
            )
    method = cls.method.upper()
    encoding: Encoding = cls.encoding or ("query" if method in ("GET", "DELETE") else "json")
    body = [n for n, k in kinds.items() if k == "body"]
    if len(body) > 1:
        raise TypeError(f"{cls.__name__} has more than one BODY field")
    if encoding == "raw" and not body:
        raise TypeError(f"{cls.__name__} uses the raw encoding but has no BODY field")
    if body and any(k == "param" for k in kinds.values()):
        raise TypeError(
            f"{cls.__name__} has a BODY field: its other fields must be path, query or header ones"
        )
    regex = "".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>[^/]+)" for i, piece in enumerate(pieces)
    )
    op = Operation(
        cls=cls,
        name=cls.__name__,
        operation_id=cls.operation_id,
        method=method,
        path=path,
        encoding=encoding,
        idempotent=cls.idempotent,
        budget=cls.budget,
        pair_field=cls.pair_field,
        retry_refused=cls.retry_refused,
        response=_response_model(cls),
        parts=tuple(pieces),
        placeholders=placeholders,
        option_placeholders=tuple(
            p for p in placeholders if p in OPTION_PARAMS and (p not in fields or fields[p].default is None)
        ),
        path_fields=frozenset(n for n, k in kinds.items() if k == "path"),
        query_fields=frozenset(n for n, k in kinds.items() if k == "query"),
        header_fields={n: str(fields[n].metadata["header"]) for n, k in kinds.items() if k == "header"},
        body_field=body[0] if body else None,
        plain=all(k == "param" for k in kinds.values()),
        body_only=bool(body) and all(k in ("body", "path") for k in kinds.values()),
        pattern=re.compile(regex),
        with_query_fields=frozenset(n for n, f in fields.items() if f.metadata.get("with_query")),
    )
    _cache[cls] = op
    return op


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def registry() -> list[Operation]:
    """Every declared operation of the package (importing each ``types`` module), sorted by name."""
    from . import types as types_pkg

    for info in pkgutil.iter_modules(types_pkg.__path__):
        importlib.import_module(f"{types_pkg.__name__}.{info.name}")
    seen: dict[str, Operation] = {}
    for sub in _subclasses(ApiRequest):
        # attrs replaces a slotted class by a new one: only the class its module exports counts.
        declared = getattr(sys.modules.get(sub.__module__), sub.__name__, None) is sub
        if declared and sub.__module__.startswith("meta_cloud_async.") and sub.__dict__.get("path"):
            op = operation_of(sub)
            seen[op.name] = op
    return [seen[name] for name in sorted(seen)]
