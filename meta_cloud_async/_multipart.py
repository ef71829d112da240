"""``multipart/form-data`` bodies for operations declared with ``encoding = "multipart"``.

A :class:`FilePart` holds bytes, an async iterable of bytes, or a factory of
such iterables; a body with a streamed file part is itself streamed (the file
is never whole in memory) and, when every part's size is known, says its length
so the client can send ``Content-Length`` instead of chunked encoding.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from typing import Any

import attrs

from ._http import Content, is_replayable, open_content
from ._operations import encode_value

__all__ = ["FilePart", "MultipartStream", "encode_multipart"]


def _no_quote_or_newline(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and any(c in value for c in '"\r\n\x00'):
        raise ValueError(f"{attribute.name} must not contain quotes or line breaks")


@attrs.frozen(kw_only=True, slots=True, repr=False)
class FilePart:
    """A file field of a multipart body: its content, file name and content type.

    ``content`` is bytes, an async iterable of bytes (sent once) or a
    zero-argument factory returning a fresh one per attempt (so a retry can
    re-open a file). ``size`` is the byte count of a streamed content, when known.
    """

    content: Content
    filename: str = attrs.field(default="file", validator=_no_quote_or_newline)
    content_type: str = attrs.field(default="application/octet-stream", validator=_no_quote_or_newline)
    size: int | None = None

    @property
    def length(self) -> int | None:
        if isinstance(self.content, (bytes, bytearray)):
            return len(self.content)
        return self.size

    def __repr__(self) -> str:
        n = self.length
        shown = "stream" if n is None else f"{n} bytes"
        return f"FilePart(filename={self.filename!r}, content_type={self.content_type!r}, <{shown}>)"


class MultipartStream:
    """A streamed multipart body: a factory of fresh streams (when its parts can replay) with a ``length``.

    Calling it opens the parts again; a body over a one-shot stream can be
    called once only (a second call is a ``RuntimeError``, never a silent empty body).
    """

    def __init__(self, pieces: list[bytes | FilePart], length: int | None) -> None:
        self._pieces = pieces
        self.length = length
        self.replayable = all(isinstance(p, bytes) or is_replayable(p.content) for p in pieces)
        self._opened = False

    def __call__(self) -> AsyncIterable[bytes]:
        if self._opened and not self.replayable:
            raise RuntimeError("this multipart body streams a one-shot source and was already sent")
        self._opened = True
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            if isinstance(piece, bytes):
                yield piece
                continue
            body = open_content(piece.content)
            if isinstance(body, bytes):
                yield body
                continue
            async for chunk in body:
                yield chunk


class _OneShot:
    """A multipart body over a one-shot source: an async iterable (never retried) with a ``length``."""

    def __init__(self, stream: MultipartStream) -> None:
        self._stream = stream
        self.length = stream.length

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream().__aiter__()


def encode_multipart(fields: Mapping[str, Any], boundary: str | None = None) -> tuple[str, Content]:
    """``(content type, body)``: one part per field, ``FilePart`` values as file parts.

    The body is bytes when every part is bytes; otherwise a :class:`MultipartStream`
    (a factory of streams when the parts can replay, else a one-shot async iterable).
    """
    boundary = boundary or f"mca-{secrets.token_hex(16)}"
    pieces: list[bytes | FilePart] = []
    out: list[bytes] = []
    streamed = False
    for name, value in fields.items():
        if any(c in name for c in '"\r\n'):
            raise ValueError("a multipart field name must not contain quotes or line breaks")
        out.append(f"--{boundary}\r\n".encode())
        if isinstance(value, FilePart):
            out.append(
                f'Content-Disposition: form-data; name="{name}"; filename="{value.filename}"\r\n'
                f"Content-Type: {value.content_type}\r\n\r\n".encode()
            )
            if isinstance(value.content, (bytes, bytearray)):
                out.append(bytes(value.content))
            else:
                streamed = True
                pieces.append(b"".join(out))
                out = []
                pieces.append(value)
        else:
            out.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.append(encode_value(value).encode())
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    ctype = f"multipart/form-data; boundary={boundary}"
    if not streamed:
        return ctype, b"".join(out)
    pieces.append(b"".join(out))
    length: int | None = 0
    for piece in pieces:
        n = len(piece) if isinstance(piece, bytes) else piece.length
        length = None if n is None or length is None else length + n
    stream = MultipartStream(pieces, length)
    body: Content = stream if stream.replayable else _OneShot(stream)
    return ctype, body


def content_length(content: Content) -> int | None:
    """The byte count of a body when known without reading it (bytes, or a multipart stream)."""
    if isinstance(content, (bytes, bytearray)):
        return len(content)
    length = getattr(content, "length", None)
    return length if isinstance(length, int) else None
