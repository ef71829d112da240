"""Conformance cases: calling."""

from __future__ import annotations

from meta_cloud_async.types.calling import CallActionRequest, CallPermissionsRequest, InitiateCallRequest

from . import Case

SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CALL = "wacid.HBgLMTU1NTEyMzQ1NjcVAgARGBQ"
OK = {"success": True}
ANSWER_DEFECT = (
    "the spec's manageCalls oneOf requires 'to' in the SDP branch and allows only 'terminate' with"
    " call_id, so Meta's documented pre_accept/accept/reject by call_id fit neither branch (its own"
    " Accept/Reject examples send 'to' where Meta's calling reference sends call_id)"
)

NO_BODY_CONTENT_TYPE = {
    "headers": "the spec marks Content-Type required on this body-less call; a request without a body"
    " carries no Content-Type (RFC 9110 8.3)"
}

CASES = [
    Case(
        "call_permissions",
        CallPermissionsRequest,
        lambda wa: wa.calling.permissions("15551234567"),
        {"messaging_product": "whatsapp", "permission": {"status": "granted"}, "actions": []},
        skip=NO_BODY_CONTENT_TYPE,
    ),
    Case(
        "initiate_call",
        InitiateCallRequest,
        lambda wa: wa.calling.initiate("15551234567", SDP, biz_opaque_callback_data="ticket-42"),
        {"messaging_product": "whatsapp", "calls": [{"id": CALL}]},
    ),
    Case("terminate_call", CallActionRequest, lambda wa: wa.calling.terminate(CALL), OK),
    Case(
        "pre_accept_call",
        CallActionRequest,
        lambda wa: wa.calling.pre_accept(CALL, SDP),
        OK,
        skip={"body": ANSWER_DEFECT},
    ),
    Case(
        "accept_call",
        CallActionRequest,
        lambda wa: wa.calling.accept(CALL, SDP),
        OK,
        skip={"body": ANSWER_DEFECT},
    ),
    Case(
        "reject_call", CallActionRequest, lambda wa: wa.calling.reject(CALL), OK, skip={"body": ANSWER_DEFECT}
    ),
]
