"""Every request the namespaces build, checked against Meta's OpenAPI operation for it.

Driven by the registry of declarations: each case (``cases/<namespace>.py``)
names its request class, whose ``operation_id`` picks the spec operation (the
spec's ``/{Version}/{id}`` templates are ambiguous, fifteen share one shape, so
routing by path would guess), and every declared operation with an
``operationId`` must have a case.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from meta_cloud_async import MockTransport, Request, Response, WhatsApp
from meta_cloud_async._operations import registry
from meta_cloud_async._options import DEFAULT_API_VERSION, DEFAULT_BASE_URL

from .cases import Case, all_cases

TOKEN = "EAAconformanceTOKEN-_.123"


CASES = all_cases()


async def build(case: Case) -> Request:
    sent: list[Request] = []

    def handler(request: Request) -> Response:
        sent.append(request)
        return Response(status_code=200, content=json.dumps(case.reply).encode())

    async with WhatsApp(
        access_token=TOKEN,
        phone_number_id="1234",
        business_account_id="5678",
        app_id="9012",
        transport=MockTransport(handler),
        retry=None,
        rate_limit=None,
    ) as wa:
        await case.call(wa)
    assert len(sent) == 1
    assert sent[0].meta.operation == case.request.__name__, (
        "the call sent another operation than its case names"
    )
    return sent[0]


def test_every_declared_operation_has_a_conformance_case() -> None:
    declared = {op.cls for op in registry() if op.operation_id}
    covered = {case.request for case in CASES}
    missing = sorted(cls.__name__ for cls in declared - covered)
    assert not missing, f"declared operations without a conformance case: {missing}"


def decode_body(request: Request) -> Any:
    """The body as the spec's schema sees it: JSON, or the fields of a form or multipart body."""
    ctype = request.headers["content-type"]
    if ctype.startswith("application/json"):
        return json.loads(request.content)
    if ctype.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(request.content.decode()))
    if ctype.startswith("multipart/form-data"):
        import email.parser
        import email.policy

        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + bytes(request.content)
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[str(name)] = (
                payload.decode("utf-8", "replace") if part.get_filename() is None else "<file>"
            )
        return fields
    raise AssertionError(f"no decoder for {ctype}")


def parameters(spec: Any, operation: dict[str, Any], path_item: dict[str, Any]) -> dict[tuple[str, str], Any]:
    declared = {}
    for raw in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
        param = spec.deref(raw)
        declared[(param["in"], param["name"])] = param
    return declared


def match_path(template: str, path: str) -> dict[str, str] | None:
    """The path parameters of ``path`` under an OpenAPI ``template``, or None if it does not fit."""
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "^" + "".join("([^/]+)" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    found = re.match(regex, path)
    names = [p[1:-1] for p in parts if p.startswith("{")]
    return dict(zip(names, found.groups(), strict=True)) if found else None


def coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_request_conforms_to_its_operation(spec: Any, case: Case) -> None:
    method, template, operation = spec.operations[case.operation_id]
    path_item = spec.document["paths"][template]
    request = await build(case)
    declared = parameters(spec, operation, path_item)
    url = urlsplit(request.url)

    # Server and method.
    assert f"{url.scheme}://{url.netloc}" in {s["url"] for s in spec.document["servers"]}
    assert request.method == method

    # Path: our URL fits the operation's template and each path parameter's schema.
    values = match_path(template, url.path)
    assert values is not None, f"{url.path} does not fit {template}"
    for name, value in values.items():
        param = declared[("path", name)]
        assert not spec.schema_errors(value, param["schema"]), (name, value)
    assert values["Version"] == DEFAULT_API_VERSION

    # Query: only declared parameters, each valid; required ones present.
    query = parse_qs(url.query, keep_blank_values=True)
    for name, items in query.items():
        assert ("query", name) in declared, f"undeclared query parameter {name!r}"
        assert len(items) == 1
        schema = declared[("query", name)].get("schema", {})
        assert not spec.schema_errors(coerce(items[0], schema), schema), (name, items)
    for (where, name), param in declared.items():
        if where == "query" and param.get("required"):
            assert name in query, f"required query parameter {name!r} missing"

    # Headers: required ones present; every declared one we send fits its schema.
    for (where, name), param in declared.items():
        if where != "header":
            continue
        value = request.headers.get(name.lower())
        if param.get("required") and f"header:{name}" not in case.skip:
            assert value is not None, f"required header {name} missing"
        if value is not None:
            assert not spec.schema_errors(value, param["schema"]), (name, value)

    # Body: valid against the requestBody schema for our content type, or absent.
    body_spec = spec.deref(operation.get("requestBody"))
    if request.content:
        assert body_spec is not None, "we send a body the operation does not declare"
        content_type = request.headers["content-type"].split(";", 1)[0]
        assert content_type in body_spec["content"]
        if "body" not in case.skip:
            body = decode_body(request)
            problems = spec.schema_errors(body, body_spec["content"][content_type]["schema"])
            assert not problems, problems
    else:
        assert body_spec is None or not body_spec.get("required"), "required body missing"
        assert "content-type" not in request.headers


@pytest.mark.parametrize("pin", ["428915", "000000", "012345"])
async def test_set_pin_body_fits_the_dedicated_schema(spec: Any, pin: str) -> None:
    from meta_cloud_async.types.two_step_verification import SetPinRequest

    case = Case("set_pin", SetPinRequest, lambda wa: wa.two_step_verification.set_pin(pin), {"success": True})
    request = await build(case)
    body = json.loads(request.content)
    assert body == {"pin": pin}
    assert not spec.schema_errors(body, {"$ref": "#/components/schemas/TwoStepVerificationRequest"})


async def test_register_body_fits_the_spec_examples_shape(spec: Any) -> None:
    request = await build(next(c for c in CASES if c.name == "register"))
    _, _, operation = spec.operations["registerWhatsAppBusinessPhoneNumber"]
    example = operation["requestBody"]["content"]["application/json"]["examples"]["basic_registration"][
        "value"
    ]
    assert set(json.loads(request.content)) == set(example)


def test_our_regions_are_the_spec_enum(spec: Any) -> None:
    from meta_cloud_async.types.registration import DATA_LOCALIZATION_REGIONS

    enum = spec.deref({"$ref": "#/components/schemas/WhatsAppDataLocalizationRegion"})["enum"]
    assert set(enum) == DATA_LOCALIZATION_REGIONS


def test_spec_invalid_bodies_are_what_we_refuse(spec: Any) -> None:
    """The spec's own patterns reject what our validators reject (a sanity check on the checker)."""
    schema = {"$ref": "#/components/schemas/TwoStepVerificationRequest"}
    for bad in ("12345", "1234567", "12a456"):
        assert spec.schema_errors({"pin": bad}, schema)
    assert spec.schema_errors(
        {"code_method": "sms", "language": "en_US"}, {"$ref": "#/components/schemas/RequestCodeRequest"}
    )


def test_default_base_url_is_the_spec_server(spec: Any) -> None:
    assert {s["url"] for s in spec.document["servers"]} == {DEFAULT_BASE_URL}


def test_headers_fit_the_spec_header_patterns(spec: Any) -> None:
    params = spec.document["components"]["parameters"]
    from meta_cloud_async._client import USER_AGENT

    assert not spec.schema_errors(USER_AGENT, params["UserAgent"]["schema"])
    assert not spec.schema_errors(f"Bearer {TOKEN}", params["Authorization"]["schema"])
    assert not spec.schema_errors("application/json", params["ContentType"]["schema"])
    assert spec.schema_errors("MySDK/1.0", params["UserAgent"]["schema"])  # the checker is live
