"""The spec's own examples for the phone-level operations, both ways.

Requests: each request example builds through our request class unchanged (our
checks are not stricter than Meta's examples) and goes out byte-for-byte the
same JSON. Responses: each 200 example decodes through the model of our call.
The few examples that contradict Meta's reference are listed with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async import MockTransport, Request, Response, WhatsApp
from meta_cloud_async.types.block_users import BlockUsersRequest, UnblockUsersRequest
from meta_cloud_async.types.business_profile import (
    UpdateBusinessProfileByIdRequest,
    UpdateBusinessProfileRequest,
)
from meta_cloud_async.types.calling import CallActionRequest, InitiateCallRequest
from meta_cloud_async.types.phone_settings import (
    ConfigureAutomationRequest,
    SubmitOfficialBusinessAccountRequest,
    UpdateBusinessComplianceInfoRequest,
    UpdatePhoneSettingsRequest,
)
from meta_cloud_async.types.qr_codes import CreateQrCodeRequest, UpdateQrCodeRequest
from meta_cloud_async.types.shared import ApiRequest

CODE = "ANED2T5QRUTHGA"
SDP = "v=0\r\n"


def _users(cls: Any) -> Callable[[dict[str, Any]], ApiRequest[Any]]:
    return lambda ex: cls(block_users=[u["user"] for u in ex["block_users"]])


def _call(ex: dict[str, Any]) -> ApiRequest[Any]:
    return InitiateCallRequest(**ex) if ex["action"] == "connect" else CallActionRequest(**ex)


def _qr(ex: dict[str, Any]) -> ApiRequest[Any]:
    return UpdateQrCodeRequest(**ex) if "code" in ex else CreateQrCodeRequest(**ex)


BUILDERS: dict[str, Callable[[dict[str, Any]], ApiRequest[Any]]] = {
    "blockUserS": _users(BlockUsersRequest),
    "unblockUserS": _users(UnblockUsersRequest),
    "manageCalls": _call,
    "createOrUpdateQrCode": _qr,
    "GraphWhatsAppBusinessAccountToNumberCurrentStatusOfficialBusinessAccountPost": lambda ex: (
        SubmitOfficialBusinessAccountRequest(**ex)
    ),
    "updatePhoneNumberSettings": lambda ex: UpdatePhoneSettingsRequest(**ex),
    "updateWhatsAppBusinessProfileInformation": lambda ex: UpdateBusinessProfileRequest(**ex),
    "updateWhatsAppBusinessProfile": lambda ex: UpdateBusinessProfileByIdRequest(profile_id="998877", **ex),
    "updateBusinessComplianceInfo": lambda ex: UpdateBusinessComplianceInfoRequest(**ex),
    "configureConversationalAutomation": lambda ex: ConfigureAutomationRequest(**ex),
}

#: (operationId, example) -> why the example is not one we can send.
CONTRADICTIONS = {
    ("manageCalls", "Accept Call"): "sends 'to'; Meta's calling reference accepts by call_id",
    ("manageCalls", "Reject Call"): "sends 'to'; Meta's calling reference rejects by call_id",
    (
        "updateWhatsAppBusinessProfile",
        "complete_update",
    ): "sends account_name, absent from its own request schema",
}


def request_examples(spec: Any) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for operation_id in BUILDERS:
        _, _, operation = spec.operations[operation_id]
        media = spec.deref(operation["requestBody"])["content"]["application/json"]
        for name, example in (media.get("examples") or {}).items():
            found.append((operation_id, name, spec.deref(example)["value"]))
    return found


def build(req: ApiRequest[Any]) -> Request:
    """The request the client would send (built, not sent)."""
    wa = WhatsApp(
        access_token="t", phone_number_id="1234", transport=MockTransport(lambda r: Response(status_code=200))
    )
    return wa._build(req)


def test_request_examples_build_unchanged(spec: Any) -> None:
    examples = request_examples(spec)
    assert len(examples) >= 25, "the spec's request examples for these operations"
    checked = 0
    for operation_id, name, example in examples:
        if (operation_id, name) in CONTRADICTIONS:
            with pytest.raises((ValueError, TypeError)):
                BUILDERS[operation_id](example)
            continue
        request = build(BUILDERS[operation_id](example))
        assert json.loads(request.content) == example, (operation_id, name)
        checked += 1
    assert checked == len(examples) - len(CONTRADICTIONS)


RESPONSES: dict[str, Callable[[WhatsApp], Any]] = {
    "getBlockedUsers": lambda wa: wa.block_users.list(),
    "blockUserS": lambda wa: wa.block_users.block("+16505551234"),
    "unblockUserS": lambda wa: wa.block_users.unblock("+16505551234"),
    "checkCallPermissions": lambda wa: wa.calling.permissions("14085551234"),
    "listAllQrCodes": lambda wa: wa.qr_codes.list(),
    "getIndividualQrCode": lambda wa: wa.qr_codes.get(CODE),
    "deleteIndividualQrCode": lambda wa: wa.qr_codes.delete(CODE),
    "getOfficialBusinessAccountStatus": lambda wa: wa.phone_numbers.get_official_business_account(),
    "GraphWhatsAppBusinessAccountToNumberCurrentStatusOfficialBusinessAccountPost": lambda wa: (
        wa.phone_numbers.submit_official_business_account(action="WITHDRAW_APPLICATION")
    ),
    "getMessageHistory": lambda wa: wa.message_history.list(),
    "getMessageHistoryEvents": lambda wa: wa.message_history.events("778899"),
    "getPhoneNumberSettings": lambda wa: wa.phone_numbers.get_settings(),
    "updatePhoneNumberSettings": lambda wa: wa.phone_numbers.set_user_identity_change(True),
    "getWhatsAppBusinessProfile": lambda wa: wa.business_profile.get(),
    "updateWhatsAppBusinessProfileInformation": lambda wa: wa.business_profile.update(about="Hi"),
    "getWhatsAppBusinessProfileDetails": lambda wa: wa.business_profile.get_by_id(profile_id="998877"),
    "updateWhatsAppBusinessProfile": lambda wa: wa.business_profile.update_by_id(
        profile_id="998877", about="Hi"
    ),
    "getCommerceSettings": lambda wa: wa.commerce.get(),
    "setOrUpdateCommerceSettings": lambda wa: wa.commerce.update(is_cart_enabled=True),
    "getBusinessComplianceInfo": lambda wa: wa.phone_numbers.get_compliance_info(),
    "updateBusinessComplianceInfo": lambda wa: wa.phone_numbers.update_compliance_info(
        entity_name="Ex Co",
        entity_type="PRIVATE_COMPANY",
        grievance_officer_details={"name": "A", "email": "a@example.com"},
        customer_care_details={"email": "c@example.com"},
    ),
    "configureConversationalAutomation": lambda wa: wa.phone_numbers.configure_automation(prompts=[]),
}
CALL_RESPONSES: dict[str, Callable[[WhatsApp], Any]] = {
    "Connect Call Response": lambda wa: wa.calling.initiate("14085551234", SDP),
    "Terminate Call Response": lambda wa: wa.calling.terminate("wacid.1"),
}


@pytest.mark.parametrize("operation_id", [*RESPONSES, "manageCalls"])
async def test_response_examples_decode(spec: Any, operation_id: str) -> None:
    _, _, operation = spec.operations[operation_id]
    media = spec.deref(operation["responses"]["200"])["content"]["application/json"]
    examples = {name: spec.deref(ex)["value"] for name, ex in (media.get("examples") or {}).items()}
    assert examples, "the spec has 200 examples for this operation"
    for name, body in examples.items():
        call = CALL_RESPONSES[name] if operation_id == "manageCalls" else RESPONSES[operation_id]

        def handler(request: Request, body: Any = body) -> Response:
            return Response(status_code=200, content=json.dumps(body).encode())

        async with WhatsApp(
            access_token="t",
            phone_number_id="1234",
            transport=MockTransport(handler),
            retry=None,
            rate_limit=None,
        ) as wa:
            result = await call(wa)
        assert result is not None, name
