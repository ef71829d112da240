"""Every skip a case claims is a real spec defect: without the skip, the check would fail.

A skip that no longer fails (Meta fixed the spec, or our request changed) is
stale and must go, so the suite keeps checking what it can.
"""

from __future__ import annotations

from typing import Any

import pytest

from .test_openapi_requests import CASES, Case, build, decode_body, parameters

SKIPPED = [c for c in CASES if c.skip]


@pytest.mark.parametrize("case", SKIPPED, ids=[c.name for c in SKIPPED])
async def test_each_skip_hides_a_real_failure(spec: Any, case: Case) -> None:
    method, template, operation = spec.operations[case.operation_id]
    request = await build(case)
    assert set(case.skip) <= {"body", "headers"}, f"unknown skip kind in {sorted(case.skip)}"
    assert all(reason.strip() for reason in case.skip.values()), "each skip names its reason"
    if "body" in case.skip:
        body_spec = spec.deref(operation["requestBody"])
        content_type = request.headers["content-type"].split(";", 1)[0]
        schema = body_spec["content"][content_type]["schema"]
        assert spec.schema_errors(decode_body(request), schema), "the body fits the spec: drop the skip"
    if "headers" in case.skip:
        declared = parameters(spec, operation, spec.document["paths"][template])
        missing = [
            name
            for (where, name), param in declared.items()
            if where == "header" and param.get("required") and request.headers.get(name.lower()) is None
        ]
        assert missing, "every required header is sent: drop the skip"
