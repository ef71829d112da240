"""PIN encryption at rest: AES-256-GCM, each ciphertext bound to its row and field.

The associated data (``"<phone id>:<field>"``) makes a ciphertext copied to
another row or column fail to decrypt instead of silently yielding a wrong
PIN. Keys are 32 random bytes, written as URL-safe base64 (44 characters).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from typing import Final

__all__ = [
    "ENV_PIN_KEY",
    "MissingCryptographyError",
    "PinCipher",
    "WrongKeyError",
    "generate_key",
    "key_fingerprint",
    "load_key",
]

ENV_PIN_KEY: Final = "META_PIN_KEY"
_NONCE = 12
CANARY_PLAINTEXT: Final = b"meta-cloud-async vault canary v1"


class WrongKeyError(Exception):
    """The vault key does not decrypt what the vault holds (a wrong ``META_PIN_KEY``)."""


class MissingCryptographyError(RuntimeError):
    """The optional ``cryptography`` package (extras ``vault`` and ``cli``) is not installed."""


def key_fingerprint(key: bytes) -> str:
    """8 hex digits that name a key without revealing it, so "wrong key" can say which one is expected.

    The SHA-256 of an HMAC of a fixed label under the key: a one-way value
    derived from the key, never the key or anything that decrypts with it.
    """
    derived = hmac.new(key, b"meta-cloud-async key fingerprint v1", hashlib.sha256).digest()
    return hashlib.sha256(derived).hexdigest()[:8]


def generate_key() -> str:
    """A fresh random key as URL-safe base64: keep it in a secrets manager, never next to the vault."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def load_key(key: str | bytes | None = None, *, env_var: str = ENV_PIN_KEY) -> bytes:
    """Decode ``key`` (or ``$META_PIN_KEY``) into 32 raw bytes; ``ValueError`` says what is wrong.

    The message never echoes the key.
    """
    if key is None:
        key = os.environ.get(env_var) or None
        if key is None:
            raise ValueError(
                f"a vault key is required: pass key=... or set {env_var} "
                "(create one with `meta-cloud-async pins keygen --out FILE`)"
            )
    if not isinstance(key, str | bytes):
        raise TypeError(f"key must be a str or bytes (the vault key), got {type(key).__name__}")
    if isinstance(key, bytes) and len(key) == 32:
        return key
    text = key.decode("ascii", "replace") if isinstance(key, bytes) else key
    try:
        stripped = text.strip()
        raw = base64.b64decode(stripped + "=" * (-len(stripped) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ValueError("the vault key is not valid URL-safe base64") from None
    if len(raw) != 32:
        raise ValueError(f"the vault key must decode to 32 bytes, got {len(raw)}")
    return raw


class PinCipher:
    """Encrypt and decrypt short secrets with one AES-GCM key."""

    __slots__ = ("_aead", "fingerprint")

    def __init__(self, key: bytes) -> None:
        self.fingerprint = key_fingerprint(key)
        """:func:`key_fingerprint` of the key (safe to print)."""
        try:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        except ImportError as exc:  # pragma: no cover - exercised only without the extra
            raise MissingCryptographyError(
                "the PIN vault needs the 'cryptography' package: pip install 'meta-cloud-async[vault]'"
            ) from exc
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "PinCipher(<key hidden>)"

    def encrypt(self, plaintext: str | bytes, context: str) -> bytes:
        """Encrypt with a fresh random nonce; ``context`` (e.g. the phone number id) is bound as associated data."""
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, data, context.encode())

    def decrypt(self, blob: bytes, context: str) -> bytes:
        """Decrypt a blob from ``encrypt`` with the same ``context``; ``WrongKeyError`` if the key or context differs."""
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], context.encode())
        except (InvalidTag, ValueError):
            raise WrongKeyError(
                "cannot decrypt the vault with this key: is META_PIN_KEY the key the vault was created with?"
            ) from None

    def canary(self) -> bytes:
        """A known plaintext encrypted with this key, stored in a new vault so a wrong key is caught at open."""
        return self.encrypt(CANARY_PLAINTEXT, "canary")

    def check_canary(self, blob: bytes) -> None:
        """Raise :class:`WrongKeyError` unless ``blob`` was made by :meth:`canary` with this key."""
        if self.decrypt(blob, "canary") != CANARY_PLAINTEXT:
            raise WrongKeyError("the vault canary does not match: wrong META_PIN_KEY")
