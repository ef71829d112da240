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
from ._base import Resource, endpoint

__all__ = ["PhoneNumbers"]


class PhoneNumbers(Resource):
    """The client's phone number and its WABA's numbers."""

    get = endpoint(
        GetPhoneNumberRequest,
        doc="The client's phone number, with the ``fields`` asked for (any iterable; Meta's default set otherwise).",
    )

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
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    request_code = endpoint(
        RequestCodeRequest,
        doc=(
            "Ask Meta to send an ownership code by ``code_method='SMS'`` or ``'VOICE'``. Not idempotent"
            " (a repeat sends another message): retried only when it surely never reached Meta."
        ),
    )

    async def verify_code(self, code: str) -> VerifyCodeResponse:
        """Confirm ownership with the six-digit code Meta sent; never repeated once sent (each try counts)."""
        return await self._client._call(VerifyCodeRequest(code=code))
