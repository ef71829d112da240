"""The spec's 200 examples of the WABA, app, solution and business operations decode through our models."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meta_cloud_async import MockTransport, Request, Response, WhatsApp

from .cases import waba

FIRST: dict[str, Any] = {}
for _case in waba.CASES:
    FIRST.setdefault(_case.operation_id, _case)


def success_examples(spec: Any, operation_id: str) -> dict[str, Any]:
    _, _, operation = spec.operations[operation_id]
    response = spec.deref(operation["responses"].get("200"))
    media = (response or {}).get("content", {}).get("application/json", {})
    found = {name: ex["value"] for name, ex in media.get("examples", {}).items() if "value" in ex}
    if not found and "example" in media:
        found = {"example": media["example"]}
    return found


@pytest.mark.parametrize("operation_id", sorted(FIRST))
async def test_spec_success_examples_decode(spec: Any, operation_id: str) -> None:
    case = FIRST[operation_id]
    found = success_examples(spec, operation_id)
    if not found:
        pytest.skip(f"{operation_id}: the spec gives no 200 example")
    for name, body in found.items():

        def handler(request: Request, body: Any = body) -> Response:
            return Response(status_code=200, content=json.dumps(body).encode())

        async with WhatsApp(
            access_token="EAAexamples",
            phone_number_id="1234",
            business_account_id="5678",
            app_id="9012",
            transport=MockTransport(handler),
            retry=None,
            rate_limit=None,
        ) as wa:
            decoded = await case.call(wa)  # a paginator awaits to its first page
        assert decoded is not None, name
        for key, value in body.items():
            if isinstance(value, (str, bool, int)) and hasattr(decoded, key):
                assert getattr(decoded, key) == value, (name, key)
