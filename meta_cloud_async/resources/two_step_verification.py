"""Two-step verification: set or change a number's six-digit PIN."""

from __future__ import annotations

from .._options import NOT_GIVEN, NotGiven
from ..types.shared import SuccessResponse
from ..types.two_step_verification import SetPinRequest
from ._base import Resource

__all__ = ["TwoStepVerification"]


class TwoStepVerification(Resource):
    """The 2SV PIN of the client's phone number (``POST /{phone_number_id}`` with ``pin``)."""

    async def set_pin(self, pin: str, *, timeout: float | NotGiven | None = NOT_GIVEN) -> SuccessResponse:
        """Set (or change) the 2SV PIN of the client's phone number.

        Meta offers no way to read a PIN back, so store it before calling.
        Raises ``ValueError`` for anything but six ASCII digits, before any I/O.
        Idempotent, so retried after timeouts and transient errors.
        """
        return await self._client._call(SetPinRequest(pin=pin), timeout=timeout)
