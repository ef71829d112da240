"""QR codes and short links that open a chat with a prefilled message."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import UnexpectedResponseError
from ..pagination import AsyncPaginator
from ..types.qr_codes import (
    CreateQrCodeRequest,
    DeleteQrCodeRequest,
    GetQrCodeRequest,
    ListQrCodesRequest,
    QrCode,
    QrImageFormat,
    UpdateQrCodeRequest,
)
from ..types.shared import SuccessResponse
from ._base import Resource

__all__ = ["QrCodes"]


class QrCodes(Resource):
    """``wa.qr_codes``: prefilled messages up to 140 characters, images as PNG or SVG."""

    async def create(
        self, prefilled_message: str, *, generate_qr_image: QrImageFormat | None = None
    ) -> QrCode:
        """A new code (not retried once it may have arrived: a repeat makes a second code)."""
        return await self._client._call(
            CreateQrCodeRequest(prefilled_message=prefilled_message, generate_qr_image=generate_qr_image)
        )

    async def update(self, code: str, prefilled_message: str) -> QrCode:
        """Change the prefilled message of ``code``."""
        return await self._client._call(UpdateQrCodeRequest(code=code, prefilled_message=prefilled_message))

    async def get(self, code: str, *, fields: Iterable[str] | str | None = None) -> QrCode:
        """One code (Meta wraps it in ``data``; a bare object, as the spec's schema has it, works too)."""
        qr = (await self._client._call(GetQrCodeRequest(code=code, fields=fields))).qr()
        if qr is None:
            raise UnexpectedResponseError("the QR code answer has neither data nor code")
        return qr

    async def delete(self, code: str) -> SuccessResponse:
        """Delete a QR code and its short link; idempotent."""
        return await self._client._call(DeleteQrCodeRequest(code=code))

    def list(
        self,
        *,
        fields: Iterable[str] | str | None = None,
        code: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[QrCode]:
        """The number's codes (``fields=["code", "qr_image_url.format(SVG)"]`` asks for images)."""
        request = ListQrCodesRequest(fields=fields, code=code, limit=limit, after=after, before=before)
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))
