"""Routes for :mod:`.profile_state`: business profile, QR codes, blocked users, conversational
automation and phone settings (imported by :mod:`.routes`, so they register with the rest)."""

from __future__ import annotations

from typing import Any

from ..types.block_users import BlockUsersRequest, ListBlockedUsersRequest, UnblockUsersRequest
from ..types.business_profile import GetBusinessProfileRequest, UpdateBusinessProfileRequest
from ..types.phone_settings import (
    ConfigureAutomationRequest,
    GetPhoneSettingsRequest,
    UpdatePhoneSettingsRequest,
)
from ..types.qr_codes import (
    CreateQrCodeRequest,
    DeleteQrCodeRequest,
    GetQrCodeRequest,
    ListQrCodesRequest,
    UpdateQrCodeRequest,
)
from .profile_state import NumberProfile, profiles_of
from .routes import Call, handles

__all__: list[str] = []


def _number(call: Call) -> NumberProfile:
    assert call.phone is not None
    return profiles_of(call.business).of(call.phone.id)


def _base(call: Call) -> str:
    return f"{call.origin}{call.path}"


@handles(GetBusinessProfileRequest, name="get_business_profile")
def _get_profile(call: Call) -> dict[str, Any]:
    return _number(call).get_profile(call.params)


@handles(UpdateBusinessProfileRequest, name="update_business_profile")
def _update_profile(call: Call) -> dict[str, Any]:
    return _number(call).update_profile(call.params)


# Create and update share one Graph operation; the router picks the first declaration that
# matches, so one handler serves both and tells them apart by ``code``, as Graph does.
@handles(CreateQrCodeRequest, name="upsert_qr_code")
def _upsert_qr(call: Call) -> dict[str, Any]:
    return _number(call).upsert_qr(call.params, call.now)


handles(UpdateQrCodeRequest, name="upsert_qr_code")(_upsert_qr)


@handles(ListQrCodesRequest, name="list_qr_codes")
def _list_qr(call: Call) -> dict[str, Any]:
    return _number(call).list_qr(call.params, _base(call))


@handles(GetQrCodeRequest, name="get_qr_code")
def _get_qr(call: Call) -> dict[str, Any]:
    return _number(call).get_qr(call.values["code"], call.params)


@handles(DeleteQrCodeRequest, name="delete_qr_code")
def _delete_qr(call: Call) -> dict[str, Any]:
    return _number(call).delete_qr(call.values["code"])


@handles(BlockUsersRequest, name="block_users")
def _block(call: Call) -> dict[str, Any]:
    return _number(call).block(call.params)


@handles(UnblockUsersRequest, name="unblock_users")
def _unblock(call: Call) -> dict[str, Any]:
    return _number(call).unblock(call.params)


@handles(ListBlockedUsersRequest, name="list_blocked_users")
def _list_blocked(call: Call) -> dict[str, Any]:
    return _number(call).list_blocked(call.params, _base(call))


@handles(ConfigureAutomationRequest, name="conversational_automation")
def _automation(call: Call) -> dict[str, Any]:
    return _number(call).configure_automation(call.params)


@handles(GetPhoneSettingsRequest, name="get_phone_settings")
def _get_settings(call: Call) -> dict[str, Any]:
    return _number(call).get_settings(call.params)


@handles(UpdatePhoneSettingsRequest, name="update_phone_settings")
def _update_settings(call: Call) -> dict[str, Any]:
    return _number(call).update_settings(call.params)
