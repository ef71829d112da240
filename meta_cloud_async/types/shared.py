"""Request and response models shared by every namespace."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

import attrs

__all__ = ["ApiRequest", "Cursors", "Page", "Paging", "SuccessResponse"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class ApiRequest:
    """Base of every request object.

    Class attributes describe the endpoint: ``method``, ``path`` (relative to
    ``/{version}/``, with ``{phone_number_id}`` / ``{business_account_id}``
    filled from the client's options), ``idempotent`` (a repeat cannot
    duplicate an effect, so retries are safe even after the server may have
    seen the request) and ``scope`` (``"phone"`` or ``"waba"``, the budget it
    draws from). Instance fields are the JSON body of a POST or the query of
    a GET; fields left at ``None`` are not sent.
    """

    method: ClassVar[str] = "POST"
    path: ClassVar[str] = ""
    idempotent: ClassVar[bool] = False
    scope: ClassVar[str] = "phone"


@attrs.frozen(kw_only=True)
class SuccessResponse:
    """Meta's plain ``{"success": true}`` answer."""

    success: bool


@attrs.frozen(kw_only=True)
class Cursors:
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
