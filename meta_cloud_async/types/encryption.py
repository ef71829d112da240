"""The business public key of a phone number: what Meta encrypts Flow data-exchange requests with."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from .shared import ApiRequest, Encoding, SuccessResponse, fields_param

__all__ = [
    "BusinessEncryptionKey",
    "EncryptionKeyList",
    "GetEncryptionKeyRequest",
    "SetEncryptionKeyRequest",
]


@attrs.frozen(kw_only=True)
class BusinessEncryptionKey:
    """``business_public_key_signature_status`` is ``VALID`` once Meta signed the key, else ``MISMATCH``."""

    business_public_key: str | None = None
    business_public_key_signature_status: str | None = None


@attrs.frozen(kw_only=True)
class EncryptionKeyList:
    """Meta's list envelope around the number's business public key."""

    data: list[BusinessEncryptionKey] = attrs.field(factory=list)


def _check_public_pem(_: Any, __: Any, value: str) -> None:
    # Never quote the value: a private key pasted here by mistake must not reach a log.
    if not isinstance(value, str):
        raise TypeError("business_public_key must be the PEM text (str)")
    if "PRIVATE KEY" in value:
        raise ValueError("business_public_key: this is a private key; register the public half only")
    text = value.strip()
    if not (text.startswith("-----BEGIN PUBLIC KEY-----") and text.endswith("-----END PUBLIC KEY-----")):
        raise ValueError("business_public_key: a PEM public key (-----BEGIN PUBLIC KEY----- ...)")


@attrs.frozen(kw_only=True)
class GetEncryptionKeyRequest(ApiRequest[EncryptionKeyList]):
    """``GET /{phone_number_id}/whatsapp_business_encryption``: the registered key and its signature status."""

    operation_id: ClassVar[str | None] = "getBusinessEncryptionPublicKey"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/whatsapp_business_encryption"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class SetEncryptionKeyRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/whatsapp_business_encryption`` (multipart): register the public key.

    Idempotent: the same key again changes nothing.
    """

    operation_id: ClassVar[str | None] = "setBusinessEncryptionPublicKey"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/whatsapp_business_encryption"
    encoding: ClassVar[Encoding | None] = "multipart"
    idempotent: ClassVar[bool] = True

    business_public_key: str = attrs.field(validator=_check_public_pem, repr=False)
