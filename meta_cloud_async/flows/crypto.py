"""The encryption of Meta's Flow data-exchange channel, both ends of it.

What Meta does for each request (and what :func:`encrypt_request` repeats for
tests and the sandbox): a fresh 128-bit AES key and a 16-byte IV; the JSON
payload sealed with AES-128-GCM, the 16-byte tag appended to the ciphertext;
the AES key wrapped with the business's RSA public key (OAEP, SHA-256 for both
the hash and MGF1); all three base64 in ``encrypted_flow_data``,
``encrypted_aes_key`` and ``initial_vector``. The answer is sealed with the
same AES key and the IV with every byte flipped (XOR 0xFF), and sent as a
base64 string.

Nothing here logs, and no exception message contains a key or plaintext.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from typing import Any

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "meta_cloud_async.flows needs the 'cryptography' package: pip install 'meta-cloud-async[flows]'"
    ) from exc

__all__ = [
    "DecryptionError",
    "decrypt_request",
    "decrypt_response",
    "encrypt_request",
    "encrypt_response",
    "flip_iv",
    "generate_key_pair",
    "load_private_key",
    "load_public_key",
]

_TAG = 16
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class DecryptionError(Exception):
    """A request that cannot be decrypted with our key (answered 421 so Meta refetches the key)."""


def generate_key_pair(passphrase: str | bytes | None = None) -> tuple[str, str]:
    """A new 2048-bit RSA pair as PEM text: ``(private_pem, public_pem)``.

    Register the public PEM for the number (``wa.encryption.set_public_key``);
    keep the private one, encrypted with ``passphrase`` when given, out of logs
    and repositories.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(
            passphrase.encode() if isinstance(passphrase, str) else passphrase
        )
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem.decode("ascii"), public_pem.decode("ascii")


def load_private_key(pem: str | bytes, passphrase: str | bytes | None = None) -> rsa.RSAPrivateKey:
    """Parse an RSA private key; a ``ValueError`` that never quotes the key."""
    data = pem.encode() if isinstance(pem, str) else pem
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    try:
        key = serialization.load_pem_private_key(data, password=secret or None)
    except (ValueError, TypeError):
        raise ValueError(
            "private_key: not a PEM RSA private key, or the passphrase is wrong or missing"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("private_key: Flows need an RSA key")
    return key


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """An RSA public key from PEM (``str`` or ``bytes``); a ValueError naming ``public_key`` otherwise."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise ValueError("public_key: not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("public_key: Flows need an RSA key")
    return key


def flip_iv(iv: bytes) -> bytes:
    """Meta's response IV: every byte of the request IV XOR 0xFF."""
    return bytes(b ^ 0xFF for b in iv)


def _b64(value: Any, field: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise DecryptionError(f"{field} is missing or not a string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError(f"{field} is not base64") from None


def decrypt_request(
    envelope: Mapping[str, Any], private_key: rsa.RSAPrivateKey
) -> tuple[dict[str, Any], bytes, bytes]:
    """Open Meta's envelope: ``(payload, aes_key, iv)``; :class:`DecryptionError` when it won't open."""
    wrapped = _b64(envelope.get("encrypted_aes_key"), "encrypted_aes_key")
    sealed = _b64(envelope.get("encrypted_flow_data"), "encrypted_flow_data")
    iv = _b64(envelope.get("initial_vector"), "initial_vector")
    try:
        aes_key = private_key.decrypt(wrapped, _OAEP)
    except ValueError:
        raise DecryptionError("the AES key does not unwrap with this private key") from None
    if len(aes_key) != 16:
        raise DecryptionError("the unwrapped AES key is not 128 bits")
    if len(sealed) < _TAG or not iv:
        raise DecryptionError("encrypted_flow_data is too short to hold a GCM tag")
    try:
        plaintext = AESGCM(aes_key).decrypt(iv, sealed, None)
    except (InvalidTag, ValueError):
        raise DecryptionError("encrypted_flow_data does not authenticate (AES-GCM)") from None
    try:
        payload = json.loads(plaintext)
    except ValueError:
        raise DecryptionError("the decrypted flow data is not JSON") from None
    if not isinstance(payload, dict):
        raise DecryptionError("the decrypted flow data is not a JSON object")
    return payload, aes_key, iv


def encrypt_response(payload: Mapping[str, Any], aes_key: bytes, iv: bytes) -> str:
    """Seal an answer as Meta expects it: AES-128-GCM under the flipped IV, base64."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(AESGCM(aes_key).encrypt(flip_iv(iv), data, None)).decode("ascii")


def encrypt_request(
    public_key: str | bytes | rsa.RSAPublicKey, payload: Mapping[str, Any]
) -> tuple[bytes, bytes, bytes]:
    """Encrypt ``payload`` exactly as Meta does: ``(body, aes_key, iv)``.

    ``body`` is the JSON Meta POSTs; keep ``aes_key`` and ``iv`` to open the
    answer with :func:`decrypt_response`. For tests and the sandbox.
    """
    key = public_key if isinstance(public_key, rsa.RSAPublicKey) else load_public_key(public_key)
    aes_key = os.urandom(16)
    iv = os.urandom(16)
    sealed = AESGCM(aes_key).encrypt(iv, json.dumps(payload, separators=(",", ":")).encode(), None)
    envelope = {
        "encrypted_flow_data": base64.b64encode(sealed).decode("ascii"),
        "encrypted_aes_key": base64.b64encode(key.encrypt(aes_key, _OAEP)).decode("ascii"),
        "initial_vector": base64.b64encode(iv).decode("ascii"),
    }
    return json.dumps(envelope).encode(), aes_key, iv


def decrypt_response(body: str | bytes, aes_key: bytes, iv: bytes) -> dict[str, Any]:
    """Open an endpoint's answer as the WhatsApp client does (the flipped IV); for tests."""
    text = body.decode("ascii") if isinstance(body, bytes) else body
    try:
        plaintext = AESGCM(aes_key).decrypt(flip_iv(iv), base64.b64decode(text, validate=True), None)
    except (InvalidTag, ValueError, binascii.Error):
        raise DecryptionError("the response does not decrypt with this key and IV") from None
    result = json.loads(plaintext)
    if not isinstance(result, dict):
        raise DecryptionError("the response is not a JSON object")
    return result
