"""X-Hub-Signature-256: HMAC-SHA256 over the raw bytes, constant-time, secret never echoed."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from meta_cloud_async.webhooks import InvalidSignatureError, sign, verify_signature

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """One of our fixture bodies (built from Meta's documented shapes), as raw bytes."""
    return (FIXTURES / f"{name}.json").read_bytes()


SECRET = "app-secret-7f3a9c"


def _hmac(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_valid_escaped_body() -> None:
    body = fixture_bytes("message_text")
    assert b"\\u00e1" in body  # Meta's \uXXXX escaping of "á"
    verify_signature(body, _hmac(body), SECRET)
    assert sign(body, SECRET) == _hmac(body)


def test_valid_raw_utf8_body_and_escaped_body_differ() -> None:
    escaped = fixture_bytes("message_text")
    raw = json.dumps(json.loads(escaped), ensure_ascii=False, indent=1).encode()
    assert "á".encode() in raw
    verify_signature(raw, _hmac(raw), SECRET)
    # The same JSON re-serialised is different bytes: its signature must not match.
    with pytest.raises(InvalidSignatureError) as info:
        verify_signature(raw, _hmac(escaped), SECRET)
    assert info.value.reason == "mismatch"


def test_uppercase_hex_is_accepted() -> None:
    body = b'{"entry": []}'
    verify_signature(body, "sha256=" + _hmac(body)[7:].upper(), SECRET)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("sha1=" + hmac.new(SECRET.encode(), b"{}", hashlib.sha1).hexdigest(), "malformed"),
        (hmac.new(SECRET.encode(), b"{}", hashlib.sha256).hexdigest(), "malformed"),  # no prefix
        ("sha256=", "malformed"),
        ("sha256=" + "z" * 64, "mismatch"),
        ("sha256=" + "é" * 64, "mismatch"),
    ],
)
def test_refusals(signature: str | None, reason: str) -> None:
    with pytest.raises(InvalidSignatureError) as info:
        verify_signature(b"{}", signature, SECRET)
    assert info.value.reason == reason
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_wrong_secret() -> None:
    body = fixture_bytes("status_read")
    with pytest.raises(InvalidSignatureError) as info:
        verify_signature(body, _hmac(body, "another-secret"), SECRET)
    assert info.value.reason == "mismatch"


def test_one_byte_flipped() -> None:
    body = fixture_bytes("status_read")
    signature = _hmac(body)
    for i in (0, len(body) // 2, len(body) - 1):
        flipped = bytearray(body)
        flipped[i] ^= 0x01
        with pytest.raises(InvalidSignatureError):
            verify_signature(bytes(flipped), signature, SECRET)
    hex_part = signature[7:]
    tampered = "sha256=" + ("0" if hex_part[0] != "0" else "1") + hex_part[1:]
    with pytest.raises(InvalidSignatureError):
        verify_signature(body, tampered, SECRET)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        verify_signature("text", "sha256=" + "0" * 64, SECRET)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="app_secret"):
        verify_signature(b"{}", "sha256=" + "0" * 64, "")
