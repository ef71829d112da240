"""The one duration parser every CLI flag and spec string uses."""

from __future__ import annotations

import pytest

from meta_cloud_async._durations import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5ms", 0.005),
        ("250us", 0.00025),
        ("30s", 30.0),
        ("1.5", 1.5),
        (".5s", 0.5),
        ("10m", 600.0),
        ("10min", 600.0),
        ("2h", 7200.0),
        ("30d", 2_592_000.0),
        ("2w", 1_209_600.0),
        (" 3 h ", 10800.0),
    ],
)
def test_every_unit(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", "fast", "5 parsecs", "-1s", "1e-9", "nan", "inf", "1y", "1" * 40, "5s5"]
)
def test_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_rejects_non_text() -> None:
    with pytest.raises(TypeError, match="duration"):
        parse_duration(5)  # type: ignore[arg-type]


def test_the_cli_uses_it() -> None:
    from meta_cloud_async.cli.pins import InputError
    from meta_cloud_async.cli.pins import parse_duration as cli_parse

    assert cli_parse("2w") == parse_duration("2w") and cli_parse("5ms") == parse_duration("5ms")
    with pytest.raises(InputError, match="--min-age: not a duration"):
        cli_parse("soon", flag="--min-age")
