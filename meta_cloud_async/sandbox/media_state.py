"""The sandbox's media: uploads, signed download URLs, resumable upload sessions.

Its own rules, not the client's (a client bug must not hide behind a shared
check): the multipart body is parsed here, the type and size are checked
against the sandbox's own copy of Meta's table, media ids expire 30 days after
upload on the sandbox clock, and a download URL is signed, lives 5 minutes,
sits on the sandbox's own host (``/_media/<id>?exp=..&sig=..``) and still
needs the bearer token.

Memory: stored media (uploads plus unfinished resumable sessions) is capped at
:attr:`MediaStore.capacity` bytes (256 MiB by default); an upload past the cap
is refused with Graph's media upload error (131053), and expired media is
dropped before that check. One store per :class:`~.state.Business`, so a
sandbox reset forgets every file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import weakref
from collections.abc import Mapping
from typing import Any

import attrs

from .envelope import GraphError

__all__ = ["MEDIA_LIFETIME", "URL_LIFETIME", "MediaStore", "StoredMedia", "store_of"]

URL_LIFETIME = 300.0
MEDIA_LIFETIME = 30 * 24 * 3600.0
DEFAULT_CAPACITY = 256 * 1024 * 1024

_K = 1024
_M = 1024 * 1024
# The sandbox's own copy of Meta's supported media table: type -> cap in bytes.
_CAPS: dict[str, int] = {
    "image/jpeg": 5 * _M,
    "image/png": 5 * _M,
    "video/mp4": 16 * _M,
    "video/3gpp": 16 * _M,
    "video/3gp": 16 * _M,
    "audio/aac": 16 * _M,
    "audio/amr": 16 * _M,
    "audio/mpeg": 16 * _M,
    "audio/mp4": 16 * _M,
    "audio/ogg": 16 * _M,
    "image/webp": 500 * _K,
    "text/plain": 100 * _M,
    "application/pdf": 100 * _M,
    "application/msword": 100 * _M,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * _M,
    "application/vnd.ms-excel": 100 * _M,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * _M,
    "application/vnd.ms-powerpoint": 100 * _M,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 * _M,
}
_STATIC_WEBP = 100 * _K
_UPLOAD_TYPES = frozenset({"application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"})
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')


@attrs.define(slots=True)
class StoredMedia:
    id: str
    phone_id: str | None
    mime_type: str
    data: bytes
    sha256: str
    created: float


@attrs.define(slots=True)
class _Session:
    id: str
    sig: str
    file_name: str
    file_length: int
    file_type: str
    data: bytearray
    created: float


def _media_error(message: str) -> GraphError:
    return GraphError.whatsapp(131053, "Media upload error", message)


def _static_webp(data: bytes) -> bool:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    if data[12:16] != b"VP8X":
        return True
    return len(data) > 20 and not data[20] & 0x02


def parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """``(fields, files)``: text fields, and file parts as (filename, content type, bytes)."""
    m = _BOUNDARY.search(content_type)
    if not content_type.startswith("multipart/form-data") or m is None:
        raise GraphError.invalid_parameter("The upload must be multipart/form-data with a boundary.")
    delimiter = b"--" + m.group(1).encode()
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise GraphError.invalid_parameter("The multipart body is malformed.")
    for part in chunks[1:-1]:
        if not part.startswith(b"\r\n") or not part.endswith(b"\r\n"):
            raise GraphError.invalid_parameter("The multipart body is malformed.")
        head, sep, value = part[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise GraphError.invalid_parameter("A multipart part has no header block.")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, _, text = line.partition(":")
            headers[name.strip().lower()] = text.strip()
        disposition = headers.get("content-disposition", "")
        params = dict(re.findall(r';\s*([a-z]+)="([^"]*)"', disposition))
        if "name" not in params:
            raise GraphError.invalid_parameter("A multipart part has no name.")
        if "filename" in params:
            files[params["name"]] = (params["filename"], headers.get("content-type", ""), value)
        else:
            fields[params["name"]] = value.decode("utf-8")
    return fields, files


class MediaStore:
    """Media and resumable sessions of one sandbox business, within :attr:`capacity` bytes."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        #: False: downloads ignore ``Range`` and answer the whole file (a server without resume).
        self.ranges = True
        self.media: dict[str, StoredMedia] = {}
        self.sessions: dict[str, _Session] = {}
        self._secret = secrets.token_bytes(16)
        self._next = 0
        self.used = 0

    # -- bookkeeping ---------------------------------------------------------------

    def _new_id(self) -> str:
        self._next += 1
        return str(4_200_000_000_000_000 + self._next)

    def _expire(self, now: float) -> None:
        for mid in [m.id for m in self.media.values() if now - m.created > MEDIA_LIFETIME]:
            self._drop(mid)

    def _drop(self, mid: str) -> None:
        item = self.media.pop(mid, None)
        if item is not None:
            self.used -= len(item.data)

    def _reserve(self, n: int, now: float) -> None:
        self._expire(now)
        if self.used + n > self.capacity:
            raise _media_error(
                f"The sandbox holds {self.used} bytes of media; {n} more would pass its {self.capacity}-byte cap."
            )
        self.used += n

    def _sign(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()[:32]

    def get(self, mid: str, now: float, phone_id: str | None = None, method: str = "GET") -> StoredMedia:
        item = self.media.get(mid)
        if item is not None and now - item.created > MEDIA_LIFETIME:
            self._drop(mid)
            item = None
        if item is None or (phone_id and item.phone_id != phone_id):
            raise GraphError.unsupported(method, mid)
        return item

    # -- the operations --------------------------------------------------------------

    def upload(self, phone_id: str, headers: Mapping[str, str], body: bytes, now: float) -> dict[str, Any]:
        fields, files = parse_multipart(headers.get("content-type", ""), body)
        if fields.get("messaging_product") != "whatsapp":
            raise GraphError.missing_parameter("messaging_product")
        if "file" not in files:
            raise GraphError.missing_parameter("file")
        _, part_type, data = files["file"]
        mime = fields.get("type") or part_type
        cap = _CAPS.get(mime)
        if cap is None:
            raise GraphError.invalid_parameter(f"Param type must be a supported media type, got {mime!r}.")
        if mime == "image/webp" and _static_webp(data):
            cap = _STATIC_WEBP
        if not data:
            raise _media_error("The uploaded file is empty.")
        if len(data) > cap:
            raise _media_error(f"The file is {len(data)} bytes; {mime} allows at most {cap}.")
        self._reserve(len(data), now)
        mid = self._new_id()
        self.media[mid] = StoredMedia(mid, phone_id, mime, bytes(data), hashlib.sha256(data).hexdigest(), now)
        return {"id": mid}

    def put(self, phone_id: str, data: bytes, mime_type: str, now: float) -> StoredMedia:
        """Store media a user sent to ``phone_id`` (Meta keeps it; the business downloads it by id)."""
        cap = _CAPS.get(mime_type)
        if cap is None:
            raise ValueError(f"mime_type must be a supported media type, got {mime_type!r}")
        if not data or len(data) > cap:
            raise ValueError(f"data must be 1..{cap} bytes for {mime_type}, got {len(data)}")
        self._reserve(len(data), now)
        mid = self._new_id()
        item = StoredMedia(mid, phone_id, mime_type, bytes(data), hashlib.sha256(data).hexdigest(), now)
        self.media[mid] = item
        return item

    def url(self, mid: str, params: Mapping[str, Any], origin: str, now: float) -> dict[str, Any]:
        item = self.get(mid, now, params.get("phone_number_id"))
        exp = int(now + URL_LIFETIME)
        sig = self._sign(f"{mid}:{exp}")
        return {
            "messaging_product": "whatsapp",
            "url": f"{origin}/_media/{mid}?exp={exp}&sig={sig}",
            "mime_type": item.mime_type,
            "sha256": item.sha256,
            "file_size": str(len(item.data)),
            "id": mid,
        }

    def delete(self, mid: str, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        self.get(mid, now, params.get("phone_number_id"), "DELETE")
        self._drop(mid)
        return {"success": True}

    def download(self, mid: str, query: Mapping[str, str], now: float) -> StoredMedia:
        """The media a signed URL names; 404 (as Meta's expired URLs) when the URL is stale or forged."""
        exp = query.get("exp", "")
        sig = query.get("sig", "")
        if not exp.isdigit() or not hmac.compare_digest(sig, self._sign(f"{mid}:{exp}")):
            raise GraphError(404, 100, "(#100) The media URL is invalid")
        if now > int(exp):
            raise GraphError(404, 100, "(#100) The media URL has expired; retrieve a new one")
        return self.get(mid, now)

    # -- resumable sessions -----------------------------------------------------------

    def start_session(self, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        name = params.get("file_name")
        length = params.get("file_length", "")
        ftype = params.get("file_type")
        if not isinstance(name, str) or not name:
            raise GraphError.missing_parameter("file_name")
        if not isinstance(length, str) or not length.isdigit() or int(length) < 1:
            raise GraphError.invalid_parameter("file_length must be a positive integer.")
        if ftype not in _UPLOAD_TYPES:
            raise GraphError.invalid_parameter(f"file_type must be one of {sorted(_UPLOAD_TYPES)}.")
        self._reserve(int(length), now)
        raw = base64.urlsafe_b64encode(f"sandbox-session:{self._new_id()}".encode()).decode().rstrip("=")
        sig = self._sign(raw)
        self.sessions[raw] = _Session(raw, sig, name, int(length), ftype, bytearray(), now)
        return {"id": f"upload:{raw}?sig={sig}"}

    def _session(self, raw: str, params: Mapping[str, Any]) -> _Session:
        session = self.sessions.get(raw)
        if session is None or not hmac.compare_digest(str(params.get("sig", "")), session.sig):
            raise GraphError.unsupported("POST", f"upload:{raw}")
        return session

    def session_status(self, raw: str, params: Mapping[str, Any]) -> dict[str, Any]:
        session = self._session(raw, params)
        return {"id": f"upload:{raw}", "file_offset": len(session.data)}

    def send_chunk(
        self, raw: str, params: Mapping[str, Any], headers: Mapping[str, str], body: bytes
    ) -> dict[str, Any]:
        session = self._session(raw, params)
        offset = headers.get("file_offset", "")
        if not offset.isdigit():
            raise GraphError.missing_parameter("file_offset")
        if int(offset) != len(session.data):
            raise GraphError.invalid_parameter(
                f"file_offset {offset} does not match the {len(session.data)} bytes received."
            )
        if len(session.data) + len(body) > session.file_length:
            raise GraphError.invalid_parameter("More bytes than file_length.")
        session.data += body
        if len(session.data) < session.file_length:
            return {"id": f"upload:{raw}", "file_offset": len(session.data)}
        digest = hashlib.sha256(session.data).hexdigest()[:24]
        return {"h": f"4::{base64.b64encode(session.file_type.encode()).decode()}:{digest}"}


_stores: weakref.WeakKeyDictionary[Any, MediaStore] = weakref.WeakKeyDictionary()


def store_of(business: Any) -> MediaStore:
    """The media store of ``business`` (made on first use; a reset's new Business gets a fresh one)."""
    store = _stores.get(business)
    if store is None:
        store = _stores[business] = MediaStore()
    return store
