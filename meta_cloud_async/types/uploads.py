"""Meta's resumable upload API: a session on the app, raw bytes at an offset, a file handle back.

``POST /{app_id}/uploads`` opens a session (``upload:<id>?sig=<signature>``);
``POST /upload:<id>`` with the header ``file_offset`` sends bytes from that
offset; ``GET /upload:<id>`` says how many bytes Meta holds. The handle ``h`` is
what template header examples and profile pictures take. Not in Meta's
Business Messaging OpenAPI spec (it belongs to the Graph API proper), hence no
``operation_id``. A session id carries its own query (``?sig=``), so its path
field is a :func:`~meta_cloud_async.types.shared.session_param`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from .shared import BODY, QUERY, ApiRequest, header_param, session_param

__all__ = [
    "UPLOAD_FILE_TYPES",
    "GetUploadStatusRequest",
    "SendUploadChunkRequest",
    "StartUploadRequest",
    "UploadResult",
    "UploadSession",
    "UploadStatus",
    "session_path",
]


def session_path(session_id: str) -> str:
    """The part of ``upload:<id>?sig=...`` after ``upload:`` (the declarations add the prefix)."""
    if not isinstance(session_id, str) or not session_id.startswith("upload:") or len(session_id) <= 7:
        raise ValueError("session_id must be an upload session id, 'upload:<id>' as start() returns it")
    return session_id[7:]


def _positive(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int")


def _offset(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a non-negative int")


#: The types the resumable upload API takes (Meta's list).
UPLOAD_FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"})


def _file_type(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in UPLOAD_FILE_TYPES:
        raise ValueError(f"{attribute.name} must be one of {sorted(UPLOAD_FILE_TYPES)}, got {value!r}")


def _name(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value or any(c in value for c in "\r\n\x00/\\"):
        raise ValueError(f"{attribute.name} must be a plain file name")


@attrs.frozen(kw_only=True)
class UploadSession:
    """An open session: ``id`` is ``upload:<id>?sig=<signature>``, to pass to the other calls."""

    id: str


@attrs.frozen(kw_only=True)
class UploadStatus:
    """How many bytes Meta holds for a session."""

    id: str | None = None
    file_offset: int = 0


@attrs.frozen(kw_only=True)
class UploadResult:
    """The answer to a chunk: the handle ``h`` once the file is whole (else how far Meta got)."""

    h: str | None = None
    id: str | None = None
    file_offset: int | None = None


@attrs.frozen(kw_only=True)
class StartUploadRequest(ApiRequest[UploadSession]):
    """``POST /{app_id}/uploads``: open a resumable upload session for one file."""

    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{app_id}/uploads"
    budget: ClassVar[Any] = "app"

    file_name: str = attrs.field(validator=_name, metadata=QUERY)
    file_length: int = attrs.field(validator=_positive, metadata=QUERY)
    file_type: str = attrs.field(validator=_file_type, metadata=QUERY)


@attrs.frozen(kw_only=True)
class SendUploadChunkRequest(ApiRequest[UploadResult]):
    """``POST /upload:<id>`` with ``file_offset``: the file's bytes from that offset, raw."""

    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "upload:{session}"
    encoding: ClassVar[Any] = "raw"
    budget: ClassVar[Any] = "app"

    session: str = session_param()
    #: bytes, an async iterable, or a factory of them (see ``meta_cloud_async._http.Content``).
    body: Any = attrs.field(metadata=BODY, repr=False)
    file_offset: int = header_param("file_offset", default=0, validator=_offset)


@attrs.frozen(kw_only=True)
class GetUploadStatusRequest(ApiRequest[UploadStatus]):
    """``GET /upload:<id>``: the offset Meta holds, to resume from after a cut."""

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "upload:{session}"
    idempotent: ClassVar[bool] = True
    budget: ClassVar[Any] = "app"

    session: str = session_param()
