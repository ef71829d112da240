"""``wa.media``: upload, get a download URL, download (to a file or as a stream), delete.

Downloads are streamed and checked as the bytes go by: the ``sha256`` (and
``file_size``) Meta gives are verified at the end, a download to a path is
written to a temporary name and renamed only on success. An expired URL (a 404,
or one older than five minutes) is fetched again once; a transfer cut short is
resumed with ``Range`` (or, when the server answers the whole body again, the
part already held is skipped). The token is sent only to the API's own origin
and to the media hosts in :attr:`Media.allowed_hosts` (https only), never
anywhere else a URL may point.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import time
from collections.abc import AsyncIterator, Callable
from hashlib import sha256
from typing import IO, Any, Final
from urllib.parse import urlsplit

from .._http import Request, Response
from .._multipart import FilePart
from .._options import NOT_GIVEN, NotGiven
from ..errors import APIConnectionError, MediaIntegrityError, UnexpectedResponseError, error_from_response
from ..types.media import (
    MEDIA_TYPES,
    DeleteMediaRequest,
    DownloadMediaRequest,
    GetMediaUrlRequest,
    MediaUrl,
    UploadedMedia,
    UploadMediaRequest,
    media_cap,
)
from ..types.shared import SuccessResponse
from ._base import Resource
from ._sources import SizeGuard, guess_type, open_file, open_source

__all__ = ["DEFAULT_MEDIA_HOSTS", "URL_LIFETIME", "Media"]

#: Hosts Meta serves media from; the token may go there (over https) besides the API's origin.
DEFAULT_MEDIA_HOSTS: Final = frozenset({"lookaside.fbsbx.com", "lookaside.facebook.com"})
#: How long a media URL lives (Meta: five minutes); an older one is fetched again before use.
URL_LIFETIME: Final = 300.0
#: How many cuts in a row without new bytes a transfer survives before the error is raised.
MAX_RESUMES: Final = 3
#: Bytes a download gathers before one trip to its writer thread (held at most once, besides
#: what the transport buffers): few hops per MB, memory still small.
WRITE_BATCH: Final = 1 << 20


def _check_id(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


class Media(Resource):
    """Media objects of a phone number: upload (checked, streamed), download (verified), delete."""

    #: Hosts besides the API's origin the token may be sent to (https only). Replace to allow others.
    allowed_hosts: frozenset[str] = DEFAULT_MEDIA_HOSTS

    # -- upload -------------------------------------------------------------------

    async def upload(
        self,
        source: Any,
        *,
        mime_type: str | None = None,
        filename: str | None = None,
        size: int | None = None,
        phone_number_id: str | None = None,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> UploadedMedia:
        """Upload ``source`` (a path, ``bytes``, a binary file object or an async iterable of bytes).

        ``mime_type`` defaults to the guess from the file name. The type and size
        are checked against Meta's table before anything is sent (``ValueError``);
        a stream of unknown size (no ``size=`` hint) is counted as it goes and the
        upload stopped with the same error once it passes the cap. Only a path, bytes
        or a seekable file are re-sent by a retry; an async iterable is sent once.
        """
        if filename is not None and not isinstance(filename, str):
            raise TypeError("filename must be a str")
        src = await open_source(source, size=size)
        name = filename or src.filename or "file"
        mime = mime_type or guess_type(name)
        if mime is None:
            raise ValueError("mime_type: cannot guess the media type from the file name; pass mime_type=")
        if not isinstance(mime, str) or mime not in MEDIA_TYPES:
            raise ValueError(f"mime_type: {mime!r} is not a media type WhatsApp supports")
        kind, cap = media_cap(mime, src.head)
        known = src.size if src.size is not None else size
        if known is not None and known > cap:
            raise ValueError(f"source: {known} bytes exceed the {cap}-byte cap for {kind} ({mime})")
        guard = SizeGuard(
            cap, lambda n: f"source: more than {cap} bytes ({n} so far), the cap for {kind} ({mime})"
        )
        part = FilePart(content=guard.wrap(src.content), filename=name, content_type=mime, size=known)
        request = UploadMediaRequest(file=part, type=mime, phone_number_id=phone_number_id)
        try:
            return await self._client._call(request, timeout=timeout)
        except Exception:
            if guard.error is not None:
                raise guard.error from None
            raise

    # -- URL, delete --------------------------------------------------------------

    async def get_url(self, media_id: str, *, phone_number_id: str | None = None) -> MediaUrl:
        """A download URL (valid five minutes), with the MIME type, size and ``sha256`` (as hex)."""
        _check_id("media_id", media_id)
        return await self._client._call(
            GetMediaUrlRequest(media_id=media_id, phone_number_id=phone_number_id)
        )

    async def delete(self, media_id: str, *, phone_number_id: str | None = None) -> SuccessResponse:
        """Delete an uploaded media object."""
        _check_id("media_id", media_id)
        return await self._client._call(
            DeleteMediaRequest(media_id=media_id, phone_number_id=phone_number_id)
        )

    # -- download -----------------------------------------------------------------

    async def download(
        self,
        media: str | MediaUrl,
        to: str | os.PathLike[str] | IO[bytes],
        *,
        phone_number_id: str | None = None,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> MediaUrl:
        """Download ``media`` (an id, or a :class:`MediaUrl` already fetched) to a path or a binary file.

        A path is written as ``.<name>.<random>.part`` beside it and renamed when the
        hash checks out; on any failure (integrity, network, cancellation) nothing is
        left behind. A file object receives the bytes as they come (its content is not
        to be trusted after an error). Returns the :class:`MediaUrl` the bytes match.
        """
        if isinstance(to, (str, os.PathLike)):
            target = os.fspath(to)
            folder, base = os.path.split(target)
            temp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.part")
            f = await open_file(temp, "wb", remove_if_cancelled=True)
            try:
                try:
                    info = await self._download_into(media, f, phone_number_id, timeout)
                finally:
                    # Inline, not on a thread: no cancellation may skip it (the buffer is at most 8 KB).
                    f.close()
                await asyncio.to_thread(os.replace, temp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    _unlink(temp)
                raise
            return info
        if not hasattr(to, "write"):
            raise TypeError(f"to must be a path or a binary file object, got {type(to).__name__}")
        return await self._download_into(media, to, phone_number_id, timeout)

    async def _download_into(
        self, media: str | MediaUrl, f: IO[bytes], phone_number_id: str | None, timeout: Any
    ) -> MediaUrl:
        async with self.stream(media, phone_number_id=phone_number_id, timeout=timeout) as chunks:
            await chunks._write_to(f)
            return chunks.info

    @contextlib.asynccontextmanager
    async def stream(
        self,
        media: str | MediaUrl,
        *,
        phone_number_id: str | None = None,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> AsyncIterator[MediaChunks]:
        """``async with wa.media.stream(media_id) as chunks: async for chunk in chunks: ...``

        The hash is checked when the last chunk has been read: a mismatch raises
        :class:`MediaIntegrityError` from the loop (the chunks already handed over
        must then be discarded). Leaving the block early, or a cancellation, closes
        the connection at once.
        """
        if isinstance(media, MediaUrl):
            info, media_id = media, media.id
        else:
            media_id = _check_id("media_id", media)
            info = await self.get_url(media_id, phone_number_id=phone_number_id)
        chunks = MediaChunks(self, info, media_id, phone_number_id, timeout)
        try:
            yield chunks
        finally:
            await chunks.aclose()

    # -- pieces ---------------------------------------------------------------------

    def _clock(self) -> float:
        clock: Callable[[], float] = getattr(self._client._shared, "clock", time.monotonic)
        return clock()

    def _authorized(self, url: str) -> bool:
        """True when the token may go to ``url``: the API's own origin, or an allowed media host over https."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) == self._client._origin:
            return True
        return (
            parts.scheme == "https"
            and (parts.hostname or "") in self.allowed_hosts
            and parts.port in (None, 443)
        )


class MediaChunks:
    """The chunks of one download (an async iterator); :attr:`info` is the URL and hash they match."""

    def __init__(
        self, media: Media, info: MediaUrl, media_id: str | None, phone_number_id: str | None, timeout: Any
    ) -> None:
        self._media = media
        self.info = info
        self._media_id = media_id
        self._phone_number_id = phone_number_id
        self._timeout = timeout
        self._fetched_at = media._clock()
        self._response: Response | None = None
        self._iterator: AsyncIterator[bytes] | None = None
        #: Bytes handed over so far.
        self.received = 0
        self._hasher = sha256()
        #: False while :meth:`_write_to` drives the iteration: it hashes each chunk itself.
        self._hash_on_loop = True

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._iterator is not None:
            raise RuntimeError("a media stream can be iterated once")
        self._iterator = self._chunks()
        return self._iterator

    async def _write_to(self, f: IO[bytes]) -> None:
        """Write every chunk to ``f`` on a worker thread, hashing it there, then check the whole.

        Hashed on the loop, a chunk would stall the socket reads for as long as
        sha256 takes (about 0.7 ms per MB); on the thread it overlaps them, at no
        extra hop. Chunks are gathered into batches of :data:`WRITE_BATCH` bytes
        (a list, not joined: no copy), so there is one hop per batch, not per piece
        the socket gave; the check runs once the last batch is written and hashed.
        """
        write, update = f.write, self._hasher.update

        def sink(batch: list[bytes]) -> None:
            for chunk in batch:
                write(chunk)
                update(chunk)

        run = asyncio.get_running_loop().run_in_executor
        batch: list[bytes] = []
        size = 0
        self._hash_on_loop = False
        async for chunk in self:
            batch.append(chunk)
            size += len(chunk)
            if size >= WRITE_BATCH:
                await run(None, sink, batch)
                batch, size = [], 0
        if batch:
            await run(None, sink, batch)
        self._check()

    async def aclose(self) -> None:
        if self._iterator is not None:
            await self._iterator.aclose()  # type: ignore[attr-defined]
        if self._response is not None:
            await self._response.aclose()

    async def _refresh(self) -> None:
        if self._media_id is None:
            raise UnexpectedResponseError("the media URL expired and no media id is known to fetch a new one")
        self.info = await self._media.get_url(self._media_id, phone_number_id=self._phone_number_id)
        self._fetched_at = self._media._clock()

    async def _open(self, offset: int) -> Response:
        media = self._media
        client = media._client
        url = self.info.url
        if not media._authorized(url):
            host = urlsplit(url).hostname
            raise UnexpectedResponseError(
                f"the media URL points to {host!r}, not the API or an allowed media host; the token is not sent there"
            )
        prepared = client._prepared.get(DownloadMediaRequest) or client._prepare(DownloadMediaRequest)
        headers = dict(client._get_headers)
        headers["accept"] = "*/*"
        if offset:
            headers["range"] = f"bytes={offset}-"
        request = Request(
            method="GET",
            url=url,
            headers=headers,
            timeout=client._options.timeout if self._timeout is NOT_GIVEN else self._timeout,
            meta=prepared.meta,
            stream=True,
        )
        if client._shared.closed:
            raise RuntimeError("this WhatsApp client is closed")
        return await client._shared.handler(request)

    async def _chunks(self) -> AsyncIterator[bytes]:
        # Every chunk is hashed here, or (while _write_to drives) by _write_to, which then checks.
        hasher = self._hasher
        on_loop = self._hash_on_loop
        offset = 0
        refreshed = False
        resumes = 0
        while True:
            if self._media._clock() - self._fetched_at >= URL_LIFETIME - 5.0 and self._media_id is not None:
                await self._refresh()
            response = self._response = await self._open(offset)
            try:
                status = response.status_code
                if status == 404 and not refreshed and self._media_id is not None:
                    refreshed = True
                    await self._refresh()
                    continue
                if status >= 300:
                    error = error_from_response(response)
                    raise error or UnexpectedResponseError(f"media download answered HTTP {status}")
                skip = offset if status != 206 else 0
                if status == 206 and not response.headers.get("content-range", "").startswith(
                    f"bytes {offset}-"
                ):
                    raise UnexpectedResponseError("media download resumed at another offset than asked")
                started_at = offset
                try:
                    async for chunk in response.aiter_bytes():
                        if skip:
                            if len(chunk) <= skip:
                                skip -= len(chunk)
                                continue
                            chunk = chunk[skip:]
                            skip = 0
                        if on_loop:
                            hasher.update(chunk)
                        offset += len(chunk)
                        self.received = offset
                        yield chunk
                except APIConnectionError:
                    # Count cuts without progress: a flaky link that keeps moving is followed to the end.
                    resumes = 1 if offset > started_at else resumes + 1
                    if resumes > MAX_RESUMES:
                        raise
                    continue
            finally:
                await response.aclose()
                self._response = None
            break
        if on_loop:
            self._check()

    def _check(self) -> None:
        """Raise :class:`MediaIntegrityError` unless every byte was hashed and matches Meta's size and sha256."""
        info = self.info
        if info.file_size is not None and self.received != info.file_size:
            raise MediaIntegrityError(
                f"media download gave {self.received} bytes, Meta announced {info.file_size}"
            )
        if info.sha256 is not None and self._hasher.hexdigest() != info.sha256:
            raise MediaIntegrityError("media download does not match its sha256; discard the bytes")


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
