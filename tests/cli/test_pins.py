"""``meta-cloud-async pins``: rotate/resume/status/show/keygen, and every bad input refused cleanly."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async.cli import main
from meta_cloud_async.cli.pins import ProgressDisplay, parse_duration, read_numbers
from meta_cloud_async.rotation import PinRecord, Progress, SqliteVault, generate_key
from meta_cloud_async.sandbox import Sandbox


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    value = generate_key()
    monkeypatch.setenv("META_PIN_KEY", value)
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "test-token")
    return value


def sandbox_ids(n: int) -> list[str]:
    return Sandbox(phone_numbers=n, seed=7).phone_number_ids  # the ids `--sandbox` uses


def shows_pin(pin: str, text: str) -> bool:
    """Whether ``pin`` appears as a number of its own (not inside a phone id or a decimal)."""
    return re.search(rf"(?<![\d.]){pin}(?!\d)", text) is not None


def vault_pins(path: Path, key: str) -> set[str]:
    async def collect() -> set[str]:
        async with SqliteVault(path, key=key, read_only=True) as vault:
            return {p async for r in vault.records() for p in (r.current, r.previous, r.pending) if p}

    return asyncio.run(collect())


def digest(path: Path) -> str | None:
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256(
            repr(conn.execute("SELECT * FROM pins ORDER BY 1").fetchall()).encode()
        ).hexdigest()
    finally:
        conn.close()


def test_rotate_with_embedded_sandbox_writes_report_and_never_prints_a_pin(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "pins.db"
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("# ids\n" + "\n".join(sandbox_ids(50)) + "\n\n")
    report = tmp_path / "report.csv"
    code = main(
        [
            "pins",
            "rotate",
            "--sandbox",
            "--sandbox-numbers",
            "50",
            "--numbers",
            str(numbers),
            "--vault",
            str(vault),
            "--report",
            str(report),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "50 numbers" in out and "50 rotated" in out and "pins show" in out
    rows = report.read_text().splitlines()
    assert rows[0].startswith("phone_number_id,outcome") and len(rows) == 51
    pins = vault_pins(vault, key)
    assert len(pins) >= 45
    blob = out + err + report.read_text()
    assert not any(shows_pin(pin, blob) for pin in pins)
    # status, show, show --reveal
    assert main(["pins", "status", "--vault", str(vault)]) == 0
    assert "50 numbers: 50 current, 0 pending" in capsys.readouterr().out
    pid = sandbox_ids(1)[0]
    assert main(["pins", "show", pid, "--vault", str(vault)]) == 0
    shown = capsys.readouterr().out
    assert "current" in shown and "--reveal" in shown and not any(shows_pin(pin, shown) for pin in pins)
    assert main(["pins", "show", pid, "--vault", str(vault), "--reveal"]) == 0
    revealed = capsys.readouterr().out
    assert any(f"PIN: {pin}" in revealed for pin in pins)
    assert main(["pins", "show", "999", "--vault", str(vault)]) == 1


def test_rotation_failures_exit_nonzero_and_json_report(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("\n".join([*sandbox_ids(3), "123456789"]) + "\n")
    report = tmp_path / "r.json"
    code = main(
        [
            "pins",
            "rotate",
            "--sandbox",
            "--sandbox-numbers",
            "3",
            "--numbers",
            str(numbers),
            "--vault",
            str(tmp_path / "v.db"),
            "--report",
            str(report),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "failed 123456789" in out
    data = json.loads(report.read_text())
    assert data["counts"] == {"rotated": 3, "skipped": 0, "failed": 1, "total": 4}
    assert "pins show" in data["pin_location"]
    failed = next(n for n in data["numbers"] if n["outcome"] == "failed")
    assert failed["state"] == "current" and failed["error_type"]


def test_dry_run_changes_nothing(tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    vault = tmp_path / "v.db"
    assert main(["pins", "rotate", "--sandbox", "--sandbox-numbers", "5", "--vault", str(vault)]) == 0
    before = digest(vault)
    assert (
        main(["pins", "rotate", "--sandbox", "--sandbox-numbers", "5", "--vault", str(vault), "--dry-run"])
        == 0
    )
    assert "dry run" in capsys.readouterr().out
    assert digest(vault) == before


def test_resume_settles_pending_pins(tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    vault_path = tmp_path / "v.db"
    ids = sandbox_ids(4)

    async def seed() -> None:
        async with SqliteVault(vault_path, key=key, sandbox=True) as vault:
            for pid in ids[:2]:
                await vault.save(PinRecord(phone_number_id=pid, current="482913").begin("739164", 1.0))
            await vault.save(PinRecord(phone_number_id=ids[2], current="482913"))

    asyncio.run(seed())
    assert main(["pins", "status", "--vault", str(vault_path)]) == 0
    assert "2 pending" in capsys.readouterr().out
    assert main(["pins", "resume", "--sandbox", "--sandbox-numbers", "4", "--vault", str(vault_path)]) == 0
    out = capsys.readouterr().out
    assert "2 rotated" in out
    assert main(["pins", "resume", "--sandbox", "--vault", str(vault_path)]) == 0
    assert "nothing pending" in capsys.readouterr().out
    assert vault_pins(vault_path, key) == {"482913", "739164"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1\n2\nabc\n", "malformed phone number ids"),
        ("1\n2\n1\n", "duplicate phone number ids"),
        ("# nothing\n\n", "no phone number ids"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_numbers_file(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str], content: Any, message: str
) -> None:
    numbers = tmp_path / "n.txt"
    if isinstance(content, bytes):
        numbers.write_bytes(content)
    else:
        numbers.write_text(content)
    vault = tmp_path / "v.db"
    assert main(["pins", "rotate", "--numbers", str(numbers), "--vault", str(vault)]) == 2
    assert message in capsys.readouterr().err
    assert not vault.exists()


def test_malformed_line_is_described_not_echoed(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the offending line was printed as is, and an "id,pin" line holds a PIN.
    numbers = tmp_path / "n.txt"
    numbers.write_text("106540352242921\n106540352242922,428915\n")
    vault = tmp_path / "v.db"
    assert main(["pins", "rotate", "--numbers", str(numbers), "--vault", str(vault)]) == 2
    err = capsys.readouterr().err
    assert "line 2: not a phone number id (22 chars)" in err
    assert "428915" not in err and "106540352242922" not in err
    assert not vault.exists()


def test_unreadable_numbers_file(tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    vault = tmp_path / "v.db"
    assert main(["pins", "rotate", "--numbers", str(tmp_path / "missing.txt"), "--vault", str(vault)]) == 2
    assert "cannot read the numbers file" in capsys.readouterr().err
    assert main(["pins", "rotate", "--numbers", str(tmp_path), "--vault", str(vault)]) == 2
    assert "cannot read the numbers file" in capsys.readouterr().err
    assert not vault.exists()


def existing_vault(tmp_path: Path, key: str) -> tuple[Path, Path, str | None]:
    vault = tmp_path / "v.db"
    assert (
        main(["pins", "rotate", "--sandbox", "--sandbox-numbers", "3", "--vault", str(vault), "--quiet"]) == 0
    )
    numbers = tmp_path / "n.txt"
    numbers.write_text("\n".join(sandbox_ids(3)) + "\n")
    return vault, numbers, digest(vault)


def test_wrong_key(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, numbers, before = existing_vault(tmp_path, key)
    capsys.readouterr()
    monkeypatch.setenv("META_PIN_KEY", generate_key())
    assert main(["pins", "rotate", "--sandbox", "--numbers", str(numbers), "--vault", str(vault)]) == 2
    assert "META_PIN_KEY" in capsys.readouterr().err
    monkeypatch.setenv("META_PIN_KEY", "garbage!")
    assert main(["pins", "status", "--vault", str(vault)]) == 2
    assert "vault key" in capsys.readouterr().err
    monkeypatch.delenv("META_PIN_KEY")
    assert main(["pins", "rotate", "--sandbox", "--vault", str(vault)]) == 2
    assert "pins keygen" in capsys.readouterr().err
    assert digest(vault) == before


def test_locked_vault(tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    vault, numbers, before = existing_vault(tmp_path, key)
    capsys.readouterr()
    holder = SqliteVault(vault, key=key)
    holder.open_sync()  # another rotation holds it
    try:
        assert main(["pins", "rotate", "--sandbox", "--numbers", str(numbers), "--vault", str(vault)]) == 2
        assert "in use by another process" in capsys.readouterr().err
    finally:
        holder.close_sync()
    other = sqlite3.connect(vault, isolation_level=None, timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")  # some other program holds the file itself
    try:
        assert (
            main(
                [
                    "pins",
                    "rotate",
                    "--sandbox",
                    "--numbers",
                    str(numbers),
                    "--vault",
                    str(vault),
                    "--lock-timeout",
                    "0.05",
                ]
            )
            == 2
        )
        assert "locked" in capsys.readouterr().err
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert digest(vault) == before


def test_unreachable_redis(tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    numbers = tmp_path / "n.txt"
    numbers.write_text("1\n")
    code = main(
        ["pins", "rotate", "--sandbox", "--numbers", str(numbers), "--redis", "redis://127.0.0.1:1/0"]
    )
    assert code == 2
    assert "cannot reach Redis" in capsys.readouterr().err


def test_missing_token_and_bad_options(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = tmp_path / "n.txt"
    numbers.write_text("1\n")
    vault = tmp_path / "v.db"
    monkeypatch.delenv("CLOUD_API_ACCESS_TOKEN")
    assert main(["pins", "rotate", "--numbers", str(numbers), "--vault", str(vault)]) == 2
    assert "CLOUD_API_ACCESS_TOKEN" in capsys.readouterr().err
    for extra, message in [
        (["--concurrency", "0"], "--concurrency"),
        (["--min-age", "soon"], "not a duration"),
        (["--report", str(tmp_path / "r.txt")], ".json or .csv"),
        (["--rate", "0"], "--rate"),
        (["--sandbox-numbers", "-1"], "--sandbox-numbers must be >= 0"),
    ]:
        assert (
            main(["pins", "rotate", "--sandbox", "--numbers", str(numbers), "--vault", str(vault), *extra])
            == 2
        )
        assert message in capsys.readouterr().err
    assert main(["pins", "rotate", "--vault", str(vault)]) == 2
    assert "--numbers" in capsys.readouterr().err
    assert not vault.exists()


def test_keygen_and_helpers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["pins", "keygen"]) == 0
    assert len(capsys.readouterr().out.strip()) == 44
    assert parse_duration("30d") == 30 * 86400 and parse_duration("90m") == 5400 and parse_duration("5") == 5
    numbers = tmp_path / "n.txt"
    numbers.write_text("1\n2\n# c\n\n 3 \n")
    assert read_numbers(str(numbers)) == 3


def test_progress_plain_lines_and_rich_bar() -> None:
    plain = io.StringIO()
    with ProgressDisplay(10, stream=plain, label="rotating", interval=0.0) as display:
        display.update(Progress(done=5, total=10, rotated=4, skipped=0, failed=1, elapsed=1.0))
    assert "rotating: 5/10 done (5/s, ETA 1 s): 4 rotated, 0 skipped, 1 failed" in plain.getvalue()

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    with ProgressDisplay(10, stream=tty, label="rotating") as display:
        display.update(Progress(done=10, total=10, rotated=9, skipped=0, failed=1, elapsed=2.0))
    assert "rotating" in tty.getvalue() and "1 failed" in tty.getvalue()
