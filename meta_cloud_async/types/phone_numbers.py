"""Models for phone numbers and ownership verification codes."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

import attrs

from .shared import ApiRequest, Page, SuccessResponse, fields_param

__all__ = [
    "GetPhoneNumberRequest",
    "ListPhoneNumbersRequest",
    "PhoneNumber",
    "RequestCodeRequest",
    "VerifyCodeRequest",
    "VerifyCodeResponse",
]

_LANGUAGE = re.compile(r"[a-z]{2}_[A-Z]{2}")
_CODE = re.compile(r"[0-9]{6}", re.ASCII)


def _check_code_method(_: Any, __: Any, value: str) -> None:
    if value not in ("SMS", "VOICE"):
        raise ValueError(f"code_method must be 'SMS' or 'VOICE', got {value!r}")


def _check_language(_: Any, __: Any, value: str) -> None:
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        raise ValueError(f"language must look like 'en_US', got {value!r}")


def _check_code(_: Any, __: Any, value: str) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValueError("code must be exactly 6 ASCII digits as a string")


def _check_limit(_: Any, __: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100):
        raise ValueError(f"limit must be an int from 1 to 100, got {value!r}")


@attrs.frozen(kw_only=True)
class VerifyCodeResponse:
    """Meta's answer to ``verify_code``: ``success``, and the number's ``id`` when Meta includes it."""

    success: bool
    id: str | None = None


@attrs.frozen(kw_only=True)
class PhoneNumber:
    """A business phone number; every field but ``id`` is optional (it depends on ``fields=``).

    Enumerations are kept as strings: Meta adds values without notice.
    """

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    code_verification_status: str | None = None
    name_status: str | None = None
    status: str | None = None
    platform_type: str | None = None
    throughput: dict[str, Any] | None = None
    country_code: str | None = None
    country_dial_code: str | None = None
    account_mode: str | None = None
    host_platform: str | None = None
    messaging_limit_tier: str | None = None
    is_official_business_account: bool | None = None
    is_pin_enabled: bool | None = None
    username: str | None = None


@attrs.frozen(kw_only=True)
class GetPhoneNumberRequest(ApiRequest[PhoneNumber]):
    """``GET /{phone_number_id}?fields=...``."""

    operation_id: ClassVar[str | None] = "getPhoneNumberById"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class ListPhoneNumbersRequest(ApiRequest[Page[PhoneNumber]]):
    """``GET /{business_account_id}/phone_numbers`` with cursor paging."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessAccountPhoneNumbers"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/phone_numbers"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=_check_limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class RequestCodeRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/request_code``: send an ownership code by SMS or voice.

    Not idempotent: a repeat sends another message to the number.
    """

    operation_id: ClassVar[str | None] = "requestVerificationCode"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/request_code"
    idempotent: ClassVar[bool] = False

    code_method: Literal["SMS", "VOICE"] = attrs.field(default="SMS", validator=_check_code_method)
    language: str = attrs.field(default="en_US", validator=_check_language)


@attrs.frozen(kw_only=True)
class VerifyCodeRequest(ApiRequest[VerifyCodeResponse]):
    """``POST /{phone_number_id}/verify_code``; each wrong try counts, so never retried."""

    operation_id: ClassVar[str | None] = "verifyPhoneNumberCode"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/verify_code"
    idempotent: ClassVar[bool] = False

    code: str = attrs.field(validator=_check_code, repr=False)
