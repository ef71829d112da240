"""Conformance cases: media upload, URL retrieval, download and delete."""

from __future__ import annotations

import io
from typing import Any

from meta_cloud_async.types.media import (
    DeleteMediaRequest,
    DownloadMediaRequest,
    GetMediaUrlRequest,
    MediaUrl,
    UploadMediaRequest,
)

from . import Case

_NO_BODY = "the spec requires Content-Type on a DELETE that has no body; we send no body, so none"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4


async def _download(wa: Any) -> Any:
    # A URL on the API's own origin, as the spec's ``/{Version}/{Media-URL}`` template has it.
    url = MediaUrl(url="https://graph.facebook.com/v23.0/2621233374848975")
    return await wa.media.download(url, io.BytesIO())


CASES = [
    Case(
        "upload_image",
        UploadMediaRequest,
        lambda wa: wa.media.upload(JPEG, mime_type="image/jpeg", filename="photo.jpg"),
        {"id": "2621233374848975"},
    ),
    Case(
        "upload_audio_for_number",
        UploadMediaRequest,
        lambda wa: wa.media.upload(b"OggS" + b"\0" * 60, mime_type="audio/ogg", phone_number_id="1234"),
        {"id": "2621233374848975"},
    ),
    Case(
        "retrieve_media_url",
        GetMediaUrlRequest,
        lambda wa: wa.media.get_url("2621233374848975"),
        {"url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1", "id": "2621233374848975"},
    ),
    Case(
        "retrieve_media_url_for_number",
        GetMediaUrlRequest,
        lambda wa: wa.media.get_url("2621233374848975", phone_number_id="1234"),
        {"url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"},
    ),
    Case(
        "delete_media",
        DeleteMediaRequest,
        lambda wa: wa.media.delete("2621233374848975"),
        {"success": True},
        skip={"headers": _NO_BODY},
    ),
    Case(
        "delete_media_for_number",
        DeleteMediaRequest,
        lambda wa: wa.media.delete("2621233374848975", phone_number_id="1234"),
        {"success": True},
        skip={"headers": _NO_BODY},
    ),
    Case("download_media", DownloadMediaRequest, _download, {"binary": True}),
]
