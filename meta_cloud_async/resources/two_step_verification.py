"""Two-step verification: set or change a number's six-digit PIN."""

from __future__ import annotations

from ..types.shared import SuccessResponse
from ..types.two_step_verification import SetPinRequest
from ._base import Resource

__all__ = ["TwoStepVerification"]


class TwoStepVerification(Resource):
    async def set_pin(self, pin: str) -> SuccessResponse:
        """Set (or change) the 2SV PIN of the client's phone number.

        Meta offers no way to read a PIN back, so store it before calling.
        Raises ``ValueError`` for anything but six ASCII digits, before any I/O.
        """
        return await self._client._send(SetPinRequest(pin=pin), SuccessResponse)
