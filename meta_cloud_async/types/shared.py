"""The operation declaration (:class:`ApiRequest`) and the response models every namespace shares.

One request class declares one Graph operation, once. Its class attributes
say how the call travels; its attrs fields are the call's parameters::

    @attrs.frozen(kw_only=True)
    class DeleteMediaRequest(ApiRequest[SuccessResponse]):
        operation_id: ClassVar[str] = "deleteMedia"
        method: ClassVar[str] = "DELETE"
        path: ClassVar[str] = "{media_id}"
        idempotent: ClassVar[bool] = True

        media_id: str
        phone_number_id: str | None = None   # sent in the query (DELETE's default encoding)

The generic argument is the response model; a field named in ``path`` is a path
parameter; the client, the sandbox's router, the docs table and the conformance
tests all read this one declaration (:mod:`meta_cloud_async._operations` compiles it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, Generic, Literal, TypeVar

import attrs

__all__ = [
    "BODY",
    "QUERY",
    "ApiRequest",
    "Budget",
    "Cursors",
    "Encoding",
    "Page",
    "Paging",
    "SuccessResponse",
    "fields_param",
    "header_param",
    "path_param",
    "session_param",
]

R = TypeVar("R")
T = TypeVar("T")

#: How the parameters that are neither path nor header parameters travel.
#: ``query``: the URL query (GET and DELETE by default); ``json``: a JSON object body (POST
#: by default); ``form``: ``application/x-www-form-urlencoded``; ``multipart``:
#: ``multipart/form-data`` (``FilePart`` values become file parts); ``raw``: the one field
#: marked :data:`BODY` is the body as it is (bytes or an async iterable of bytes).
Encoding = Literal["query", "json", "form", "multipart", "raw"]

#: Which client-side budget a call draws on. ``messaging``: the sending number's throughput
#: (Meta's mps tier) plus the recipient pair limit, for message sends only; ``management``:
#: the WABA/app budgets Meta steers with its usage headers (2SV, registration, reads,
#: templates...); ``app``: app-level calls such as resumable uploads; ``none``: unpaced.
Budget = Literal["messaging", "management", "app", "none"]

_KIND: Final = "meta_cloud_async.kind"
#: Field metadata: this field is sent in the query whatever the encoding.
QUERY: Final[Mapping[str, Any]] = {_KIND: "query"}
#: Field metadata: this field is the whole body (a dict for ``json``, bytes or a stream for ``raw``).
BODY: Final[Mapping[str, Any]] = {_KIND: "body"}


def header_param(name: str, **kwargs: Any) -> Any:
    """A field sent as the HTTP header ``name`` (e.g. ``file_offset`` of a resumable upload).

    Give it a default: mypy's attrs plugin only treats ``attrs.field`` itself
    as a field specifier, so a wrapper's field looks optional to it.
    """
    return attrs.field(metadata={_KIND: "header", "header": name.lower()}, **kwargs)


def path_param(**kwargs: Any) -> Any:
    """Mark a field as a path parameter explicitly (a field named in ``path`` already is one).

    Useful for an optional id that overrides a client option, e.g.
    ``phone_number_id: str | None = path_param(default=None)``.
    """
    return attrs.field(metadata={_KIND: "path"}, **kwargs)


def session_param(**kwargs: Any) -> Any:
    """A path parameter that may end in its own query, like a resumable upload session id
    (``upload:<id>?sig=<signature>``): one path segment, then ``?`` and query text (no ``#``, no spaces)."""
    return attrs.field(metadata={_KIND: "path", "with_query": True}, **kwargs)


def fields_param(value: Any) -> str | None:
    """Converter for a ``fields=`` parameter: any iterable of names, joined by commas.

    An empty selection means "Meta's default fields", not a blank ``fields=`` parameter.
    """
    if value is None or isinstance(value, str):
        return value or None
    return ",".join(value) or None


def field_kind(field: attrs.Attribute[Any], path_names: frozenset[str]) -> str:
    """``"path"``, ``"header"``, ``"query"``, ``"body"`` or ``"param"`` (follows the encoding)."""
    kind = field.metadata.get(_KIND)
    if kind is not None:
        return str(kind)
    return "path" if field.name in path_names else "param"


@attrs.frozen(kw_only=True)
class ApiRequest(Generic[R]):
    """Base of every operation declaration; ``R`` is the response model.

    Class attributes (never fields):

    - ``operation_id``: Meta's ``operationId`` in its OpenAPI spec, or None for
      operations the spec lacks (the conformance suite requires a case for every id);
    - ``method`` and ``path`` (relative to ``/{version}/``; ``{phone_number_id}``,
      ``{business_account_id}`` and ``{app_id}`` come from the client's options unless
      the request has a field of that name set);
    - ``encoding`` (None: ``query`` for GET/DELETE, ``json`` otherwise);
    - ``idempotent``: a repeat cannot duplicate an effect, so it is retried even after it
      may have reached Meta; a non-idempotent call is retried only when it surely never
      reached Meta (no connection), or, with ``retry_refused``, also when Meta answered
      a code that says it refused the call unprocessed (message sends: 130429, 131056...);
    - ``budget``: see :data:`Budget`; ``pair_field`` names the recipient field of a
      message send, for the per-recipient pair limit.

    Fields left at ``None`` are not sent.
    """

    operation_id: ClassVar[str | None] = None
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = ""
    encoding: ClassVar[Encoding | None] = None
    idempotent: ClassVar[bool] = False
    budget: ClassVar[Budget] = "management"
    pair_field: ClassVar[str | None] = None
    retry_refused: ClassVar[bool] = False


@attrs.frozen(kw_only=True)
class SuccessResponse:
    """Meta's plain ``{"success": true}`` answer."""

    success: bool


@attrs.frozen(kw_only=True)
class Cursors:
    """The ``before`` / ``after`` cursors of a page, to pass back as ``before=`` / ``after=``."""

    before: str | None = None
    after: str | None = None


@attrs.frozen(kw_only=True)
class Paging:
    """Graph cursor paging; only the absence of ``next`` means the last page."""

    cursors: Cursors | None = None
    next: str | None = None
    previous: str | None = None


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a Graph edge."""

    data: list[T] = attrs.field(factory=list)
    paging: Paging | None = None
