"""PIN validation, generation and weakness checks."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meta_cloud_async.pins import check_pin_field, generate_pin, is_weak_pin, validate_pin

SIX_ASCII_DIGITS = re.compile(r"[0-9]{6}")


@pytest.mark.parametrize(
    "bad",
    [
        "12345",
        "1234567",
        "12a456",
        123456,
        "١٢٣٤٥٦",
        " 12345",
        "12345 ",
        None,
        "",
        "123 456",
        "12345\n",
        b"123456",
        12345.6,
        ["1", "2", "3", "4", "5", "6"],
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "-12345",
        "+12345",
    ],
)
def test_validate_pin_rejects(bad: Any) -> None:
    with pytest.raises(ValueError) as info:
        validate_pin(bad)
    message = str(info.value)
    assert "pin" in message
    if isinstance(bad, str) and bad.strip():
        assert bad.strip() not in message
    assert "12345" not in message and "123456" not in message


def test_validate_pin_names_the_parameter_without_the_value() -> None:
    with pytest.raises(ValueError, match=r"^new_pin must be exactly 6 ASCII digits") as info:
        validate_pin("98765", name="new_pin")
    assert "98765" not in str(info.value)


def test_int_is_refused_with_a_hint_about_strings() -> None:
    with pytest.raises(ValueError, match="string") as info:
        validate_pin(428915)
    assert "428915" not in str(info.value)


@pytest.mark.parametrize("good", ["000000", "428915", "012345", "999999"])
def test_validate_pin_accepts_and_returns_unchanged(good: str) -> None:
    assert validate_pin(good) is good


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(max_size=12))
def test_any_string_but_six_ascii_digits_is_rejected(text: str) -> None:
    if SIX_ASCII_DIGITS.fullmatch(text):
        assert validate_pin(text) == text
    else:
        with pytest.raises(ValueError) as info:
            validate_pin(text)
        # One fixed message for every wrong string: nothing of the input leaks into it.
        assert str(info.value) == "pin must be exactly 6 ASCII digits (0-9)"


@settings(deadline=None)
@given(st.text(alphabet=string.digits, min_size=6, max_size=6))
def test_any_six_ascii_digits_are_accepted(text: str) -> None:
    assert validate_pin(text) == text


@settings(deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=6, max_size=6))
def test_unicode_digits_other_than_ascii_are_rejected(text: str) -> None:
    if text.isascii():
        assert validate_pin(text) == text
    else:
        with pytest.raises(ValueError):
            validate_pin(text)


@settings(deadline=None)
@given(st.one_of(st.integers(), st.floats(), st.none(), st.binary(), st.lists(st.integers())))
def test_non_strings_are_rejected(value: Any) -> None:
    with pytest.raises(ValueError, match="must be a string"):
        validate_pin(value)


@pytest.mark.parametrize(
    "pin",
    [
        "000000",
        "111111",
        "999999",  # repeats
        "112211",
        "121212",
        "100100",  # two distinct digits
        "123456",
        "234567",
        "987654",
        "654321",
        "012345",  # runs
        "123123",
        "719719",
        "474747",  # repeated halves and pairs
        "123321",
        "417714",
        "905509",  # palindromes
        "250699",
        "122599",
        "991225",
        "311285",  # DDMMYY, MMDDYY, YYMMDD dates
    ],
)
def test_weak_pins(pin: str) -> None:
    assert is_weak_pin(pin) is True


@pytest.mark.parametrize("pin", ["428915", "739164", "582047", "916384", "860357"])
def test_strong_pins(pin: str) -> None:
    assert is_weak_pin(pin) is False


def test_is_weak_pin_validates_first() -> None:
    with pytest.raises(ValueError):
        is_weak_pin("12345")


def test_fraction_of_weak_pins_is_sane() -> None:
    rng = random.Random(20261123)
    sample = [f"{rng.randrange(1_000_000):06d}" for _ in range(20_000)]
    fraction = sum(map(is_weak_pin, sample)) / len(sample)
    # About 9 % of the space: dates dominate; far from "almost everything" or "almost nothing".
    assert 0.05 < fraction < 0.15


def test_generate_pin_is_valid_and_strong() -> None:
    for _ in range(300):
        pin = generate_pin()
        assert validate_pin(pin) == pin
        assert not is_weak_pin(pin)


def test_generate_pin_keeps_leading_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter([73_916])
    monkeypatch.setattr("meta_cloud_async.pins.secrets.randbelow", lambda _n: next(draws))
    assert generate_pin() == "073916"


def test_generate_pin_redraws_weak_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    draws: Iterator[int] = iter([111_111, 123_456, 123_321, 250_699, 428_915, 739_164])
    calls: list[int] = []

    def fake_randbelow(n: int) -> int:
        calls.append(n)
        return next(draws)

    monkeypatch.setattr("meta_cloud_async.pins.secrets.randbelow", fake_randbelow)
    assert generate_pin() == "428915"
    assert calls == [1_000_000] * 5


def test_generate_pin_uses_secrets_not_random(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object) -> int:
        raise AssertionError("random module used for a PIN")

    monkeypatch.setattr(random, "randrange", forbidden)
    monkeypatch.setattr(random, "randint", forbidden)
    monkeypatch.setattr(random, "random", forbidden)
    assert SIX_ASCII_DIGITS.fullmatch(generate_pin())


class _Field:
    name = "new_pin"


class _Digits(str):
    pass


@pytest.mark.parametrize("value", ["000000", "482915", _Digits("123456")])
def test_check_pin_field_passes_what_validate_pin_accepts(value: Any) -> None:
    check_pin_field(None, _Field(), value)
    assert validate_pin(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        482915,
        b"482915",
        "48291",
        "4829150",
        "48291a",
        "\uff14\uff18\uff12\uff19\uff11\uff15",
        "\u00b282915",
    ],
)
def test_check_pin_field_refuses_what_validate_pin_refuses_under_the_fields_name(value: Any) -> None:
    with pytest.raises(ValueError) as refused:
        check_pin_field(None, _Field(), value)
    with pytest.raises(ValueError) as direct:
        validate_pin(value, name="new_pin")
    assert str(refused.value) == str(direct.value)
    assert str(refused.value).startswith("new_pin must be")
