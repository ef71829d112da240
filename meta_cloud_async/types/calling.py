"""Business-initiated and user-initiated WhatsApp calls: permissions, then connect / pre-accept /
accept / reject / terminate with SDP (RFC 8866) offers and answers."""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal, TypedDict

import attrs

from ._checks import check_one_of, check_text
from .shared import ApiRequest

__all__ = [
    "CallAction",
    "CallActionRequest",
    "CallPermission",
    "CallPermissionAction",
    "CallPermissionLimit",
    "CallPermissions",
    "CallPermissionsRequest",
    "CallRef",
    "InitiateCallRequest",
    "ManageCallResponse",
    "SdpSession",
]

CALLBACK_DATA_MAX: Final = 512
CallAction = Literal["pre_accept", "accept", "reject", "terminate"]


class SdpSession(TypedDict):
    """``sdp_type`` is ``offer`` to connect, ``answer`` to pre-accept or accept."""

    sdp_type: Literal["offer", "answer"]
    sdp: str


@attrs.frozen(kw_only=True)
class CallPermissionLimit:
    """How many call-permission requests or calls are used and allowed in a period."""

    time_period: str | None = None
    current_usage: int | None = None
    max_allowed: int | None = None
    limit_expiration_time: int | None = None


@attrs.frozen(kw_only=True)
class CallPermissionAction:
    """``action_name``: ``start_call`` or ``send_call_permission_request``."""

    action_name: str | None = None
    can_perform_action: bool | None = None
    limits: list[CallPermissionLimit] | None = None


@attrs.frozen(kw_only=True)
class CallPermission:
    """``status``: granted, pending, denied or expired."""

    status: str | None = None
    expiration_time: int | None = None


@attrs.frozen(kw_only=True)
class CallPermissions:
    """Whether the business may call a user, and which call actions are allowed and limited."""

    messaging_product: str | None = None
    permission: CallPermission | None = None
    actions: list[CallPermissionAction] | None = None


@attrs.frozen(kw_only=True)
class CallRef:
    """The id of a call Meta accepted to start."""

    id: str


@attrs.frozen(kw_only=True)
class ManageCallResponse:
    """``calls`` for a connect (the new call id), ``success`` for the other actions."""

    messaging_product: str | None = None
    calls: list[CallRef] | None = None
    success: bool | None = None


@attrs.frozen(kw_only=True)
class CallPermissionsRequest(ApiRequest[CallPermissions]):
    """``GET /{phone_number_id}/call_permissions?user_wa_id=...``: may the business call this user?"""

    operation_id: ClassVar[str | None] = "checkCallPermissions"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/call_permissions"
    idempotent: ClassVar[bool] = True

    user_wa_id: str = attrs.field(validator=check_text(max_len=64, optional=False))


def _check_session(expected: str | None) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, dict) or set(value) != {"sdp_type", "sdp"}:
            raise ValueError("session must be {'sdp_type': 'offer' or 'answer', 'sdp': '<RFC 8866 SDP>'}")
        if value["sdp_type"] not in ("offer", "answer"):
            raise ValueError(f"session.sdp_type must be 'offer' or 'answer', got {value['sdp_type']!r}")
        want = expected or (
            "answer" if getattr(instance, "action", None) in ("pre_accept", "accept") else None
        )
        if want is not None and value["sdp_type"] != want:
            raise ValueError(f"session.sdp_type must be {want!r} for this action")
        if not isinstance(value["sdp"], str) or not value["sdp"].startswith("v="):
            raise ValueError("session.sdp must be an SDP description starting with 'v='")

    return check


_WHATSAPP = check_one_of({"whatsapp"}, optional=False)


@attrs.frozen(kw_only=True)
class InitiateCallRequest(ApiRequest[ManageCallResponse]):
    """``POST /{phone_number_id}/calls`` with ``action: connect``: ring a user (never repeated: a repeat
    would ring twice)."""

    operation_id: ClassVar[str | None] = "manageCalls"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/calls"
    idempotent: ClassVar[bool] = False

    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    to: str = attrs.field(validator=check_text(max_len=64, optional=False))
    action: Literal["connect"] = attrs.field(
        default="connect", validator=check_one_of({"connect"}, optional=False)
    )
    session: SdpSession = attrs.field(validator=_check_session("offer"))
    biz_opaque_callback_data: str | None = attrs.field(
        default=None, validator=check_text(max_len=CALLBACK_DATA_MAX)
    )


@attrs.frozen(kw_only=True)
class CallActionRequest(ApiRequest[ManageCallResponse]):
    """``POST /{phone_number_id}/calls`` on an existing ``call_id``: pre_accept, accept, reject, terminate.

    Idempotent: a call accepted or ended twice is still accepted or ended once.
    """

    operation_id: ClassVar[str | None] = "manageCalls"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/calls"
    idempotent: ClassVar[bool] = True

    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    call_id: str = attrs.field(validator=check_text(max_len=256, optional=False))
    action: CallAction = attrs.field(
        validator=check_one_of({"pre_accept", "accept", "reject", "terminate"}, optional=False)
    )
    session: SdpSession | None = attrs.field(default=None, validator=_check_session(None))
    biz_opaque_callback_data: str | None = attrs.field(
        default=None, validator=check_text(max_len=CALLBACK_DATA_MAX)
    )

    def __attrs_post_init__(self) -> None:
        if self.action in ("pre_accept", "accept") and self.session is None:
            raise ValueError(f"{self.action} needs session={{'sdp_type': 'answer', 'sdp': ...}}")
        if self.action in ("reject", "terminate") and self.session is not None:
            raise ValueError(f"{self.action} takes no session")
