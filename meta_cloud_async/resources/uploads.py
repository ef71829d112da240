"""``wa.uploads``: Meta's resumable upload API, resumed automatically after a cut connection.

:meth:`Uploads.upload` opens a session, sends the file from offset 0 and, when
the connection breaks mid-body, asks Meta how far it got (``GET upload:<id>``)
and sends the rest from there. :meth:`start`, :meth:`status` and
:meth:`send_chunk` are the steps, for callers that persist a session id and
resume in another process. Needs the app id (``WhatsApp(app_id=...)`` or
``META_APP_ID``). These calls authenticate with ``Authorization: OAuth <token>``,
the form Meta documents for them.
"""

from __future__ import annotations

import os
from typing import Any, Final

import attrs

from .._http import LowerCaseHeaders, Request
from .._options import NOT_GIVEN, NotGiven
from ..errors import APIConnectionError, UnexpectedResponseError
from ..types.shared import ApiRequest
from ..types.uploads import (
    GetUploadStatusRequest,
    SendUploadChunkRequest,
    StartUploadRequest,
    UploadResult,
    UploadSession,
    UploadStatus,
    session_path,
)
from ._base import Resource
from ._sources import open_source

__all__ = ["MAX_RESUMES", "Uploads"]

#: How many times :meth:`Uploads.upload` resumes after a cut before raising.
MAX_RESUMES: Final = 5


class Uploads(Resource):
    """Resumable uploads of one app: a file in, a handle ``h`` out."""

    async def upload(
        self,
        source: Any,
        *,
        file_type: str,
        file_name: str | None = None,
        size: int | None = None,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> str:
        """Upload ``source`` (path, bytes, binary file, async iterable with ``size=``) and return the handle.

        A cut connection is resumed from the offset Meta reports (a path, bytes or a
        seekable file only: an async iterable cannot be rewound, so its cut is raised).
        """
        src = await open_source(source, size=size)
        length = src.size if src.size is not None else size
        if length is None:
            raise ValueError("size: the resumable upload API needs the file length; pass size=")
        name = file_name or src.filename or "file"
        session = await self.start(file_name=name, file_length=length, file_type=file_type)
        offset = 0
        resumes = 0
        first: Any = src.content
        while True:
            body = first if offset == 0 and first is not None else src.reopen(offset) if src.reopen else None
            first = None
            if body is None:
                raise APIConnectionError(
                    "the upload was cut and its source (an async iterable) cannot be rewound",
                    request_sent=True,
                )
            try:
                result = await self.send_chunk(session.id, body, file_offset=offset, timeout=timeout)
            except APIConnectionError:
                resumes += 1
                if resumes > MAX_RESUMES or src.reopen is None:
                    raise
                offset = (await self.status(session.id)).file_offset
                continue
            if result.h:
                return result.h
            if result.file_offset is None or result.file_offset <= offset:
                raise UnexpectedResponseError("the upload answered neither a handle nor progress")
            offset = result.file_offset
            if offset >= length:
                raise UnexpectedResponseError("the upload holds the whole file but gave no handle")

    async def start(self, *, file_name: str, file_length: int, file_type: str) -> UploadSession:
        """Open a session (``POST /{app_id}/uploads``); its ``id`` is ``upload:<id>?sig=...``."""
        if not self._client._options.app_id:
            raise ValueError("uploads need app_id: pass it to WhatsApp(app_id=...) or set META_APP_ID")
        request = StartUploadRequest(
            file_name=os.path.basename(file_name), file_length=file_length, file_type=file_type
        )
        session = await self._client._call(request)
        session_path(session.id)  # an answer that is no session id is an error here, not later
        return session

    async def status(self, session_id: str) -> UploadStatus:
        """How many bytes Meta holds for ``session_id`` (``GET upload:<id>``)."""
        return await self._send(GetUploadStatusRequest(session=session_path(session_id)))  # type: ignore[no-any-return]

    async def send_chunk(
        self,
        session_id: str,
        body: Any,
        *,
        file_offset: int = 0,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> UploadResult:
        """Send the file's bytes from ``file_offset`` (bytes, an async iterable, or a factory of them)."""
        request = SendUploadChunkRequest(session=session_path(session_id), body=body, file_offset=file_offset)
        return await self._send(request, timeout)  # type: ignore[no-any-return]

    async def _send(self, req: ApiRequest[Any], timeout: float | NotGiven | None = NOT_GIVEN) -> Any:
        client = self._client
        built: Request = client._build(req, timeout)
        headers = LowerCaseHeaders(built.headers)
        headers["authorization"] = f"OAuth {client._options.access_token}"
        request = attrs.evolve(built, headers=headers)
        if client._shared.closed:
            raise RuntimeError("this WhatsApp client is closed")
        response = await client._shared.handler(request)
        return client._decode(response, client._prepared[type(req)].op.response)
