"""Per-number settings beyond registration: calling, identity change, payload encryption, storage,
conversational automation, Official Business Account status, business compliance info, and the
status update ``POST /{phone}`` without a PIN (search visibility, webhook override)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final, Literal, TypedDict, get_args

import attrs

from ._checks import check_one_of, check_text, check_url, to_str_list
from .shared import ApiRequest, SuccessResponse, fields_param

__all__ = [
    "COMMANDS_MAX",
    "PROMPTS_MAX",
    "AutomationCommand",
    "CallingSettings",
    "CallingUpdate",
    "ComplianceContact",
    "ComplianceContactInfo",
    "ComplianceInfo",
    "ComplianceInfoList",
    "ConfigureAutomationRequest",
    "EntityType",
    "GetBusinessComplianceInfoRequest",
    "GetOfficialBusinessAccountRequest",
    "GetPhoneSettingsRequest",
    "GrievanceOfficer",
    "ObaAction",
    "OfficialBusinessAccountApplication",
    "OfficialBusinessAccountStatus",
    "OfficialBusinessAccountUpdate",
    "OnOff",
    "PayloadEncryption",
    "PayloadEncryptionSettings",
    "PhoneSettings",
    "StorageConfiguration",
    "StorageUpdate",
    "SubmitOfficialBusinessAccountRequest",
    "UpdateBusinessComplianceInfoRequest",
    "UpdatePhoneNumberStatusRequest",
    "UpdatePhoneSettingsRequest",
    "UserIdentityChange",
    "UserIdentityChangeSettings",
    "WebhookConfiguration",
]

OnOff = Literal["enabled", "disabled"]
_ON_OFF: Final = frozenset(get_args(OnOff))

# -- settings ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CallingSettings:
    """``calling`` of ``GET /{phone}/settings``; nested objects stay dicts (Meta grows them often)."""

    status: str | None = None
    call_icon_visibility: str | None = None
    callback_permission_status: str | None = None
    srtp_key_exchange_protocol: str | None = None
    ip_addresses: dict[str, Any] | None = None
    call_hours: dict[str, Any] | None = None
    call_icons: dict[str, Any] | None = None
    sip: dict[str, Any] | None = None
    video: dict[str, Any] | None = None
    audio: dict[str, Any] | None = None
    restrictions: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class PayloadEncryptionSettings:
    """The number's payload-encryption settings as Meta returns them."""

    status: str | None = None
    client_encryption_key_fingerprint: str | None = None
    cloud_encryption_key: str | None = None


@attrs.frozen(kw_only=True)
class StorageConfiguration:
    """``status`` is ``default`` or ``in_country_storage_enabled``."""

    status: str | None = None
    data_localization_region: str | None = None


@attrs.frozen(kw_only=True)
class UserIdentityChangeSettings:
    """The number's user-identity-change setting as Meta returns it."""

    enabled: bool | None = None


@attrs.frozen(kw_only=True)
class PhoneSettings:
    """``GET /{phone_number_id}/settings``."""

    calling: CallingSettings | None = None
    payload_encryption: PayloadEncryptionSettings | None = None
    storage_configuration: StorageConfiguration | None = None
    user_identity_change: UserIdentityChangeSettings | None = None


@attrs.frozen(kw_only=True)
class GetPhoneSettingsRequest(ApiRequest[PhoneSettings]):
    """``GET /{phone_number_id}/settings``; ``include_sip_credentials`` adds SIP passwords."""

    operation_id: ClassVar[str | None] = "getPhoneNumberSettings"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/settings"
    idempotent: ClassVar[bool] = True

    include_sip_credentials: bool | None = None


class CallingUpdate(TypedDict, total=False):
    """What ``calling`` of a settings update may carry (``status`` is required)."""

    status: OnOff
    call_icon_visibility: Literal["visible", "hidden"]
    callback_permission_status: OnOff
    srtp_key_exchange_protocol: Literal["DTLS-SRTP", "SDES-SRTP"]
    call_hours: dict[str, Any]
    call_icons: dict[str, Any]
    sip: dict[str, Any]
    video: dict[str, Any]
    audio: dict[str, Any]


_CALLING_ENUMS: Final[Mapping[str, frozenset[str]]] = {
    "status": _ON_OFF,
    "call_icon_visibility": frozenset({"visible", "hidden"}),
    "callback_permission_status": _ON_OFF,
    "srtp_key_exchange_protocol": frozenset({"DTLS-SRTP", "SDES-SRTP"}),
}
_CALLING_OBJECTS: Final = frozenset({"call_hours", "call_icons", "sip", "video", "audio"})


def _check_calling(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or "status" not in value:
        raise ValueError("calling must be a dict with at least 'status' ('enabled' or 'disabled')")
    for key, item in value.items():
        if key in _CALLING_ENUMS:
            if item not in _CALLING_ENUMS[key]:
                raise ValueError(f"calling.{key} must be one of {sorted(_CALLING_ENUMS[key])}, got {item!r}")
        elif key in _CALLING_OBJECTS:
            if not isinstance(item, Mapping):
                raise ValueError(f"calling.{key} must be a dict")
        else:
            raise ValueError(f"calling has no setting {key!r}")


def _check_identity(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not (isinstance(value, Mapping) and isinstance(value.get("enabled"), bool)):
        raise ValueError("user_identity_change must be {'enabled': True or False}")


def _check_encryption(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or value.get("status") not in _ON_OFF:
        raise ValueError("payload_encryption.status must be 'enabled' or 'disabled'")
    key = value.get("client_encryption_key")
    if value["status"] == "enabled" and not (isinstance(key, str) and key):
        raise ValueError("payload_encryption needs client_encryption_key (base64 public key) to enable it")
    if set(value) - {"status", "client_encryption_key"}:
        raise ValueError("payload_encryption takes only status and client_encryption_key")


def _check_storage(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or not isinstance(value.get("enabled"), bool):
        raise ValueError("storage_configuration must be {'enabled': bool, 'region': ...}")
    region = value.get("region")
    if value["enabled"] and not (isinstance(region, str) and region):
        raise ValueError("storage_configuration needs region to enable in-country storage")
    if set(value) - {"enabled", "region"}:
        raise ValueError("storage_configuration takes only enabled and region")


class UserIdentityChange(TypedDict):
    """The user-identity-change settings group: whether to check security-code changes."""

    enabled: bool


class PayloadEncryption(TypedDict, total=False):
    """The payload-encryption settings group: ``status`` and the client's public key."""

    status: OnOff
    client_encryption_key: str


class StorageUpdate(TypedDict, total=False):
    """The local-storage settings group: whether data is stored in ``region``."""

    enabled: bool
    region: str


@attrs.frozen(kw_only=True)
class UpdatePhoneSettingsRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/settings``: exactly one group per call (the spec's ``oneOf``)."""

    operation_id: ClassVar[str | None] = "updatePhoneNumberSettings"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/settings"
    idempotent: ClassVar[bool] = True

    calling: CallingUpdate | None = attrs.field(default=None, validator=_check_calling)
    user_identity_change: UserIdentityChange | None = attrs.field(default=None, validator=_check_identity)
    payload_encryption: PayloadEncryption | None = attrs.field(
        default=None, validator=_check_encryption, repr=False
    )
    storage_configuration: StorageUpdate | None = attrs.field(default=None, validator=_check_storage)

    def __attrs_post_init__(self) -> None:
        given = [
            n
            for n in ("calling", "user_identity_change", "payload_encryption", "storage_configuration")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "pass exactly one of calling, user_identity_change, payload_encryption,"
                f" storage_configuration per update (got {len(given)})"
            )


# -- conversational automation ---------------------------------------------------------------

PROMPTS_MAX: Final = 4
PROMPT_MAX_LEN: Final = 80
COMMANDS_MAX: Final = 30
_COMMAND_NAME = re.compile(r"^[A-Za-z0-9_]{1,30}$")


class AutomationCommand(TypedDict):
    """A ``/command`` the chat offers; ``command_name`` without the slash."""

    command_name: str
    command_description: str


def _commands(
    value: Mapping[str, str] | Iterable[AutomationCommand] | None,
) -> list[AutomationCommand] | None:
    """``{"tickets": "Book a ticket"}`` or a list of command dicts, as the list Meta takes."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return [{"command_name": k, "command_description": v} for k, v in value.items()]
    return list(value)


def _check_prompts(_: Any, attribute: attrs.Attribute[Any], value: list[str] | None) -> None:
    if value is None:
        return
    if len(value) > PROMPTS_MAX:
        raise ValueError(f"prompts takes at most {PROMPTS_MAX} ice breakers, got {len(value)}")
    for prompt in value:
        if not isinstance(prompt, str) or not 1 <= len(prompt) <= PROMPT_MAX_LEN:
            raise ValueError(f"each of prompts must be a str of 1 to {PROMPT_MAX_LEN} characters")


def _check_commands(_: Any, attribute: attrs.Attribute[Any], value: list[Any] | None) -> None:
    if value is None:
        return
    if len(value) > COMMANDS_MAX:
        raise ValueError(f"commands takes at most {COMMANDS_MAX} commands, got {len(value)}")
    names = set()
    for command in value:
        if not isinstance(command, Mapping) or set(command) != {"command_name", "command_description"}:
            raise ValueError("each of commands must be {'command_name': ..., 'command_description': ...}")
        name, text = command["command_name"], command["command_description"]
        if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
            raise ValueError("commands: command_name must be 1 to 30 letters, digits or '_' (no '/')")
        if not isinstance(text, str) or not 1 <= len(text) <= 256:
            raise ValueError("commands: command_description must be a str of 1 to 256 characters")
        if name in names:
            raise ValueError(f"commands: command_name {name!r} appears twice")
        names.add(name)


@attrs.frozen(kw_only=True)
class ConfigureAutomationRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/conversational_automation``: welcome message, ice breakers, commands.

    Each list given replaces the number's current one (``[]`` clears it).
    """

    operation_id: ClassVar[str | None] = "configureConversationalAutomation"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/conversational_automation"
    idempotent: ClassVar[bool] = True

    enable_welcome_message: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(bool))
    )
    prompts: list[str] | None = attrs.field(default=None, converter=to_str_list, validator=_check_prompts)
    commands: list[AutomationCommand] | None = attrs.field(
        default=None, converter=_commands, validator=_check_commands
    )

    def __attrs_post_init__(self) -> None:
        if self.enable_welcome_message is None and self.prompts is None and self.commands is None:
            raise ValueError("nothing to configure: pass enable_welcome_message, prompts or commands")


# -- Official Business Account ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OfficialBusinessAccountStatus:
    """``oba_status``: PENDING, APPROVED, REJECTED, UNDER_REVIEW, EXPIRED or CANCELLED."""

    id: str | None = None
    oba_status: str | None = None
    status_message: str | None = None


@attrs.frozen(kw_only=True)
class OfficialBusinessAccountUpdate:
    """Meta's answer to an Official Business Account application, with its status."""

    success: bool
    message: str | None = None
    updated_status: OfficialBusinessAccountStatus | None = None
    tracking_id: str | None = None


@attrs.frozen(kw_only=True)
class GetOfficialBusinessAccountRequest(ApiRequest[OfficialBusinessAccountStatus]):
    """``GET /{phone_number_id}/official_business_account``: the green-badge application's state."""

    operation_id: ClassVar[str | None] = "getOfficialBusinessAccountStatus"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/official_business_account"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


class OfficialBusinessAccountApplication(TypedDict, total=False):
    """The application details for an Official Business Account (the blue badge)."""

    business_name: str
    business_description: str
    website_url: str
    contact_email: str


ObaAction = Literal["SUBMIT_APPLICATION", "WITHDRAW_APPLICATION", "RESUBMIT_APPLICATION"]


def _check_application(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError("application_data must be a dict")
    limits = {"business_name": 255, "business_description": 1000, "website_url": 2048, "contact_email": 128}
    for key, item in value.items():
        if key not in limits:
            raise ValueError(f"application_data has no field {key!r}")
        if not isinstance(item, str) or not 1 <= len(item) <= limits[key]:
            raise ValueError(f"application_data.{key} must be a str of 1 to {limits[key]} characters")
    if "website_url" in value:
        check_url("application_data.website_url", value["website_url"])
    if "contact_email" in value and "@" not in value["contact_email"]:
        raise ValueError("application_data.contact_email must be an email address")


@attrs.frozen(kw_only=True)
class SubmitOfficialBusinessAccountRequest(ApiRequest[OfficialBusinessAccountUpdate]):
    """``POST /{phone_number_id}/official_business_account``: submit, withdraw or resubmit."""

    operation_id: ClassVar[str | None] = (
        "GraphWhatsAppBusinessAccountToNumberCurrentStatusOfficialBusinessAccountPost"
    )
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/official_business_account"
    idempotent: ClassVar[bool] = False  # a repeat files another application

    action: ObaAction = attrs.field(validator=check_one_of(get_args(ObaAction), optional=False))
    application_data: OfficialBusinessAccountApplication | None = attrs.field(
        default=None, validator=_check_application
    )


# -- business compliance info (India) --------------------------------------------------------

EntityType = Literal[
    "LIMITED_LIABILITY_PARTNERSHIP",
    "SOLE_PROPRIETORSHIP",
    "PARTNERSHIP",
    "PUBLIC_COMPANY",
    "PRIVATE_COMPANY",
    "OTHER",
]
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


@attrs.frozen(kw_only=True)
class ComplianceContactInfo:
    """A contact as Meta returns it in the compliance details."""

    name: str | None = None
    email: str | None = None
    mobile_number: str | None = None
    landline_number: str | None = None


@attrs.frozen(kw_only=True)
class ComplianceInfo:
    """The business's compliance details (India): entity, registration and contacts."""

    whatsapp_business_account_id: str | None = None
    messaging_product: str | None = None
    entity_name: str | None = None
    entity_type: str | None = None
    entity_type_custom: str | None = None
    is_registered: bool | None = None
    grievance_officer_details: ComplianceContactInfo | None = None
    customer_care_details: ComplianceContactInfo | None = None


@attrs.frozen(kw_only=True)
class ComplianceInfoList:
    """Meta's list envelope around the compliance details (``wa.phone_numbers.get_compliance_info()``)."""

    data: list[ComplianceInfo] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class GetBusinessComplianceInfoRequest(ApiRequest[ComplianceInfoList]):
    """``GET /{phone_number_id}/business_compliance_info`` (India's consumer-protection rules)."""

    operation_id: ClassVar[str | None] = "getBusinessComplianceInfo"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/business_compliance_info"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


class GrievanceOfficer(TypedDict, total=False):
    """The grievance officer of the compliance details (India)."""

    name: str
    email: str
    mobile_number: str
    landline_number: str


class ComplianceContact(TypedDict, total=False):
    """A customer-care contact for India's compliance details; at least one way to reach it."""

    email: str
    mobile_number: str
    landline_number: str


def _contact_checker(required: frozenset[str], allowed: frozenset[str]) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        where = attribute.name
        if not isinstance(value, Mapping):
            raise TypeError(f"{where} must be a dict")
        if missing := required - set(value):
            raise ValueError(f"{where} needs {', '.join(sorted(missing))}")
        if extra := set(value) - allowed:
            raise ValueError(f"{where} has no field {sorted(extra)[0]!r}")
        for key, item in value.items():
            if not isinstance(item, str) or not 1 <= len(item) <= 128:
                raise ValueError(f"{where}.{key} must be a str of 1 to 128 characters")
            if key.endswith("_number") and not _E164.fullmatch(item):
                raise ValueError(f"{where}.{key} must be E.164 with the country code, like +919876543210")
            if key == "email" and "@" not in item:
                raise ValueError(f"{where}.email must be an email address")

    return check


_PHONES: Final = frozenset({"mobile_number", "landline_number"})


@attrs.frozen(kw_only=True)
class UpdateBusinessComplianceInfoRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/business_compliance_info``: the legal entity and its contacts."""

    operation_id: ClassVar[str | None] = "updateBusinessComplianceInfo"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/business_compliance_info"
    idempotent: ClassVar[bool] = True

    messaging_product: Literal["whatsapp"] = attrs.field(
        default="whatsapp", validator=check_one_of({"whatsapp"}, optional=False)
    )
    entity_name: str = attrs.field(validator=check_text(min_len=2, max_len=128, optional=False))
    entity_type: EntityType = attrs.field(validator=check_one_of(get_args(EntityType), optional=False))
    entity_type_custom: str | None = attrs.field(default=None, validator=check_text(max_len=1024))
    is_registered: bool | None = None
    grievance_officer_details: GrievanceOfficer = attrs.field(
        validator=_contact_checker(frozenset({"name", "email"}), frozenset({"name", "email"}) | _PHONES)
    )
    customer_care_details: ComplianceContact = attrs.field(
        validator=_contact_checker(frozenset({"email"}), frozenset({"email"}) | _PHONES)
    )

    def __attrs_post_init__(self) -> None:
        if self.entity_type == "OTHER" and self.entity_type_custom is None:
            raise ValueError("entity_type 'OTHER' needs entity_type_custom")
        if self.is_registered is not None and self.entity_type not in ("OTHER", "PARTNERSHIP"):
            raise ValueError("is_registered is only for entity_type 'OTHER' or 'PARTNERSHIP'")


# -- status update without a PIN ---------------------------------------------------------------


class WebhookConfiguration(TypedDict, total=False):
    """Where Meta sends this number's webhooks instead of the app's; ``""`` removes the override."""

    override_callback_uri: str
    verify_token: str


def _check_webhook(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping) or "override_callback_uri" not in value:
        raise ValueError("webhook_configuration needs override_callback_uri ('' removes the override)")
    if set(value) - {"override_callback_uri", "verify_token"}:
        raise ValueError("webhook_configuration takes only override_callback_uri and verify_token")
    uri = value["override_callback_uri"]
    if uri != "":
        check_url("webhook_configuration.override_callback_uri", uri)
        if not uri.lower().startswith("https://"):
            raise ValueError("webhook_configuration.override_callback_uri must be https (Meta refuses http)")
    token = value.get("verify_token")
    if token is not None and (not isinstance(token, str) or not token):
        raise ValueError("webhook_configuration.verify_token must be a non-empty str")


@attrs.frozen(kw_only=True)
class UpdatePhoneNumberStatusRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}`` without a PIN: search visibility and the webhook override.

    The same operation (``updatePhoneNumberStatus``) as :class:`~.two_step_verification.SetPinRequest`;
    a separate declaration so a PIN is never sent by accident and this call stays PIN-free.
    """

    operation_id: ClassVar[str | None] = "updatePhoneNumberStatus"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}"
    idempotent: ClassVar[bool] = True

    search_visibility: Literal["VISIBLE", "HIDDEN"] | None = attrs.field(
        default=None, validator=check_one_of({"VISIBLE", "HIDDEN"})
    )
    #: ``verify_token`` is a secret: the field is kept out of the repr.
    webhook_configuration: WebhookConfiguration | None = attrs.field(
        default=None, validator=_check_webhook, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if self.search_visibility is None and self.webhook_configuration is None:
            raise ValueError("nothing to update: pass search_visibility or webhook_configuration")
