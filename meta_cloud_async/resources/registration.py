"""Registration: put a number on the Cloud API, or take it off."""

from __future__ import annotations

from .._options import NOT_GIVEN, NotGiven
from ..types.registration import DeregisterRequest, RegisterRequest
from ..types.shared import SuccessResponse
from ._base import Resource, endpoint

__all__ = ["Registration"]


class Registration(Resource):
    """Register or deregister the client's phone number (10 attempts per 72 hours, 133016)."""

    async def register(
        self,
        pin: str,
        *,
        data_localization_region: str | None = None,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> SuccessResponse:
        """Register the client's phone number.

        If the number has a 2SV PIN, ``pin`` must match it (else
        :class:`~meta_cloud_async.errors.PinMismatchError`); if not, ``pin``
        becomes its PIN. Each attempt counts toward 10 per 72 hours, so this
        call is retried only when it surely never reached Meta (no connection,
        or a throttle that refused it unprocessed).
        """
        request = RegisterRequest(pin=pin, data_localization_region=data_localization_region)
        return await self._client._call(request, timeout=timeout)

    deregister = endpoint(
        DeregisterRequest,
        doc="Deregister the client's phone number (shares the 10-per-72-hours budget; never repeated once sent).",
    )
