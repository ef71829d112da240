"""Media: upload, URL retrieval, download and delete; Meta's supported types and size caps.

The caps and MIME types are Meta's "Supported media types" table (image jpeg/png
5 MB; video mp4/3gpp 16 MB; audio aac/amr/mpeg/mp4/ogg 16 MB; documents 100 MB;
webp stickers 100 KB static, 500 KB animated). "MB" is read as MiB and "KB" as
KiB, the lenient reading: a file Meta refuses after all still gets Meta's answer.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar, Final, Literal

import attrs

from .._converter import converter as _converter
from .._facts import is_ascii_digits
from .._multipart import FilePart
from .shared import QUERY, ApiRequest, SuccessResponse, path_param

__all__ = [
    "DOCUMENT_TYPES",
    "MEDIA_TYPES",
    "DeleteMediaRequest",
    "DownloadMediaRequest",
    "GetMediaUrlRequest",
    "MediaKind",
    "MediaUrl",
    "UploadMediaRequest",
    "UploadedMedia",
    "media_cap",
    "webp_is_animated",
]

MediaKind = Literal["image", "video", "audio", "document", "sticker"]

_KB: Final = 1024
_MB: Final = 1024 * 1024

#: Word, Excel, PowerPoint (old and OOXML), PDF and plain text.
DOCUMENT_TYPES: Final = frozenset(
    {
        "text/plain",
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)

#: MIME type -> (kind, size cap in bytes). ``image/webp`` is a sticker; its cap here is the
#: animated one, a static sticker's (100 KB) applies when the file is known to be static.
MEDIA_TYPES: Final[dict[str, tuple[MediaKind, int]]] = {
    "image/jpeg": ("image", 5 * _MB),
    "image/png": ("image", 5 * _MB),
    "video/mp4": ("video", 16 * _MB),
    "video/3gpp": ("video", 16 * _MB),
    "video/3gp": ("video", 16 * _MB),  # the spelling of Meta's table
    "audio/aac": ("audio", 16 * _MB),
    "audio/amr": ("audio", 16 * _MB),
    "audio/mpeg": ("audio", 16 * _MB),
    "audio/mp4": ("audio", 16 * _MB),
    "audio/ogg": ("audio", 16 * _MB),
    "image/webp": ("sticker", 500 * _KB),
    **{t: ("document", 100 * _MB) for t in DOCUMENT_TYPES},
}
STATIC_STICKER_CAP: Final = 100 * _KB


def webp_is_animated(head: bytes) -> bool | None:
    """From a WebP file's first 21 bytes: animated (True), static (False), or unknown (None)."""
    if len(head) < 21 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    if head[12:16] != b"VP8X":
        return False  # simple lossy/lossless formats cannot animate
    return bool(head[20] & 0x02)


def media_cap(mime_type: str, head: bytes | None = None) -> tuple[MediaKind, int]:
    """``(kind, cap)`` for ``mime_type``; a WebP's head decides between the sticker caps."""
    kind, cap = MEDIA_TYPES[mime_type]
    if kind == "sticker" and head is not None and webp_is_animated(head) is False:
        cap = STATIC_STICKER_CAP
    return kind, cap


@attrs.frozen(kw_only=True)
class UploadedMedia:
    """The answer to an upload: the media id messages refer to (valid 30 days)."""

    id: str


def _hex_or_base64(value: str | None) -> str | None:
    """Meta documents ``sha256`` as hex in places and base64 in others: normalise to lower-case hex."""
    if value is None:
        return None
    text = value.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text).hex()
        except ValueError:
            pass
    try:
        raw = base64.b64decode(
            text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text else None
        )
    except (binascii.Error, ValueError):
        raise ValueError("sha256 is neither hex nor base64") from None
    if len(raw) != 32:
        raise ValueError("sha256 does not decode to 32 bytes")
    return raw.hex()


@attrs.frozen(kw_only=True)
class MediaUrl:
    """Where to download a media object (the URL lives 5 minutes) and how to check it.

    ``sha256`` is lower-case hex whatever form Meta sent (hex or base64);
    ``file_size`` an int (Meta sends a number or a numeric string).
    """

    url: str
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = attrs.field(default=None, converter=_hex_or_base64)
    file_size: int | None = None
    messaging_product: str | None = None


def _structure_media_url(data: Any, _: Any) -> MediaUrl:
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    size = data.get("file_size")
    if isinstance(size, str) and is_ascii_digits(size):
        size = int(size)
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise TypeError("file_size: expected an integer")
    for key in ("url", "id", "mime_type", "sha256", "messaging_product"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{key}: expected a JSON string, got {type(value).__name__}")
    if not data.get("url"):
        raise KeyError("url")
    return MediaUrl(
        url=data["url"],
        id=data.get("id"),
        mime_type=data.get("mime_type"),
        sha256=data.get("sha256"),
        file_size=size,
        messaging_product=data.get("messaging_product"),
    )


_converter.register_structure_hook(MediaUrl, _structure_media_url)


def _mime(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in MEDIA_TYPES:
        raise ValueError(f"{attribute.name}: {value!r} is not a media type WhatsApp supports")


@attrs.frozen(kw_only=True)
class UploadMediaRequest(ApiRequest[UploadedMedia]):
    """``POST /{phone_number_id}/media``: upload a file as multipart (``file``, ``type``, product)."""

    operation_id: ClassVar[str | None] = "uploadImage"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/media"
    encoding: ClassVar[Any] = "multipart"

    file: FilePart
    type: str = attrs.field(validator=_mime)
    messaging_product: str = "whatsapp"
    phone_number_id: str | None = path_param(default=None)


@attrs.frozen(kw_only=True)
class GetMediaUrlRequest(ApiRequest[MediaUrl]):
    """``GET /{media_id}``: a short-lived download URL, the MIME type, size and hash of a media object."""

    operation_id: ClassVar[str | None] = "retrieveMediaUrl"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{media_id}"
    idempotent: ClassVar[bool] = True

    media_id: str
    #: Only answer if the media belongs to this number (sent in the query).
    phone_number_id: str | None = attrs.field(default=None, metadata=QUERY)


@attrs.frozen(kw_only=True)
class DeleteMediaRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{media_id}``: delete an uploaded media object."""

    operation_id: ClassVar[str | None] = "deleteMedia"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{media_id}"
    idempotent: ClassVar[bool] = True

    media_id: str
    phone_number_id: str | None = attrs.field(default=None, metadata=QUERY)


@attrs.frozen(kw_only=True)
class DownloadMediaRequest(ApiRequest[bytes]):
    """``GET <media URL>``: the media bytes. Declared for the registry and docs; the URL is absolute,
    so ``wa.media.download``/``stream`` send it themselves (streamed, origin-checked, hash-verified)."""

    operation_id: ClassVar[str | None] = "downloadMedia"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{media_url}"
    idempotent: ClassVar[bool] = True

    media_url: str


_ = SuccessResponse
