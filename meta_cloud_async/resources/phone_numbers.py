"""Phone numbers: read one, list a WABA's, verify ownership by code, and the per-number settings."""

from __future__ import annotations

from collections.abc import Iterable

from ..pagination import AsyncPaginator
from ..types.phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    PhoneNumber,
    RequestCodeRequest,
    VerifyCodeRequest,
    VerifyCodeResponse,
)
from ..types.phone_settings import (
    CallingUpdate,
    ConfigureAutomationRequest,
    GetBusinessComplianceInfoRequest,
    GetOfficialBusinessAccountRequest,
    GetPhoneSettingsRequest,
    OnOff,
    SubmitOfficialBusinessAccountRequest,
    UpdateBusinessComplianceInfoRequest,
    UpdatePhoneNumberStatusRequest,
    UpdatePhoneSettingsRequest,
)
from ..types.shared import SuccessResponse
from ._base import Resource, endpoint

__all__ = ["PhoneNumbers"]


class PhoneNumbers(Resource):
    """The client's phone number and its WABA's numbers."""

    get = endpoint(
        GetPhoneNumberRequest,
        doc="The client's phone number, with the ``fields`` asked for (any iterable; Meta's default set otherwise).",
    )

    def list(
        self,
        *,
        fields: Iterable[str] | str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[PhoneNumber]:
        """The business account's numbers: ``await`` it for one page, ``async for`` for all."""
        request = ListPhoneNumbersRequest(fields=fields, limit=limit, after=after, before=before)
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    request_code = endpoint(
        RequestCodeRequest,
        doc=(
            "Ask Meta to send an ownership code by ``code_method='SMS'`` or ``'VOICE'``. Not idempotent"
            " (a repeat sends another message): retried only when it surely never reached Meta."
        ),
    )

    async def verify_code(self, code: str) -> VerifyCodeResponse:
        """Confirm ownership with the six-digit code Meta sent; never repeated once sent (each try counts)."""
        return await self._client._call(VerifyCodeRequest(code=code))

    # -- settings (calling, identity change, payload encryption, storage) ------------------------

    get_settings = endpoint(
        GetPhoneSettingsRequest,
        doc="The number's calling, payload-encryption and storage settings (``include_sip_credentials=True`` adds SIP passwords).",
    )
    update_settings = endpoint(
        UpdatePhoneSettingsRequest,
        doc="One settings group per call: ``calling=``, ``user_identity_change=``, ``payload_encryption=`` or ``storage_configuration=``.",
    )

    async def set_calling(self, status: OnOff, **calling: object) -> SuccessResponse:
        """Turn calling on or off; other ``calling`` keys (``call_icon_visibility``, ``call_hours``...) too."""
        update: CallingUpdate = {"status": status, **calling}  # type: ignore[typeddict-item]
        return await self._client._call(UpdatePhoneSettingsRequest(calling=update))

    async def set_user_identity_change(self, enabled: bool) -> SuccessResponse:
        """Whether Meta tells you (and the customer must confirm) when a user's identity changes."""
        return await self._client._call(UpdatePhoneSettingsRequest(user_identity_change={"enabled": enabled}))

    async def set_payload_encryption(
        self, status: OnOff, *, client_encryption_key: str | None = None
    ) -> SuccessResponse:
        """Encrypt webhook payloads to ``client_encryption_key`` (base64 public key; needed to enable)."""
        update: dict[str, str] = {"status": status}
        if client_encryption_key is not None:
            update["client_encryption_key"] = client_encryption_key
        return await self._client._call(UpdatePhoneSettingsRequest(payload_encryption=update))  # type: ignore[arg-type]

    async def set_storage_configuration(self, enabled: bool, *, region: str | None = None) -> SuccessResponse:
        """In-country (local) storage of message data in ``region`` (needed to enable)."""
        update: dict[str, object] = {"enabled": enabled}
        if region is not None:
            update["region"] = region
        return await self._client._call(UpdatePhoneSettingsRequest(storage_configuration=update))  # type: ignore[arg-type]

    # -- conversational automation, OBA, compliance, status --------------------------------------

    configure_automation = endpoint(
        ConfigureAutomationRequest,
        doc=(
            "Welcome message on/off, up to 4 ice breakers (``prompts``, 80 characters each) and up to 30"
            " ``commands`` (``{name: description}`` or command dicts); a list given replaces the current one."
        ),
    )
    get_official_business_account = endpoint(
        GetOfficialBusinessAccountRequest, doc="The Official Business Account (green badge) status."
    )
    submit_official_business_account = endpoint(
        SubmitOfficialBusinessAccountRequest,
        doc="``action=`` SUBMIT_APPLICATION, WITHDRAW_APPLICATION or RESUBMIT_APPLICATION (never repeated).",
    )
    get_compliance_info = endpoint(
        GetBusinessComplianceInfoRequest, doc="The business compliance information (India)."
    )
    update_compliance_info = endpoint(
        UpdateBusinessComplianceInfoRequest,
        doc="Set the legal entity, its grievance officer and customer care contacts (India).",
    )
    update_status = endpoint(
        UpdatePhoneNumberStatusRequest,
        doc=(
            "``POST /{phone}`` without a PIN: ``search_visibility='VISIBLE'|'HIDDEN'`` and/or"
            " ``webhook_configuration={'override_callback_uri': ..., 'verify_token': ...}``."
        ),
    )
