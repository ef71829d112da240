"""The phone number's business public key: Meta encrypts Flow data-exchange requests with it."""

from __future__ import annotations

from ..types.encryption import BusinessEncryptionKey, GetEncryptionKeyRequest, SetEncryptionKeyRequest
from ..types.shared import SuccessResponse
from ._base import Resource

__all__ = ["Encryption"]


class Encryption(Resource):
    """Register and read the Flow endpoint's public key for the client's phone number."""

    async def get_public_key(self) -> BusinessEncryptionKey | None:
        """The registered key and ``business_public_key_signature_status``, or None when none is set."""
        answer = await self._client._call(GetEncryptionKeyRequest())
        return answer.data[0] if answer.data else None

    async def set_public_key(self, pem: str | bytes) -> SuccessResponse:
        """Register ``pem`` (the public half of ``meta-cloud-async flows keygen``); a private key is refused."""
        text = pem.decode("ascii") if isinstance(pem, bytes) else pem
        return await self._client._call(SetEncryptionKeyRequest(business_public_key=text))
