"""Turning what a caller hands over (a path, bytes, a file object, an async iterable) into a body.

Files are read in chunks on a worker thread (``asyncio.to_thread``), never on
the event loop, and never whole: a body is a factory that re-opens the file per
attempt (so a retry sends it again) or, for an async iterable, a one-shot stream.
Every stream passes a :class:`SizeGuard` that counts the bytes and stops the
upload with the caller's ``ValueError`` once they pass the cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import IO, Any

import attrs

from .._http import Content

__all__ = ["CHUNK_SIZE", "SizeGuard", "Source", "open_source"]

#: Bytes per read from a file: large enough that the thread hop is noise, small enough for memory.
CHUNK_SIZE = 1 << 20

_EXTRA_TYPES = {
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".3gp": "video/3gpp",
    ".webp": "image/webp",
    ".amr": "audio/amr",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".txt": "text/plain",
    ".jpg": "image/jpeg",
}


def guess_type(filename: str | None) -> str | None:
    if not filename:
        return None
    ext = os.path.splitext(filename)[1].lower()
    return _EXTRA_TYPES.get(ext) or mimetypes.guess_type(filename, strict=False)[0]


@attrs.define
class Source:
    """An upload body with what is known before reading it: size, first bytes, a file name."""

    #: bytes, or a zero-argument factory of streams, or a one-shot async iterable.
    content: Content
    size: int | None
    head: bytes | None
    filename: str | None
    #: The body from a byte offset on (to resume a cut upload); None for a one-shot stream.
    reopen: Callable[[int], Content] | None = None


class SizeGuard:
    """Counts streamed bytes; past ``cap`` it raises (and remembers) the caller's ``ValueError``.

    A transport may wrap an exception raised inside a body it is sending; the
    caller re-raises :attr:`error` after the call, so the refusal always arrives as itself.
    """

    def __init__(self, cap: int, message: Callable[[int], str]) -> None:
        self.cap = cap
        self._message = message
        self.error: ValueError | None = None

    def wrap(self, content: Content) -> Content:
        if isinstance(content, (bytes, bytearray)):
            return content
        if hasattr(content, "__aiter__"):
            return self._count(content)
        factory: Callable[[], AsyncIterable[bytes]] = content
        return lambda: self._count(factory())

    async def _count(self, stream: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        total = 0
        async for chunk in stream:
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(f"source must yield bytes, got {type(chunk).__name__}")
            total += len(chunk)
            if total > self.cap:
                self.error = ValueError(self._message(total))
                raise self.error
            yield bytes(chunk)


async def open_file(path: str, mode: str, *, remove_if_cancelled: bool = False) -> IO[bytes]:
    """``open`` on a worker thread; cancelled meanwhile, the file opened late is closed (and removed)."""
    fut = asyncio.ensure_future(asyncio.to_thread(open, path, mode))

    def close_late(done: asyncio.Future[Any]) -> None:
        if not done.cancelled() and done.exception() is None:
            done.result().close()
            if remove_if_cancelled:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        # Let the open finish (it is quick), then undo it; a second cancellation leaves that to a callback.
        try:
            await asyncio.shield(fut)
        except asyncio.CancelledError:
            fut.add_done_callback(close_late)
            raise
        except Exception:
            raise asyncio.CancelledError from None
        close_late(fut)
        raise


async def _read_path(path: str, chunk_size: int, start: int = 0) -> AsyncIterator[bytes]:
    f = await open_file(path, "rb")
    try:
        if start:
            await asyncio.to_thread(f.seek, start)
        while True:
            chunk = await asyncio.to_thread(f.read, chunk_size)
            if not chunk:
                return
            yield chunk
    finally:
        await asyncio.to_thread(f.close)


async def _read_file(f: IO[bytes], start: int | None, chunk_size: int) -> AsyncIterator[bytes]:
    if start is not None:
        await asyncio.to_thread(f.seek, start)
    while True:
        chunk = await asyncio.to_thread(f.read, chunk_size)
        if not chunk:
            return
        if not isinstance(chunk, (bytes, bytearray)):
            raise TypeError("source file must be opened in binary mode")
        yield bytes(chunk)


def _stat_and_head(path: str) -> tuple[int, bytes]:
    size = os.stat(path).st_size
    with open(path, "rb") as f:
        head = f.read(32)
    return size, head


def _file_size_and_head(f: IO[bytes]) -> tuple[int | None, int | None, bytes | None]:
    try:
        if not f.seekable():
            return None, None, None
        start = f.tell()
        end = f.seek(0, os.SEEK_END)
        f.seek(start)
        head = f.read(32)
        f.seek(start)
    except (OSError, AttributeError, ValueError):
        return None, None, None
    if not isinstance(head, (bytes, bytearray)):
        raise TypeError("source file must be opened in binary mode")
    return end - start, start, bytes(head)


async def open_source(source: Any, *, size: int | None = None, chunk_size: int = CHUNK_SIZE) -> Source:
    """Describe ``source`` without reading more than its first bytes (stat and peeks run on a thread)."""
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError("size must be a non-negative int")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return Source(data, len(data), data[:32], None, lambda off: data[off:])
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not isinstance(path, str):
            raise TypeError("source path must be a str path, not bytes")
        try:
            real_size, head = await asyncio.to_thread(_stat_and_head, path)
        except OSError as exc:
            raise ValueError(
                f"source: cannot read {os.path.basename(path)!r} ({type(exc).__name__})"
            ) from None
        return Source(
            lambda: _read_path(path, chunk_size),
            real_size,
            head,
            os.path.basename(path),
            lambda off: lambda: _read_path(path, chunk_size, off),
        )
    if hasattr(source, "read"):
        f: IO[bytes] = source
        known, start, file_head = await asyncio.to_thread(_file_size_and_head, f)
        name = getattr(f, "name", None)
        filename = os.path.basename(name) if isinstance(name, str) else None
        if start is None:  # not seekable: one pass only
            return Source(_read_file(f, None, chunk_size), size, None, filename)
        at = start
        return Source(
            lambda: _read_file(f, at, chunk_size),
            known,
            file_head,
            filename,
            lambda off: lambda: _read_file(f, at + off, chunk_size),
        )
    if hasattr(source, "__aiter__"):
        return Source(source, size, None, None)
    raise TypeError(
        f"source must be a path, bytes, a binary file object or an async iterable of bytes, "
        f"got {type(source).__name__}"
    )
