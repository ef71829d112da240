"""Registration: put a number on the Cloud API, or take it off."""

from __future__ import annotations

from ..types.registration import DeregisterRequest, RegisterRequest
from ..types.shared import SuccessResponse
from ._base import Resource

__all__ = ["Registration"]


class Registration(Resource):
    async def register(self, pin: str, *, data_localization_region: str | None = None) -> SuccessResponse:
        """Register the client's phone number.

        If the number has a 2SV PIN, ``pin`` must match it (else
        :class:`~meta_cloud_async.errors.PinMismatchError`); if not, ``pin``
        becomes its PIN. Each attempt counts toward 10 per 72 hours, so this
        call is never retried once it may have reached Meta.
        """
        request = RegisterRequest(pin=pin, data_localization_region=data_localization_region)
        return await self._client._send(request, SuccessResponse)

    async def deregister(self) -> SuccessResponse:
        """Deregister the client's phone number (shares the 10-per-72-hours budget)."""
        return await self._client._send(DeregisterRequest(), SuccessResponse)
