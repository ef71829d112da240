"""Models for the WhatsApp Business Account itself."""

from __future__ import annotations

from typing import ClassVar

import attrs

from .shared import ApiRequest, fields_param

__all__ = ["BusinessAccount", "GetBusinessAccountRequest"]


@attrs.frozen(kw_only=True)
class BusinessAccount:
    """A WABA; every field but ``id`` depends on ``fields=``."""

    id: str
    name: str | None = None
    timezone_id: str | None = None
    message_template_namespace: str | None = None
    currency: str | None = None
    account_review_status: str | None = None
    business_verification_status: str | None = None
    country: str | None = None
    ownership_type: str | None = None


@attrs.frozen(kw_only=True)
class GetBusinessAccountRequest(ApiRequest[BusinessAccount]):
    """``GET /{business_account_id}?fields=...``."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessAccountDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
