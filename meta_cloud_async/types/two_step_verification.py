"""Models for two-step verification."""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..pins import check_pin_field
from .shared import ApiRequest, SuccessResponse

__all__ = ["SetPinRequest"]


@attrs.frozen(kw_only=True)
class SetPinRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}`` with ``{"pin": ...}``: set or change the 2SV PIN.

    Idempotent: setting the same PIN twice leaves the same state, so it is
    retried even after a timeout.
    """

    operation_id: ClassVar[str | None] = "updatePhoneNumberStatus"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}"
    idempotent: ClassVar[bool] = True

    pin: str = attrs.field(validator=check_pin_field, repr=False)
