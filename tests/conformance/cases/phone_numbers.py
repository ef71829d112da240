"""Conformance cases: 2SV, registration and phone numbers."""

from __future__ import annotations

from meta_cloud_async.types.phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    RequestCodeRequest,
    VerifyCodeRequest,
)
from meta_cloud_async.types.registration import DeregisterRequest, RegisterRequest
from meta_cloud_async.types.two_step_verification import SetPinRequest
from meta_cloud_async.types.waba import GetBusinessAccountRequest

from . import Case

CASES = [
    Case("set_pin", SetPinRequest, lambda wa: wa.two_step_verification.set_pin("428915"), {"success": True}),
    Case("register", RegisterRequest, lambda wa: wa.registration.register("428915"), {"success": True}),
    Case(
        "register_with_region",
        RegisterRequest,
        lambda wa: wa.registration.register("012345", data_localization_region="DE"),
        {"success": True},
    ),
    Case("deregister", DeregisterRequest, lambda wa: wa.registration.deregister(), {"success": True}),
    Case("get", GetPhoneNumberRequest, lambda wa: wa.phone_numbers.get(), {"id": "1234"}),
    Case(
        "get_with_fields",
        GetPhoneNumberRequest,
        lambda wa: wa.phone_numbers.get(fields=["display_phone_number", "quality_rating", "name_status"]),
        {"id": "1234"},
    ),
    Case("list", ListPhoneNumbersRequest, lambda wa: wa.phone_numbers.list(), {"data": []}),
    Case(
        "list_with_limit_after",
        ListPhoneNumbersRequest,
        lambda wa: wa.phone_numbers.list(limit=25, after="QVFIUm9", fields=["id", "status"]),
        {"data": []},
    ),
    Case(
        "list_with_before",
        ListPhoneNumbersRequest,
        lambda wa: wa.phone_numbers.list(limit=1, before="QVFIUm8"),
        {"data": []},
    ),
    Case(
        "request_code_sms", RequestCodeRequest, lambda wa: wa.phone_numbers.request_code(), {"success": True}
    ),
    Case(
        "request_code_voice",
        RequestCodeRequest,
        lambda wa: wa.phone_numbers.request_code(code_method="VOICE", language="es_ES"),
        {"success": True},
    ),
    Case(
        "verify_code",
        VerifyCodeRequest,
        lambda wa: wa.phone_numbers.verify_code("123456"),
        {"success": True, "id": "1234"},
    ),
    Case(
        "get_waba",
        GetBusinessAccountRequest,
        lambda wa: wa._call(GetBusinessAccountRequest(fields=["id", "name"])),
        {"id": "5678"},
    ),
]
