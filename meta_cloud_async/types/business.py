"""The business portfolio: its fields, owned and client WABAs, pre-verified numbers, credit lines.

Portfolio calls need the business (portfolio) id, which the client has no
option for: every request names ``business_id`` (or the pre-verified number,
or the user) explicitly.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

from ._checks import digits, digits_or_none, limit, one_of, tuple_of_str
from .shared import QUERY, ApiRequest, Page, SuccessResponse, fields_param
from .waba import BusinessAccount, CreatedObject

__all__ = [
    "AddPhoneNumberRequest",
    "AssignedBusinessAccount",
    "BusinessPartner",
    "BusinessPortfolio",
    "CreditLine",
    "DeletePreVerifiedNumberRequest",
    "GetBusinessRequest",
    "GetPreVerifiedNumberRequest",
    "ListAssignedWabasRequest",
    "ListClientWabasRequest",
    "ListCreditLinesRequest",
    "ListOwnedWabasRequest",
    "ListPreVerifiedNumbersRequest",
    "ListPreVerifiedPartnersRequest",
    "MmLiteOnboarding",
    "OnboardPartnersToMmLiteRequest",
    "PreVerifiedNumber",
    "PreVerifiedNumberDetails",
    "RequestPreVerifiedCodeRequest",
    "SharePreVerifiedNumberRequest",
    "VerifyPreVerifiedCodeRequest",
]

VerificationStatus = Literal["VERIFIED", "PENDING", "FAILED", "EXPIRED"]
AvailabilityStatus = Literal["AVAILABLE", "IN_USE", "RESERVED", "UNAVAILABLE"]
ClientBusinessType = Literal["STANDARD", "PREMIUM", "ENTERPRISE"]
OwnedBusinessType = Literal["ENTERPRISE", "SMB"]


def _country(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or len(value) != 2 or not value.isupper()):
        raise ValueError(f"{attribute.name} must be an ISO 3166 alpha-2 code like 'US', got {value!r}")


def _language(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or len(value) != 5 or value[2] != "_" or not value[:2].islower():
        raise ValueError(f"{attribute.name} must look like 'en_US', got {value!r}")


def _six_digits(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or len(value) != 6 or not value.isascii() or not value.isdigit():
        raise ValueError(f"{attribute.name} must be exactly 6 ASCII digits as a string")


def _phone(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    allowed = set("0123456789+-() ")
    if not isinstance(value, str) or not value or set(value) - allowed or sum(c.isdigit() for c in value) < 7:
        raise ValueError(f"{attribute.name} must be a phone number like '+1 631-555-1000', got {value!r}")


def _limit_1_100(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    limit(_, attribute, value)


@attrs.frozen(kw_only=True)
class BusinessPortfolio:
    """The business portfolio itself (``wa.business.get()``)."""

    id: str
    name: str | None = None
    timezone_id: int | None = None
    verification_status: str | None = None
    created_time: str | None = None


@attrs.frozen(kw_only=True)
class PreVerifiedNumber:
    """A phone number verified ahead of use by a WABA (``wa.business.preverified_numbers()``)."""

    id: str
    display_phone_number: str | None = None
    country_prefix: int | None = None
    verification_status: str | None = None
    availability_status: str | None = None
    created_time: str | None = None
    last_updated: str | None = None
    supported_features: list[str] | None = None
    country_code: str | None = None
    region: str | None = None
    code_verification_status: str | None = None
    code_verification_time: str | None = None
    verification_expiry_time: str | None = None


@attrs.frozen(kw_only=True)
class PreVerifiedNumberDetails:
    """One pre-verified number by id; ``is_input_id_valid`` False when the id is not one."""

    is_input_id_valid: bool
    id: str | None = None
    country_prefix: int | None = None
    display_phone_number: str | None = None
    error_msg: str | None = None


@attrs.frozen(kw_only=True)
class BusinessPartner:
    """A partner business that can use the portfolio's pre-verified numbers."""

    id: str
    name: str | None = None
    verification_status: str | None = None
    created_time: str | None = None
    updated_time: str | None = None
    primary_page: str | None = None
    timezone_id: int | None = None
    two_factor_type: str | None = None


@attrs.frozen(kw_only=True)
class AssignedBusinessAccount:
    """A WABA assigned to the business, with its permissions (``wa.business.assigned_wabas()``)."""

    id: str
    name: str | None = None
    status: str | None = None
    assignment_date: str | None = None
    permissions: list[str] | None = None
    business_id: str | None = None
    phone_numbers: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class CreditLine:
    """A credit line the business can share with WABAs (``wa.business.credit_lines()``)."""

    id: str
    legal_entity_name: str | None = None


@attrs.frozen(kw_only=True)
class MmLiteOnboarding:
    """The request id of an onboarding to Marketing Messages Lite."""

    request_id: str


@attrs.frozen(kw_only=True)
class GetBusinessRequest(ApiRequest[BusinessPortfolio]):
    """``GET /{business_id}?fields=...``: the portfolio's own fields."""

    operation_id: ClassVar[str | None] = "getBusinessPortfolioSpecificFields"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_id}"
    idempotent: ClassVar[bool] = True

    business_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class ListOwnedWabasRequest(ApiRequest[Page[BusinessAccount]]):
    """``GET /{business_id}/owned_whatsapp_business_accounts`` (``first``/``last`` page sizes, Meta's names)."""

    operation_id: ClassVar[str | None] = "getOwnedWhatsAppBusinessAccounts"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_id}/owned_whatsapp_business_accounts"
    idempotent: ClassVar[bool] = True

    business_id: str = attrs.field(validator=digits)
    business_type: tuple[OwnedBusinessType, ...] | None = attrs.field(
        default=None, converter=tuple_of_str, validator=one_of({"ENTERPRISE", "SMB"})
    )
    first: int | None = attrs.field(default=None, validator=_limit_1_100)
    last: int | None = attrs.field(default=None, validator=_limit_1_100)
    after: str | None = None
    before: str | None = None
    find: str | None = attrs.field(default=None, validator=digits_or_none)


@attrs.frozen(kw_only=True)
class ListClientWabasRequest(ApiRequest[Page[BusinessAccount]]):
    """``GET /{business_id}/client_whatsapp_business_accounts``: WABAs clients shared with this business."""

    operation_id: ClassVar[str | None] = "getClientWhatsAppBusinessAccounts"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_id}/client_whatsapp_business_accounts"
    idempotent: ClassVar[bool] = True

    business_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)
    business_type: tuple[ClientBusinessType, ...] | None = attrs.field(
        default=None, converter=tuple_of_str, validator=one_of({"STANDARD", "PREMIUM", "ENTERPRISE"})
    )
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None
    find: str | None = None


@attrs.frozen(kw_only=True)
class ListPreVerifiedNumbersRequest(ApiRequest[Page[PreVerifiedNumber]]):
    """``GET /{business_id}/preverified_numbers``."""

    operation_id: ClassVar[str | None] = "getPreVerifiedPhoneNumbers"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_id}/preverified_numbers"
    idempotent: ClassVar[bool] = True

    business_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None
    verification_status: VerificationStatus | None = attrs.field(
        default=None, validator=one_of({"VERIFIED", "PENDING", "FAILED", "EXPIRED"})
    )
    availability_status: AvailabilityStatus | None = attrs.field(
        default=None, validator=one_of({"AVAILABLE", "IN_USE", "RESERVED", "UNAVAILABLE"})
    )
    country_code: str | None = attrs.field(default=None, validator=_country)


@attrs.frozen(kw_only=True)
class AddPhoneNumberRequest(ApiRequest[CreatedObject]):
    """``POST /{business_id}/add_phone_numbers``: add a number to pre-verify; answers its pre-verified id."""

    operation_id: ClassVar[str | None] = "addPhoneNumbers"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_id}/add_phone_numbers"

    business_id: str = attrs.field(validator=digits)
    phone_number: str = attrs.field(validator=_phone)


@attrs.frozen(kw_only=True)
class SharePreVerifiedNumberRequest(ApiRequest[SuccessResponse]):
    """``POST /{business_id}/share_preverified_numbers``: let a partner business use a pre-verified number."""

    operation_id: ClassVar[str | None] = "sharePreVerifiedPhoneNumber"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_id}/share_preverified_numbers"
    idempotent: ClassVar[bool] = True

    business_id: str = attrs.field(validator=digits)
    preverified_id: str = attrs.field(validator=digits)
    partner_business_id: str = attrs.field(validator=digits)


@attrs.frozen(kw_only=True)
class GetPreVerifiedNumberRequest(ApiRequest[PreVerifiedNumberDetails]):
    """``GET /{preverified_id}``."""

    operation_id: ClassVar[str | None] = "getPreVerifiedPhoneNumberDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{preverified_id}"
    idempotent: ClassVar[bool] = True

    preverified_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class DeletePreVerifiedNumberRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{preverified_id}``."""

    operation_id: ClassVar[str | None] = "deletePreVerifiedPhoneNumber"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{preverified_id}"
    idempotent: ClassVar[bool] = True

    preverified_id: str = attrs.field(validator=digits)


@attrs.frozen(kw_only=True)
class ListPreVerifiedPartnersRequest(ApiRequest[Page[BusinessPartner]]):
    """``GET /{preverified_id}/partners``: the businesses a pre-verified number is shared with."""

    operation_id: ClassVar[str | None] = "getPreVerifiedPhoneNumberPartners"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{preverified_id}/partners"
    idempotent: ClassVar[bool] = True

    preverified_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class RequestPreVerifiedCodeRequest(ApiRequest[SuccessResponse]):
    """``POST /{preverified_id}/request_code``; never repeated (a repeat sends another SMS or call)."""

    operation_id: ClassVar[str | None] = "requestPreVerifiedPhoneNumberCode"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{preverified_id}/request_code"

    preverified_id: str = attrs.field(validator=digits)
    code_method: Literal["SMS", "VOICE"] = attrs.field(default="SMS", validator=one_of({"SMS", "VOICE"}))
    language: str = attrs.field(default="en_US", validator=_language)


@attrs.frozen(kw_only=True)
class VerifyPreVerifiedCodeRequest(ApiRequest[SuccessResponse]):
    """``POST /{preverified_id}/verify_code``; never repeated (each try counts)."""

    operation_id: ClassVar[str | None] = "verifyPreVerifiedPhoneNumberCode"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{preverified_id}/verify_code"

    preverified_id: str = attrs.field(validator=digits)
    code: str = attrs.field(validator=_six_digits, repr=False)


@attrs.frozen(kw_only=True)
class ListCreditLinesRequest(ApiRequest[Page[CreditLine]]):
    """``GET /{business_id}/extendedcredits``: the portfolio's credit lines (to pay for WABAs it shares)."""

    operation_id: ClassVar[str | None] = "getCreditLines"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_id}/extendedcredits"
    idempotent: ClassVar[bool] = True

    business_id: str = attrs.field(validator=digits)


@attrs.frozen(kw_only=True)
class OnboardPartnersToMmLiteRequest(ApiRequest[MmLiteOnboarding]):
    """``POST /{business_id}/onboard_partners_to_mm_lite``: request Marketing Messages Lite for partners."""

    operation_id: ClassVar[str | None] = "onboardPartnersToMMLite"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_id}/onboard_partners_to_mm_lite"
    idempotent: ClassVar[bool] = True  # Meta answers the existing request_id to a repeat

    business_id: str = attrs.field(validator=digits)
    solution_id: str | None = attrs.field(default=None, validator=digits_or_none, metadata=QUERY)


@attrs.frozen(kw_only=True)
class ListAssignedWabasRequest(ApiRequest[Page[AssignedBusinessAccount]]):
    """``GET /{user_id}/assigned_whatsapp_business_accounts``: the WABAs a (system) user may act on."""

    operation_id: ClassVar[str | None] = "getAssignedWhatsAppBusinessAccounts"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{user_id}/assigned_whatsapp_business_accounts"
    idempotent: ClassVar[bool] = True

    user_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None
