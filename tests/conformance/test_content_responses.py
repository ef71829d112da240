"""The spec's 200 examples for the template, Flow and key operations decode through our models."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async import MockTransport, Response, WhatsApp
from meta_cloud_async.types.templates import Body

_FLOW = "1234567890123"
_PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"

CALLS: dict[str, Callable[[WhatsApp], Any]] = {
    "getTemplateByIdDefaultFields": lambda wa: wa.templates.get("564912142382994"),
    "getTemplateByNameDefaultFields": lambda wa: wa.templates.list(name="x"),
    "createAuthenticationTemplateWOtpCopyCodeButton": lambda wa: wa.templates.create(
        "x", "en_US", "UTILITY", [Body(text="Order shipped.")]
    ),
    "editTemplate": lambda wa: wa.templates.edit("564912142382994", category="UTILITY"),
    "deleteTemplateByName": lambda wa: wa.templates.delete(name="x"),
    "listFlows": lambda wa: wa.flows.list(),
    "createFlow": lambda wa: wa.flows.create("x", ["OTHER"]),
    "migrateFlows": lambda wa: wa.flows.migrate("104996122399160"),
    "getFlow": lambda wa: wa.flows.get(_FLOW),
    "updateFlowMetadata": lambda wa: wa.flows.update_metadata(_FLOW, name="y"),
    "deleteFlow": lambda wa: wa.flows.delete(_FLOW),
    "listAssetsGetFlowJsonUrl": lambda wa: wa.flows.assets(_FLOW),
    "updateFlowJson": lambda wa: wa.flows.update_json(_FLOW, "{}", raise_on_errors=False),
    "publishFlow": lambda wa: wa.flows.publish(_FLOW),
    "deprecateFlow": lambda wa: wa.flows.deprecate(_FLOW),
    "getBusinessEncryptionPublicKey": lambda wa: wa.encryption.get_public_key(),
    "setBusinessEncryptionPublicKey": lambda wa: wa.encryption.set_public_key(_PEM),
}


def _examples(media: dict[str, Any]) -> list[Any]:
    if "examples" in media:
        return [ex["value"] for ex in media["examples"].values() if "value" in ex]
    return [media["example"]] if "example" in media else []


@pytest.mark.parametrize("operation_id", list(CALLS))
async def test_success_examples_decode(spec: Any, operation_id: str) -> None:
    _, _, operation = spec.operations[operation_id]
    media = spec.deref(operation["responses"]["200"])["content"]["application/json"]
    bodies = _examples(media)
    assert bodies, "the spec has an example for this operation"
    for body in bodies:

        def handler(request: object, body: Any = body) -> Response:
            return Response(status_code=200, content=json.dumps(body).encode())

        async with WhatsApp(
            access_token="t",
            phone_number_id="1234",
            business_account_id="5678",
            transport=MockTransport(handler),
            retry=None,
            rate_limit=None,
        ) as wa:
            result = await CALLS[operation_id](wa)
        if isinstance(body.get("data"), list) and hasattr(result, "data"):
            assert len(result.data) == len(body["data"])
        elif "id" in body and hasattr(result, "id"):
            assert result.id == body["id"]
        elif "success" in body and hasattr(result, "success"):
            assert result.success is body["success"]
