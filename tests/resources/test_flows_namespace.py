"""wa.flows and wa.encryption: multipart wire shapes, validation errors, refusals that send nothing."""

from __future__ import annotations

import email.parser
import email.policy
import json
from typing import Any

import pytest

from meta_cloud_async import Request, Response, WhatsApp
from meta_cloud_async.errors import FlowJsonValidationError

BASE = "https://graph.facebook.com/v23.0"
PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"


def parts(request: Request) -> dict[str, tuple[str | None, str | None, bytes]]:
    """Multipart fields: name -> (filename, content type, bytes)."""
    ctype = request.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + request.content
    )
    out = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        ctype_part = part.get_content_type() if part.get_filename() else None
        out[str(part.get_param("name", header="content-disposition"))] = (
            part.get_filename(),
            ctype_part,
            payload,
        )
    return out


async def test_create_is_multipart_with_categories_as_json(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "1234567890123"})
    created = await wa.flows.create(
        "appointment", ["APPOINTMENT_BOOKING", "OTHER"], endpoint_uri="https://example.com/flow"
    )
    assert created.id == "1234567890123"
    request = recorder.last
    assert request.method == "POST" and request.url == f"{BASE}/5678/flows"
    fields = parts(request)
    assert fields["name"][2] == b"appointment"
    assert json.loads(fields["categories"][2]) == ["APPOINTMENT_BOOKING", "OTHER"]
    assert fields["endpoint_uri"][2] == b"https://example.com/flow"
    assert "clone_flow_id" not in fields


async def test_update_json_uploads_a_file_part(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"success": True, "validation_errors": []})
    text = '{"version": "6.0", "screens": []}'
    answer = await wa.flows.update_json("1234567890123", text)
    assert answer.success
    request = recorder.last
    assert request.url == f"{BASE}/1234567890123/assets"
    fields = parts(request)
    assert fields["file"] == ("flow.json", "application/json", text.encode())
    assert fields["asset_type"][2] == b"FLOW_JSON" and fields["name"][2] == b"flow.json"


async def test_update_json_from_a_mapping_is_indented(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"success": True, "validation_errors": []})
    await wa.flows.update_json("1234567890123", {"version": "6.0", "screens": []})
    content = parts(recorder.last)["file"][2]
    assert content.decode().splitlines()[1] == '  "version": "6.0",'


async def test_validation_errors_raise_with_line_and_column(wa: WhatsApp, recorder: Any) -> None:
    issue = {
        "error": "INVALID_PROPERTY",
        "error_type": "JSON_SCHEMA_ERROR",
        "message": 'The property "initial-text" cannot be specified at "$root/screens/0/layout/children/2/children/0".',
        "line_start": 46,
        "line_end": 46,
        "column_start": 17,
        "column_end": 30,
    }
    recorder.reply({"success": True, "validation_errors": [issue]})
    with pytest.raises(FlowJsonValidationError) as info:
        await wa.flows.update_json("1234567890123", "{}")
    assert info.value.errors[0].line_start == 46
    assert "line 46, column 17-30: INVALID_PROPERTY" in str(info.value)
    recorder.reply({"success": True, "validation_errors": [issue]})
    kept = await wa.flows.update_json("1234567890123", "{}", raise_on_errors=False)
    assert kept.validation_errors[0].column_end == 30


async def test_lifecycle_calls(wa: WhatsApp, recorder: Any) -> None:
    await wa.flows.publish("1234567890123")
    await wa.flows.deprecate("1234567890123")
    await wa.flows.delete("1234567890123")
    await wa.flows.update_metadata("1234567890123", categories=["OTHER"])
    shapes = [(r.method, r.url) for r in recorder.requests]
    assert shapes == [
        ("POST", f"{BASE}/1234567890123/publish"),
        ("POST", f"{BASE}/1234567890123/deprecate"),
        ("DELETE", f"{BASE}/1234567890123"),
        ("POST", f"{BASE}/1234567890123"),
    ]
    assert recorder.requests[0].content == b""
    assert json.loads(parts(recorder.requests[3])["categories"][2]) == ["OTHER"]
    assert recorder.requests[0].meta.idempotent is False  # a publish that applied would be refused on repeat
    assert recorder.requests[3].meta.idempotent is True


async def test_get_list_preview_and_migrate(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {"id": "1", "name": "f", "status": "DRAFT", "categories": ["OTHER"], "validation_errors": []}
    )
    recorder.reply({"data": [{"id": "1", "name": "f", "status": "DRAFT"}]})
    recorder.reply(
        {
            "id": "1",
            "preview": {
                "preview_url": "https://business.facebook.com/wa/manage/flows/1/preview/?token=t",
                "expires_at": "2026-12-08T00:00:00+0000",
            },
        }
    )
    recorder.reply(
        {"migrated_flows": [{"source_name": "a", "source_id": "1", "migrated_id": "2"}], "failed_flows": []}
    )
    flow = await wa.flows.get("1", fields=["name", "status"])
    assert flow.status == "DRAFT"
    assert [f.id async for f in wa.flows.list()] == ["1"]
    assert (await wa.flows.preview_url("1", invalidate=True)).endswith("token=t")
    moved = await wa.flows.migrate("104996122399160", source_flow_names=["a"])
    assert moved.migrated_flows[0]["migrated_id"] == "2"
    get, listed, preview, migrate = recorder.requests
    assert get.url == f"{BASE}/1?fields=name%2Cstatus"
    assert listed.url == f"{BASE}/5678/flows"
    assert preview.url == f"{BASE}/1?fields=preview.invalidate%28true%29"
    assert migrate.url == f"{BASE}/5678/migrate_flows"
    assert json.loads(parts(migrate)["source_flow_names"][2]) == ["a"]


async def test_get_json_downloads_without_the_token(recorder: Any) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        if request.url.endswith("/assets"):
            body = {
                "data": [
                    {
                        "name": "flow.json",
                        "asset_type": "FLOW_JSON",
                        "download_url": "https://cdn.example/f.json?sig=1",
                    }
                ]
            }
            return Response(status_code=200, content=json.dumps(body).encode())
        return Response(status_code=200, content=b'{"version": "6.0"}')

    from meta_cloud_async import MockTransport

    async with WhatsApp(
        access_token="EAAsecretTOKEN",
        business_account_id="5678",
        transport=MockTransport(handler),
        retry=None,
        rate_limit=None,
    ) as wa:
        assert await wa.flows.get_json("1234567890123") == '{"version": "6.0"}'
    assets, download = seen
    assert "authorization" in assets.headers
    assert download.url == "https://cdn.example/f.json?sig=1"
    assert "authorization" not in download.headers and b"EAAsecretTOKEN" not in download.content


async def test_encryption(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": [{"business_public_key": PEM, "business_public_key_signature_status": "VALID"}]})
    key = await wa.encryption.get_public_key()
    assert key is not None and key.business_public_key_signature_status == "VALID"
    assert recorder.last.url == f"{BASE}/1234/whatsapp_business_encryption"
    await wa.encryption.set_public_key(PEM)
    request = recorder.last
    assert request.method == "POST" and request.url == f"{BASE}/1234/whatsapp_business_encryption"
    assert parts(request)["business_public_key"][2] == PEM.encode()
    recorder.reply({"data": []})
    assert await wa.encryption.get_public_key() is None


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda wa: wa.flows.create("", ["OTHER"]), "name"),
        (lambda wa: wa.flows.create("f", []), "categories"),
        (lambda wa: wa.flows.create("f", ["GAMES"]), "categories"),
        (lambda wa: wa.flows.create("f", ["OTHER"], endpoint_uri="http://plain.example"), "endpoint_uri"),
        (lambda wa: wa.flows.create("f", ["OTHER"], clone_flow_id="abc"), "clone_flow_id"),
        (lambda wa: wa.flows.update_metadata("1"), "at least one"),
        (lambda wa: wa.flows.update_json("1", ""), "empty"),
        (lambda wa: wa.flows.update_json("1", 42), "flow_json"),
        (lambda wa: wa.flows.publish("1/publish"), "flow_id"),
        (lambda wa: wa.flows.migrate("1", source_flow_names="a"), "source_flow_names"),
        (lambda wa: wa.flows.preview_url("1", invalidate="yes"), "invalidate"),
        (lambda wa: wa.encryption.set_public_key("not a key"), "business_public_key"),
    ],
)
async def test_refusals_send_nothing(wa: WhatsApp, recorder: Any, call: Any, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        await call(wa)
    assert recorder.requests == []


async def test_a_private_key_is_refused_without_quoting_it(wa: WhatsApp, recorder: Any) -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----\n"
    with pytest.raises(ValueError) as info:
        await wa.encryption.set_public_key(secret)
    assert "TOPSECRET" not in str(info.value) and "private key" in str(info.value)
    assert recorder.requests == []
