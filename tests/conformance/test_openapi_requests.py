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

import attrs
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
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
            fields[str(name)] = text if part.get_filename() is None else "<file>"
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
        if "query" in case.skip and ("query", name) not in declared:
            continue  # a spec defect the case documents: a parameter Meta documents but the spec lacks
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
        header_value = request.headers.get(name.lower())
        if param.get("required") and "headers" not in case.skip:
            assert header_value is not None, f"required header {name} missing"
        if header_value is not None:
            assert not spec.schema_errors(header_value, param["schema"]), (name, header_value)

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


# -- each skip is a real spec defect: without it, the check would fail (a stale skip must go) --

SKIPPED = [c for c in CASES if c.skip]


@pytest.mark.parametrize("case", SKIPPED, ids=[c.name for c in SKIPPED])
async def test_each_skip_hides_a_real_failure(spec: Any, case: Case) -> None:
    _, template, operation = spec.operations[case.operation_id]
    request = await build(case)
    assert set(case.skip) <= {"body", "headers", "query"}, f"unknown skip kind in {sorted(case.skip)}"
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
    if "query" in case.skip:
        declared = parameters(spec, operation, spec.document["paths"][template])
        sent = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
        undeclared = [name for name in sent if ("query", name) not in declared]
        assert undeclared, "every query parameter is declared: drop the skip"


def _takes_the_json_body_lane(cls: type[Any]) -> bool:
    wa = WhatsApp(access_token=TOKEN, phone_number_id="1234", business_account_id="5678", app_id="9012")
    return wa._prepare(cls).json_body is not None


JSON_BODY = [c for c in CASES if _takes_the_json_body_lane(c.request)]


def test_the_json_body_lane_is_the_common_shape() -> None:
    # set_pin, register and most management posts: a change to the declarations that drops them
    # all from the lane would show here before it shows in the benchmarks.
    names = {c.request.__name__ for c in JSON_BODY}
    assert {"SetPinRequest", "RegisterRequest"} <= names and len(JSON_BODY) >= 20


@pytest.mark.parametrize("case", JSON_BODY, ids=[c.name for c in JSON_BODY])
async def test_the_json_body_lane_builds_what_the_general_builder_builds(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Operations whose JSON body is one whole field or all their fields, to a fixed URL, skip the
    # general builder's walk; with that lane switched off, every one must go out byte for byte
    # the same.
    fast = await build(case)
    prepare = WhatsApp._prepare

    def general_only(self: WhatsApp, cls: type[Any]) -> Any:
        prepared = attrs.evolve(prepare(self, cls), json_body=None)
        self._prepared[cls] = prepared
        return prepared

    monkeypatch.setattr(WhatsApp, "_prepare", general_only)
    slow = await build(case)
    assert (fast.method, fast.url, dict(fast.headers), fast.meta) == (
        slow.method,
        slow.url,
        dict(slow.headers),
        slow.meta,
    )
    assert isinstance(fast.content, bytes) and fast.content == slow.content
