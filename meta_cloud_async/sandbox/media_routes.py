"""Sandbox routes for media and resumable uploads; the state and its rules live in :mod:`.media_state`.

The download of a signed media URL (``/_media/<id>``) is not a Graph path; the
router answers it itself (:meth:`Router.media_download`) under the route name
``download_media``, so faults can target it.
"""

from __future__ import annotations

from typing import Any

from ..types.media import DeleteMediaRequest, GetMediaUrlRequest, UploadMediaRequest
from ..types.uploads import GetUploadStatusRequest, SendUploadChunkRequest, StartUploadRequest
from .envelope import GraphError
from .media_state import store_of
from .routes import Call, handles

__all__: list[str] = []


@handles(UploadMediaRequest, name="upload_media")
def _upload(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    return store_of(call.business).upload(call.phone.id, call.headers, call.body, call.now)


@handles(GetMediaUrlRequest, name="get_media_url", not_for_known_ids=True)
def _get_url(call: Call) -> dict[str, Any]:
    return store_of(call.business).url(call.values["media_id"], call.params, call.origin, call.now)


@handles(DeleteMediaRequest, name="delete_media", not_for_known_ids=True)
def _delete(call: Call) -> dict[str, Any]:
    return store_of(call.business).delete(call.values["media_id"], call.params, call.now)


@handles(StartUploadRequest, name="start_upload")
def _start(call: Call) -> dict[str, Any]:
    app_id = call.values.get("app_id", "")
    if not (app_id.isascii() and app_id.isdigit()):
        raise GraphError.unsupported("POST", app_id)
    return store_of(call.business).start_session(call.params, call.now)


@handles(GetUploadStatusRequest, name="upload_status")
def _status(call: Call) -> dict[str, Any]:
    return store_of(call.business).session_status(call.values["session"], call.params)


@handles(SendUploadChunkRequest, name="upload_chunk")
def _chunk(call: Call) -> dict[str, Any]:
    return store_of(call.business).send_chunk(call.values["session"], call.params, call.headers, call.body)
