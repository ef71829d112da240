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


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for ``body`` (for tests and the sandbox)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str | None, app_secret: str) -> None:
    """Raise :class:`InvalidSignatureError` unless ``signature`` is ``sha256=<hex HMAC of body>``.

    The comparison is constant-time. Neither the secret nor the expected digest appear in the
    exception.
    """
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be the raw request bytes")
    if not app_secret:
        raise ValueError("app_secret must be a non-empty string")
    if not signature:
        raise InvalidSignatureError("missing")
    if not signature.startswith(_PREFIX) or len(signature) != len(_PREFIX) + 64:
        raise InvalidSignatureError("malformed")
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    # compare_digest needs ASCII on both sides for str; encode so non-ASCII input is just a mismatch.
    given = signature[len(_PREFIX) :].lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode(), given):
        raise InvalidSignatureError("mismatch")
