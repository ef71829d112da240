"""QR codes and short links that open a chat with the number and a prefilled message."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Final, Literal

import attrs

from ._checks import check_int_range, check_one_of, check_text
from .shared import ApiRequest, Page, SuccessResponse, fields_param

__all__ = [
    "PREFILLED_MESSAGE_MAX",
    "CreateQrCodeRequest",
    "DeleteQrCodeRequest",
    "GetQrCodeRequest",
    "ListQrCodesRequest",
    "QrCode",
    "QrCodeLookup",
    "QrImageFormat",
    "UpdateQrCodeRequest",
]

PREFILLED_MESSAGE_MAX: Final = 140
QrImageFormat = Literal["PNG", "SVG"]
#: Meta's code: 14 upper-case letters and digits. The spec's pattern (``[A-Z2-7]``, base32) is
#: narrower than the codes Meta issues: its own example ``ANED2T5QRU7HG1`` carries a ``1``.
_CODE = re.compile(r"^[A-Z0-9]{14}$")


def _check_code(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValueError(f"{attribute.name} must be Meta's 14-character code (A-Z and 0-9), got {value!r}")


@attrs.frozen(kw_only=True)
class QrCode:
    """``qr_image_url`` is set when an image format was asked for."""

    code: str
    prefilled_message: str | None = None
    deep_link_url: str | None = None
    qr_image_url: str | None = None
    creation_time: int | None = None


@attrs.frozen(kw_only=True)
class QrCodeLookup:
    """``GET .../message_qrdls/{code}``: Meta (and the spec's examples) answer ``{"data": [qr]}``,
    the spec's schema a bare object; both shapes are read."""

    data: list[QrCode] | None = None
    code: str | None = None
    prefilled_message: str | None = None
    deep_link_url: str | None = None
    qr_image_url: str | None = None
    creation_time: int | None = None

    def qr(self) -> QrCode | None:
        """The one QR code of the answer, whichever of the two shapes Meta used; None if it has none."""
        if self.data:
            return self.data[0]
        if self.code is None:
            return None
        return QrCode(
            code=self.code,
            prefilled_message=self.prefilled_message,
            deep_link_url=self.deep_link_url,
            qr_image_url=self.qr_image_url,
            creation_time=self.creation_time,
        )


@attrs.frozen(kw_only=True)
class CreateQrCodeRequest(ApiRequest[QrCode]):
    """``POST /{phone_number_id}/message_qrdls`` without a code: a new QR code (not idempotent)."""

    operation_id: ClassVar[str | None] = "createOrUpdateQrCode"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/message_qrdls"
    idempotent: ClassVar[bool] = False  # a repeat makes a second code

    prefilled_message: str = attrs.field(validator=check_text(max_len=PREFILLED_MESSAGE_MAX, optional=False))
    generate_qr_image: QrImageFormat | None = attrs.field(
        default=None, validator=check_one_of({"PNG", "SVG"})
    )


@attrs.frozen(kw_only=True)
class UpdateQrCodeRequest(ApiRequest[QrCode]):
    """``POST /{phone_number_id}/message_qrdls`` with ``code``: change its prefilled message."""

    operation_id: ClassVar[str | None] = "createOrUpdateQrCode"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/message_qrdls"
    idempotent: ClassVar[bool] = True

    code: str = attrs.field(validator=_check_code)
    prefilled_message: str = attrs.field(validator=check_text(max_len=PREFILLED_MESSAGE_MAX, optional=False))


@attrs.frozen(kw_only=True)
class ListQrCodesRequest(ApiRequest[Page[QrCode]]):
    """``GET /{phone_number_id}/message_qrdls``; ``code`` filters to one, ``limit`` is 1 to 25."""

    operation_id: ClassVar[str | None] = "listAllQrCodes"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/message_qrdls"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    code: str | None = attrs.field(default=None, validator=_check_code)
    limit: int | None = attrs.field(default=None, validator=check_int_range(1, 25))
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class GetQrCodeRequest(ApiRequest[QrCodeLookup]):
    """``GET /{phone_number_id}/message_qrdls/{code}``."""

    operation_id: ClassVar[str | None] = "getIndividualQrCode"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/message_qrdls/{code}"
    idempotent: ClassVar[bool] = True

    code: str = attrs.field(validator=_check_code)
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class DeleteQrCodeRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{phone_number_id}/message_qrdls/{code}``."""

    operation_id: ClassVar[str | None] = "deleteIndividualQrCode"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{phone_number_id}/message_qrdls/{code}"
    idempotent: ClassVar[bool] = True

    code: str = attrs.field(validator=_check_code)
