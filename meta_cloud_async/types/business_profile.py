"""The business profile a number shows in WhatsApp: about text, address, vertical, websites, picture."""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal, get_args

import attrs

from ._checks import check_one_of, check_text, check_url, to_str_list
from .shared import ApiRequest, SuccessResponse, fields_param

__all__ = [
    "VERTICALS",
    "BusinessProfile",
    "BusinessProfileNode",
    "BusinessProfiles",
    "GetBusinessProfileByIdRequest",
    "GetBusinessProfileRequest",
    "UpdateBusinessProfileByIdRequest",
    "UpdateBusinessProfileRequest",
    "Vertical",
]

#: Meta's industry values for ``vertical`` (the v23.0 spec's enum).
Vertical = Literal[
    "OTHER",
    "AUTO",
    "BEAUTY",
    "APPAREL",
    "EDU",
    "ENTERTAIN",
    "EVENT_PLAN",
    "FINANCE",
    "GROCERY",
    "GOVT",
    "HOTEL",
    "HEALTH",
    "NONPROFIT",
    "PROF_SERVICES",
    "RETAIL",
    "TRAVEL",
    "RESTAURANT",
    "ALCOHOL",
    "ONLINE_GAMBLING",
    "PHYSICAL_GAMBLING",
    "OTC_DRUGS",
]
VERTICALS: Final = frozenset(get_args(Vertical))

#: Meta's documented limits (the spec says 256 for ``description``; Meta's reference and
#: WhatsApp itself take 512, so the spec's lower figure is not enforced here).
ABOUT_MAX: Final = 139
ADDRESS_MAX: Final = 256
DESCRIPTION_MAX: Final = 512
EMAIL_MAX: Final = 128
WEBSITES_MAX: Final = 2
WEBSITE_MAX: Final = 256


@attrs.frozen(kw_only=True)
class BusinessProfile:
    """A number's profile as ``GET /{phone}/whatsapp_business_profile`` returns it.

    ``vertical`` stays a ``str`` on the way in: Meta adds industries without notice.
    """

    messaging_product: str | None = None
    about: str | None = None
    address: str | None = None
    description: str | None = None
    email: str | None = None
    profile_picture_url: str | None = None
    websites: list[str] | None = None
    vertical: str | None = None


@attrs.frozen(kw_only=True)
class BusinessProfiles:
    """Meta wraps the one profile in ``data``."""

    data: list[BusinessProfile] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class BusinessProfileNode:
    """The profile read by its own id (``GET /{profile_id}``)."""

    id: str
    messaging_product: str | None = None
    account_name: str | None = None
    about: str | None = None
    address: str | None = None
    description: str | None = None
    email: str | None = None
    profile_picture_url: str | None = None
    profile_picture_handle: str | None = None
    websites: list[str] | None = None
    vertical: str | None = None


def _check_email(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None:
        return
    check_text(max_len=EMAIL_MAX)(_, attribute, value)
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError(f"{attribute.name} must be an email address like name@example.com")


def _check_websites(_: Any, attribute: attrs.Attribute[Any], value: list[str] | None) -> None:
    if value is None:
        return
    if len(value) > WEBSITES_MAX:
        raise ValueError(f"{attribute.name} takes at most {WEBSITES_MAX} URLs, got {len(value)}")
    for url in value:
        check_url(attribute.name, url, WEBSITE_MAX)


def _check_handle(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"{attribute.name} must be the non-empty handle a resumable upload returned")


@attrs.frozen(kw_only=True)
class _ProfileUpdate(ApiRequest[SuccessResponse]):
    """The fields both profile updates take; at least one must be given."""

    method: ClassVar[str] = "POST"
    idempotent: ClassVar[bool] = True  # the same update twice leaves the same profile

    messaging_product: Literal["whatsapp"] = attrs.field(
        default="whatsapp", validator=check_one_of({"whatsapp"}, optional=False)
    )
    about: str | None = attrs.field(default=None, validator=check_text(max_len=ABOUT_MAX))
    address: str | None = attrs.field(default=None, validator=check_text(max_len=ADDRESS_MAX))
    description: str | None = attrs.field(default=None, validator=check_text(max_len=DESCRIPTION_MAX))
    email: str | None = attrs.field(default=None, validator=_check_email)
    vertical: Vertical | None = attrs.field(default=None, validator=check_one_of(VERTICALS))
    websites: list[str] | None = attrs.field(default=None, converter=to_str_list, validator=_check_websites)
    #: The handle of an image uploaded with the resumable-upload API (``h`` of its answer).
    profile_picture_handle: str | None = attrs.field(default=None, validator=_check_handle)

    def __attrs_post_init__(self) -> None:
        changes = (
            "about",
            "address",
            "description",
            "email",
            "vertical",
            "websites",
            "profile_picture_handle",
        )
        if all(getattr(self, name) is None for name in changes):
            raise ValueError(f"nothing to update: pass at least one of {', '.join(changes)}")


@attrs.frozen(kw_only=True)
class GetBusinessProfileRequest(ApiRequest[BusinessProfiles]):
    """``GET /{phone_number_id}/whatsapp_business_profile?fields=...``."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessProfile"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/whatsapp_business_profile"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class UpdateBusinessProfileRequest(_ProfileUpdate):
    """``POST /{phone_number_id}/whatsapp_business_profile``: change the fields given, keep the rest."""

    operation_id: ClassVar[str | None] = "updateWhatsAppBusinessProfileInformation"
    path: ClassVar[str] = "{phone_number_id}/whatsapp_business_profile"


@attrs.frozen(kw_only=True)
class GetBusinessProfileByIdRequest(ApiRequest[BusinessProfileNode]):
    """``GET /{profile_id}``: a profile read by its own node id."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessProfileDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{profile_id}"
    idempotent: ClassVar[bool] = True

    profile_id: str
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class UpdateBusinessProfileByIdRequest(_ProfileUpdate):
    """``POST /{profile_id}``: the same update, addressed by the profile's node id."""

    operation_id: ClassVar[str | None] = "updateWhatsAppBusinessProfile"
    path: ClassVar[str] = "{profile_id}"

    profile_id: str
