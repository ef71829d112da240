"""``X-Hub-Signature-256``: HMAC-SHA256 of the raw request bytes, keyed with the app secret.

The digest is computed over the bytes exactly as received: Meta escapes non-ASCII as
``\\uXXXX``, and a re-serialised body (or a decoded-then-encoded one) would not match.
"""

from __future__ import annotations

import hashlib
import hmac

from meta_cloud_async.webhooks.errors import InvalidSignatureError

__all__ = ["sign", "verify_signature"]

_PREFIX = "sha256="
_PREFIX_LEN = len(_PREFIX)
_SIGNED_LEN = _PREFIX_LEN + 64  # the prefix and 32 bytes of hex


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for ``body`` (for tests and the sandbox)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, app_secret: str) -> None:
    """Raise :class:`InvalidSignatureError` unless ``signature`` is ``sha256=<hex HMAC of body>``.

    The comparison is constant-time. Neither the secret nor the expected digest appear in the
    exception.
    """
    check_signature(body, signature, app_secret.encode() if app_secret else b"")


def check_signature(body: bytes, signature: str | None, key: bytes) -> None:
    """:func:`verify_signature` with the secret already encoded: the router encodes it once, not per POST."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be the raw request bytes")
    if not key:
        raise ValueError("app_secret must be a non-empty string")
    if not signature:
        raise InvalidSignatureError("missing")
    if not signature.startswith(_PREFIX) or len(signature) != _SIGNED_LEN:
        raise InvalidSignatureError("malformed")
    given = signature[_PREFIX_LEN:]
    # compare_digest takes str only when both are ASCII: anything else is simply a mismatch.
    if not given.isascii():
        raise InvalidSignatureError("mismatch")
    # hmac.digest is the one-shot C path: no HMAC object per POST.
    if not hmac.compare_digest(hmac.digest(key, body, "sha256").hex(), given.lower()):
        raise InvalidSignatureError("mismatch")
