"""Models for registration and deregistration."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from .._facts import DATA_LOCALIZATION_REGIONS
from ..pins import check_pin_field
from .shared import ApiRequest, SuccessResponse

__all__ = ["DATA_LOCALIZATION_REGIONS", "DeregisterRequest", "RegisterRequest"]


def _check_region(_: Any, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and value not in DATA_LOCALIZATION_REGIONS:
        raise ValueError(
            f"data_localization_region must be one of {sorted(DATA_LOCALIZATION_REGIONS)}, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class RegisterRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/register``.

    Not idempotent in the sense that matters: every attempt counts toward
    Meta's 10 per 72 hours (133016), so it is never retried once it may have
    reached the server.
    """

    operation_id: ClassVar[str | None] = "registerWhatsAppBusinessPhoneNumber"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/register"
    idempotent: ClassVar[bool] = False

    messaging_product: str = "whatsapp"
    pin: str = attrs.field(validator=check_pin_field, repr=False)
    data_localization_region: str | None = attrs.field(default=None, validator=_check_region)


@attrs.frozen(kw_only=True)
class DeregisterRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/deregister``; shares the 133016 attempt budget."""

    operation_id: ClassVar[str | None] = "deregisterPhoneNumber"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/deregister"
    idempotent: ClassVar[bool] = False
