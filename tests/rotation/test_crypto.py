"""Key handling and AES-GCM sealing of PINs."""

from __future__ import annotations

import base64

import pytest

from meta_cloud_async.rotation import PinCipher, WrongKeyError, generate_key, load_key


def test_keys_load_from_text_bytes_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_key()
    raw = load_key(key)
    assert len(raw) == 32 and load_key(raw) == raw
    assert load_key(key.rstrip("=")) == raw
    monkeypatch.setenv("META_PIN_KEY", key)
    assert load_key(None) == raw
    monkeypatch.delenv("META_PIN_KEY")
    with pytest.raises(ValueError, match="pins keygen"):
        load_key(None)


def test_bad_keys_never_echo_the_key() -> None:
    secret = base64.urlsafe_b64encode(b"x" * 31).decode()
    with pytest.raises(ValueError) as info:
        load_key(secret)
    assert secret not in str(info.value)


def test_ciphertexts_are_bound_to_their_row_and_field() -> None:
    cipher = PinCipher(load_key(generate_key()))
    blob = cipher.encrypt("482913", "1:current")
    assert cipher.decrypt(blob, "1:current") == b"482913"
    assert cipher.encrypt("482913", "1:current") != blob  # fresh nonce each time
    with pytest.raises(WrongKeyError):
        cipher.decrypt(blob, "2:current")
    with pytest.raises(WrongKeyError):
        PinCipher(load_key(generate_key())).decrypt(blob, "1:current")
    assert "key" in repr(cipher) and "482913" not in repr(cipher)


def test_canary() -> None:
    cipher = PinCipher(load_key(generate_key()))
    cipher.check_canary(cipher.canary())
    with pytest.raises(WrongKeyError):
        PinCipher(load_key(generate_key())).check_canary(cipher.canary())
