"""Phone numbers: read one, list a WABA's, and verify ownership by code."""

from __future__ import annotations

from collections.abc import Iterable

from ..pagination import AsyncPaginator
from ..types.phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    PhoneNumber,
    RequestCodeRequest,
    VerifyCodeRequest,
    VerifyCodeResponse,
)
from ..types.shared import Page, SuccessResponse
from ._base import Resource

__all__ = ["PhoneNumbers"]


class PhoneNumbers(Resource):
    async def get(self, *, fields: Iterable[str] | str | None = None) -> PhoneNumber:
        """The client's phone number, with the ``fields`` asked for (Meta's default set otherwise)."""
        return await self._client._send(GetPhoneNumberRequest(fields=fields), PhoneNumber)

    def list(
        self,
        *,
        fields: Iterable[str] | str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[PhoneNumber]:
        """The business account's numbers: ``await`` it for one page, ``async for`` for all."""
        request = ListPhoneNumbersRequest(fields=fields, limit=limit, after=after, before=before)
        client = self._client
        return AsyncPaginator(
            lambda: client._send(request, Page[PhoneNumber]),
            lambda url: client._follow(url, request, Page[PhoneNumber]),
        )

    async def request_code(self, *, code_method: str = "SMS", language: str = "en_US") -> SuccessResponse:
        """Ask Meta to send an ownership code by ``"SMS"`` or ``"VOICE"``; never retried (it would send twice)."""
        return await self._client._send(
            RequestCodeRequest(code_method=code_method, language=language), SuccessResponse
        )

    async def verify_code(self, code: str) -> VerifyCodeResponse:
        """Confirm ownership with the six-digit code Meta sent."""
        return await self._client._send(VerifyCodeRequest(code=code), VerifyCodeResponse)
