"""``multipart/form-data`` bodies for operations declared with ``encoding = "multipart"``."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import attrs

from ._operations import encode_value

__all__ = ["FilePart", "encode_multipart"]


def _no_quote_or_newline(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and any(c in value for c in '"\r\n\x00'):
        raise ValueError(f"{attribute.name} must not contain quotes or line breaks")


@attrs.frozen(kw_only=True, slots=True, repr=False)
class FilePart:
    """A file field of a multipart body: its bytes, file name and content type."""

    content: bytes
    filename: str = attrs.field(default="file", validator=_no_quote_or_newline)
    content_type: str = attrs.field(default="application/octet-stream", validator=_no_quote_or_newline)

    def __repr__(self) -> str:
        return f"FilePart(filename={self.filename!r}, content_type={self.content_type!r}, <{len(self.content)} bytes>)"


def encode_multipart(fields: Mapping[str, Any], boundary: str | None = None) -> tuple[str, bytes]:
    """``(content type, body)``: one part per field, ``FilePart`` values as file parts."""
    boundary = boundary or f"mca-{secrets.token_hex(16)}"
    out: list[bytes] = []
    for name, value in fields.items():
        if any(c in name for c in '"\r\n'):
            raise ValueError("a multipart field name must not contain quotes or line breaks")
        out.append(f"--{boundary}\r\n".encode())
        if isinstance(value, FilePart):
            out.append(
                f'Content-Disposition: form-data; name="{name}"; filename="{value.filename}"\r\n'
                f"Content-Type: {value.content_type}\r\n\r\n".encode()
            )
            out.append(value.content)
        else:
            out.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.append(encode_value(value).encode())
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(out)
