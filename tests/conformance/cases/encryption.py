"""Conformance cases: the business public key for Flow endpoints."""

from __future__ import annotations

from meta_cloud_async.types.encryption import GetEncryptionKeyRequest, SetEncryptionKeyRequest

from . import Case

_PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"

CASES = [
    Case(
        "encryption_get",
        GetEncryptionKeyRequest,
        lambda wa: wa.encryption.get_public_key(),
        {"data": [{"business_public_key": _PEM, "business_public_key_signature_status": "VALID"}]},
    ),
    Case(
        "encryption_set",
        SetEncryptionKeyRequest,
        lambda wa: wa.encryption.set_public_key(_PEM),
        {"success": True},
    ),
]
