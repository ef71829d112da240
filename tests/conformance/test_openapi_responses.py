"""The spec's own response examples decode through our models and error tree."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async import GraphAPIError, MockTransport, Response, WhatsApp
from meta_cloud_async.errors import _BY_CODE

CALLS: dict[str, tuple[Callable[[WhatsApp], Any], set[str] | None]] = {
    # operationId: (our call, the 200 examples that belong to it; None = all of them)
    "updatePhoneNumberStatus": (
        lambda wa: wa.two_step_verification.set_pin("428915"),
        {"two_step_verification_set"},
    ),
    "registerWhatsAppBusinessPhoneNumber": (lambda wa: wa.registration.register("428915"), None),
    "deregisterPhoneNumber": (lambda wa: wa.registration.deregister(), None),
    "requestVerificationCode": (lambda wa: wa.phone_numbers.request_code(), None),
    "verifyPhoneNumberCode": (lambda wa: wa.phone_numbers.verify_code("123456"), None),
    "getPhoneNumberById": (lambda wa: wa.phone_numbers.get(), None),
    "getWhatsAppBusinessAccountPhoneNumbers": (lambda wa: wa.phone_numbers.list(), None),
}


def examples(media: dict[str, Any]) -> dict[str, Any]:
    if "examples" in media:
        return {name: ex["value"] for name, ex in media["examples"].items() if "value" in ex}
    if "example" in media:
        return {"example": media["example"]}
    return {}


async def answer_with(status: int, body: Any, call: Callable[[WhatsApp], Any]) -> Any:
    def handler(request: object) -> Response:
        return Response(
            status_code=status,
            headers={"content-type": "application/json"},
            content=json.dumps(body).encode(),
        )

    async with WhatsApp(
        access_token="t",
        phone_number_id="1234",
        business_account_id="5678",
        transport=MockTransport(handler),
        retry=None,
        rate_limit=None,
    ) as wa:
        return await call(wa)


@pytest.mark.parametrize("operation_id", list(CALLS))
async def test_success_examples_decode(spec: Any, operation_id: str) -> None:
    call, wanted = CALLS[operation_id]
    _, _, operation = spec.operations[operation_id]
    media = spec.deref(operation["responses"]["200"])["content"]["application/json"]
    found = {name: value for name, value in examples(media).items() if wanted is None or name in wanted}
    assert found, "the spec has examples for this operation"
    for name, body in found.items():
        result = await answer_with(200, body, call)
        if hasattr(result, "success"):
            assert result.success is body["success"], name
        elif hasattr(result, "data"):
            assert [n.id for n in result.data] == [n["id"] for n in body["data"]], name
        else:
            assert result.id == body["id"], name


@pytest.mark.parametrize("operation_id", list(CALLS))
async def test_error_examples_become_typed_errors(spec: Any, operation_id: str) -> None:
    call, _ = CALLS[operation_id]
    _, _, operation = spec.operations[operation_id]
    checked = 0
    for status, raw in operation["responses"].items():
        if str(status).startswith("2"):
            continue
        media = spec.deref(raw).get("content", {}).get("application/json", {})
        for name, body in examples(media).items():
            error_body = body["error"]
            with pytest.raises(GraphAPIError) as info:
                await answer_with(int(status), body, call)
            error = info.value
            assert error.http_status == int(status)
            assert error.code == error_body["code"], name
            assert error.message == error_body["message"]
            assert error.subcode == error_body.get("error_subcode")
            assert error.fbtrace_id == error_body.get("fbtrace_id")
            if error_body["code"] in _BY_CODE:
                assert type(error) is _BY_CODE[error_body["code"]], name
            checked += 1
    assert checked > 0
