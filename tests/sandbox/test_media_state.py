"""The sandbox's own media rules: multipart parsing, types and caps, ids that expire, signed URLs."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from meta_cloud_async._multipart import FilePart, encode_multipart
from meta_cloud_async.sandbox import Sandbox, VirtualClock
from meta_cloud_async.sandbox.faults import FaultConfig
from meta_cloud_async.sandbox.media_state import MEDIA_LIFETIME, MediaStore, parse_multipart

TOKEN = {"authorization": "Bearer sandbox-access-token"}


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(5_000.0)


@pytest.fixture
def sandbox(clock: VirtualClock) -> Sandbox:
    return Sandbox(clock=clock)


async def call(
    sandbox: Sandbox,
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    result = await sandbox.router.process(
        method, path, query, {**TOKEN, **(headers or {})}, body, "http://sbx", sandbox.sleep
    )
    try:
        payload: Any = json.loads(result.body)
    except ValueError:
        payload = result.body
    return result.status, payload, result.headers


def upload_body(data: bytes, mime: str, product: str = "whatsapp") -> tuple[dict[str, str], bytes]:
    ctype, body = encode_multipart(
        {
            "file": FilePart(content=data, filename="f", content_type=mime),
            "type": mime,
            "messaging_product": product,
        }
    )
    assert isinstance(body, bytes)
    return {"content-type": ctype}, body


async def upload(sandbox: Sandbox, data: bytes, mime: str, **kw: Any) -> tuple[int, Any]:
    headers, body = upload_body(data, mime, **kw)
    pid = sandbox.phone_number_ids[0]
    status, payload, _ = await call(sandbox, "POST", f"/v23.0/{pid}/media", body=body, headers=headers)
    return status, payload


def test_parse_multipart_reads_fields_and_files() -> None:
    headers, body = upload_body(b"\x00\x01\r\n--x", "image/png")
    fields, files = parse_multipart(headers["content-type"], body)
    assert fields == {"type": "image/png", "messaging_product": "whatsapp"}
    assert files["file"] == ("f", "image/png", b"\x00\x01\r\n--x")


async def test_upload_url_download_delete(sandbox: Sandbox, clock: VirtualClock) -> None:
    data = b"\xff\xd8" + bytes(range(256)) * 100
    status, payload = await upload(sandbox, data, "image/jpeg")
    assert status == 200
    mid = payload["id"]
    status, info, _ = await call(sandbox, "GET", f"/v23.0/{mid}")
    assert status == 200 and info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["file_size"] == str(len(data)) and info["url"].startswith("http://sbx/_media/")
    path, _, query = info["url"][len("http://sbx") :].partition("?")
    status, body, headers = await call(sandbox, "GET", path, query=query)
    assert status == 200 and body == data and headers["content-type"] == "image/jpeg"
    status, body, headers = await call(sandbox, "GET", path, query=query, headers={"range": "bytes=100-"})
    assert status == 206 and body == data[100:]
    assert headers["content-range"] == f"bytes 100-{len(data) - 1}/{len(data)}"
    # The token is still required on the signed URL.
    result = await sandbox.router.process("GET", path, query, {}, b"", "http://sbx", sandbox.sleep)
    assert result.status == 401
    # A forged signature and an expired URL are 404s.
    status, _, _ = await call(sandbox, "GET", path, query=query.replace("sig=", "sig=0"))
    assert status == 404
    clock.advance(301)
    status, _, _ = await call(sandbox, "GET", path, query=query)
    assert status == 404
    status, payload, _ = await call(sandbox, "DELETE", f"/v23.0/{mid}")
    assert payload == {"success": True}
    status, _, _ = await call(sandbox, "GET", f"/v23.0/{mid}")
    assert status == 400
    assert sandbox.media.used == 0


async def test_media_ids_expire_after_thirty_days(sandbox: Sandbox, clock: VirtualClock) -> None:
    _, payload = await upload(sandbox, b"x" * 10, "text/plain")
    clock.advance(MEDIA_LIFETIME - 1)
    assert (await call(sandbox, "GET", f"/v23.0/{payload['id']}"))[0] == 200
    clock.advance(2)
    assert (await call(sandbox, "GET", f"/v23.0/{payload['id']}"))[0] == 400


async def test_phone_number_scoping(sandbox: Sandbox) -> None:
    _, payload = await upload(sandbox, b"x" * 10, "text/plain")
    status, _, _ = await call(sandbox, "GET", f"/v23.0/{payload['id']}", query="phone_number_id=999")
    assert status == 400
    pid = sandbox.phone_number_ids[0]
    status, _, _ = await call(sandbox, "GET", f"/v23.0/{payload['id']}", query=f"phone_number_id={pid}")
    assert status == 200


@pytest.mark.parametrize(
    ("data", "mime", "product", "code"),
    [
        (b"x" * (5 * 1024 * 1024 + 1), "image/png", "whatsapp", 131053),
        (b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * (100 * 1024), "image/webp", "whatsapp", 131053),
        (b"x", "image/gif", "whatsapp", 100),
        (b"x", "image/png", "", 100),
        (b"", "image/png", "whatsapp", 131053),
    ],
)
async def test_upload_rules(sandbox: Sandbox, data: bytes, mime: str, product: str, code: int) -> None:
    status, payload = await upload(sandbox, data, mime, product=product)
    assert status == 400 and payload["error"]["code"] == code
    assert not sandbox.media.media


async def test_not_multipart_is_refused(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    status, payload, _ = await call(
        sandbox,
        "POST",
        f"/v23.0/{pid}/media",
        body=b"--x\r\n",
        headers={"content-type": "multipart/form-data"},
    )
    assert status == 400 and payload["error"]["code"] == 100


async def test_memory_is_capped(sandbox: Sandbox) -> None:
    sandbox.media.capacity = 1000
    assert (await upload(sandbox, b"x" * 600, "text/plain"))[0] == 200
    status, payload = await upload(sandbox, b"x" * 600, "text/plain")
    assert status == 400 and payload["error"]["code"] == 131053
    assert sandbox.media.used == 600


async def test_resumable_sessions_check_offsets_and_signatures(sandbox: Sandbox) -> None:
    status, payload, _ = await call(
        sandbox, "POST", "/v23.0/123/uploads", query="file_name=a.pdf&file_length=4&file_type=application/pdf"
    )
    assert status == 200
    session, _, sig = payload["id"].partition("?")
    assert sig.startswith("sig=")
    status, payload, _ = await call(
        sandbox, "POST", f"/v23.0/{session}", query=sig, body=b"ab", headers={"file_offset": "1"}
    )
    assert status == 400
    status, payload, _ = await call(
        sandbox, "POST", f"/v23.0/{session}", query="sig=bad", body=b"ab", headers={"file_offset": "0"}
    )
    assert status == 400
    status, payload, _ = await call(
        sandbox, "POST", f"/v23.0/{session}", query=sig, body=b"ab", headers={"file_offset": "0"}
    )
    assert payload["file_offset"] == 2
    status, payload, _ = await call(sandbox, "GET", f"/v23.0/{session}", query=sig)
    assert payload["file_offset"] == 2
    status, payload, _ = await call(
        sandbox, "POST", f"/v23.0/{session}", query=sig, body=b"cdef", headers={"file_offset": "2"}
    )
    assert status == 400  # past file_length
    status, payload, _ = await call(
        sandbox, "POST", f"/v23.0/{session}", query=sig, body=b"cd", headers={"file_offset": "2"}
    )
    assert payload["h"].startswith("4::")
    for bad in (
        "file_name=a.pdf&file_length=0&file_type=application/pdf",
        "file_name=a&file_length=4&file_type=image/gif",
    ):
        assert (await call(sandbox, "POST", "/v23.0/123/uploads", query=bad))[0] == 400


def test_media_fault_knobs_parse() -> None:
    config = FaultConfig.parse("download_media.cut_body=0.5,download_media.corrupt_body=10%,expire_url=0.1")
    assert config.for_route("download_media").cut_body == 0.5
    assert config.for_route("download_media").corrupt_body == 0.1
    assert config.expire_url == 0.1
    with pytest.raises(ValueError):
        FaultConfig.parse("cut_body=2")


def test_a_store_starts_empty() -> None:
    store = MediaStore(capacity=10)
    assert store.used == 0 and store.ranges
