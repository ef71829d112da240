"""``pins`` under bad input, aliased vaults, damaged records, lost Redis data and failing vaults."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async.cli import main
from meta_cloud_async.rotation import PinRecord, SqliteVault, VaultError, generate_key
from meta_cloud_async.sandbox import Sandbox

CLI = [sys.executable, "-m", "meta_cloud_async"]


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    value = generate_key()
    monkeypatch.setenv("META_PIN_KEY", value)
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "test-token")
    return value


def numbers_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "numbers.txt"
    path.write_text("\n".join(Sandbox(phone_numbers=n, seed=7).phone_number_ids) + "\n")
    return path


def one_line_error(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and lines[0].startswith("meta-cloud-async pins: ")


# -- a second name for the vault meets the same lock -------------------------------------------


def held_by_someone(path: Path) -> bool:
    """Whether another process holds the vault's lock (probing takes and drops it at once)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops our probe lock, if we got it
    return False


@pytest.mark.parametrize("alias", ["symlink", "hardlink"])
def test_two_rotations_through_two_names_of_one_vault_never_run_together(
    tmp_path: Path, key: str, alias: str
) -> None:
    # Regression: the lock file name came from the path text, so `--vault v.db` and `--vault alias.db`
    # both started and raced on the same numbers, leaving "current, certain" PINs that were not in effect.
    vault = tmp_path / "v.db"
    numbers = numbers_file(tmp_path, 300)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    base = [*CLI, "pins", "rotate", "--sandbox", "--sandbox-numbers", "300", "--numbers", str(numbers)]
    first = subprocess.Popen(
        [*base, "--vault", str(vault), "--rate", "100", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not held_by_someone(vault):  # wait until the first run holds the vault
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first rotation never opened its vault"
            time.sleep(0.02)
        other = tmp_path / "alias.db"
        if alias == "symlink":
            other.symlink_to(vault)
            expected = "in use by another process"
        else:
            os.link(vault, other)
            expected = "hard links"
        second = subprocess.run(
            [*base, "--vault", str(other), "--quiet"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2, second.stdout + second.stderr
        assert expected in second.stderr
        one_line_error(second.stderr)
        if alias == "hardlink":
            other.unlink()  # the first run still finishes on its one name
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "300 rotated" in out


# -- bad input: one line, exit 2, nothing changed ----------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--base-url", "http://[::1"], "--base-url is not a valid URL"),
        (["--base-url", "http://127.0.0.1:99999"], "--base-url is not a valid URL"),
        (["--base-url", "http://user:secret@127.0.0.1"], "credentials"),
        (["--redis", "bogus://x"], "--redis must be a redis://"),
        (["--vault", "/proc/pins.db"], "cannot open the vault /proc/pins.db"),
        (["--report", "/proc/r.json"], "cannot write the report /proc/r.json"),
        (["--rate", "1e-9"], "--rate must be within"),
        (["--rate", "nan"], "--rate must be within"),
        (["--rate", "inf"], "--rate must be within"),
        (["--claim-ttl", "1e-9"], "--claim-ttl: not a duration"),
        (["--claim-ttl", "0.5s"], "--claim-ttl must be within 1s..1w"),
        (["--claim-wait", "nan"], "--claim-wait: not a duration"),
        (["--min-age", "5 parsecs"], "--min-age: not a duration"),
        (["--lock-timeout", "2y"], "--lock-timeout: not a duration"),
        (["--max-attempts", "1000"], "--max-attempts must be within 1..100"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    numbers = numbers_file(tmp_path, 3)
    vault = tmp_path / "v.db"
    args = ["pins", "rotate", "--numbers", str(numbers), "--vault", str(vault), *extra]
    if "--base-url" not in extra:
        args.append("--sandbox")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    one_line_error(err)
    assert not vault.exists()


def test_numbers_file_without_line_ends_is_refused_not_read_forever(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: `--numbers /dev/zero` read forever.
    assert (
        main(["pins", "rotate", "--sandbox", "--numbers", "/dev/zero", "--vault", str(tmp_path / "v.db")])
        == 2
    )
    err = capsys.readouterr().err
    assert "line 1 is longer than 256 characters" in err
    one_line_error(err)


def test_numbers_file_with_too_many_ids_is_refused(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from meta_cloud_async.cli import pins

    monkeypatch.setattr(pins, "MAX_NUMBERS", 5)
    numbers = tmp_path / "n.txt"
    numbers.write_text("".join(f"{i}\n" for i in range(1, 7)))
    assert (
        main(["pins", "rotate", "--sandbox", "--numbers", str(numbers), "--vault", str(tmp_path / "v.db")])
        == 2
    )
    assert "more than 5 ids" in capsys.readouterr().err


def test_every_duration_flag_takes_every_unit(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    numbers = numbers_file(tmp_path, 3)
    args = ["pins", "rotate", "--sandbox", "--sandbox-numbers", "3", "--numbers", str(numbers), "--quiet"]
    vault = str(tmp_path / "v.db")
    durations = ["--claim-ttl", "1w", "--claim-wait", "10m", "--lock-timeout", "5ms", "--min-age", "2w"]
    assert main([*args, "--vault", vault, *durations]) == 0
    assert "3 rotated" in capsys.readouterr().out
    assert (
        main([*args, "--vault", vault, "--min-age", "30d", "--claim-ttl", "30s", "--redis-timeout", "2s"])
        == 0
    )
    assert "3 skipped" in capsys.readouterr().out  # rotated moments ago


def test_an_unwritable_report_is_refused_before_the_run(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: the report path failed after the run, losing the report.
    numbers = numbers_file(tmp_path, 3)
    vault = tmp_path / "v.db"
    (tmp_path / "ro").mkdir()
    for report in ("/proc/r.json", str(tmp_path / "ro"), str(tmp_path / "missing" / "r.json")):
        code = main(
            [
                "pins",
                "rotate",
                "--sandbox",
                "--numbers",
                str(numbers),
                "--vault",
                str(vault),
                "--report",
                report,
            ]
        )
        assert code == 2
        one_line_error(capsys.readouterr().err)
    assert not vault.exists()  # nothing ran
    ok = tmp_path / "r.json"
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
                "--report",
                str(ok),
            ]
        )
        == 0
    )
    assert json.loads(ok.read_text())["counts"]["rotated"] == 3


def test_a_run_aborted_by_the_vault_still_writes_a_partial_report(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = 0
    real_save = SqliteVault.save

    async def failing_save(self: SqliteVault, record: PinRecord, *, owner: str | None = None) -> None:
        nonlocal saves
        saves += 1
        if saves > 20:
            raise VaultError("vault write failed: disk I/O error")
        await real_save(self, record, owner=owner)

    monkeypatch.setattr(SqliteVault, "save", failing_save)
    numbers = numbers_file(tmp_path, 50)
    report = tmp_path / "r.json"
    args = ["pins", "rotate", "--sandbox", "--sandbox-numbers", "50", "--numbers", str(numbers)]
    code = main(
        [*args, "--vault", str(tmp_path / "v.db"), "--report", str(report), "--quiet", "--concurrency", "1"]
    )
    assert code == 2
    captured = capsys.readouterr()
    assert "disk I/O error" in captured.err and "partial report written" in captured.out
    data = json.loads(report.read_text())
    assert data["aborted"] and "disk I/O error" in data["aborted"]
    assert 0 < data["counts"]["rotated"] < 50 and data["vault_id"]


# -- a vault that is not there, or not ours, or damaged -----------------------------------------


def test_resume_on_a_missing_vault_says_so_and_creates_nothing(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "v.db"
    assert main(["pins", "resume", "--sandbox", "--vault", str(vault)]) == 2
    captured = capsys.readouterr()
    assert f"no vault at {vault}" in captured.err and "pins init --vault" in captured.err
    assert "every number's PIN" not in captured.out
    assert not vault.exists()


def test_another_apps_database_is_refused(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    numbers = numbers_file(tmp_path, 3)
    assert main(["pins", "rotate", "--sandbox", "--numbers", str(numbers), "--vault", str(other)]) == 2
    err = capsys.readouterr().err
    assert "not a PIN vault" in err
    one_line_error(err)
    assert other.read_bytes() == before


def test_status_and_show_report_a_damaged_record_without_blaming_the_key(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "v.db"
    numbers = numbers_file(tmp_path, 5)
    assert (
        main(
            [
                "pins",
                "rotate",
                "--sandbox",
                "--sandbox-numbers",
                "5",
                "--numbers",
                str(numbers),
                "--vault",
                str(vault),
                "--quiet",
            ]
        )
        == 0
    )
    ids = numbers.read_text().split()
    conn = sqlite3.connect(vault)
    conn.execute(
        "UPDATE pins SET current=X'0011223344556677889900112233445566778899' WHERE phone_number_id=?",
        (ids[1],),
    )
    conn.execute("UPDATE pins SET state='bogus' WHERE phone_number_id=?", (ids[2],))
    conn.commit()
    conn.close()
    capsys.readouterr()
    assert main(["pins", "status", "--vault", str(vault)]) == 1
    out = capsys.readouterr().out
    assert "5 numbers: 3 current, 0 pending" in out and "2 CORRUPT" in out
    assert f"{ids[1]}: corrupt record (the current PIN does not decrypt)" in out
    assert f"{ids[2]}: corrupt record (unknown state)" in out
    assert "vault id " in out and "wrong" not in out.lower()
    assert main(["pins", "show", ids[1], "--vault", str(vault), "--reveal"]) == 1
    captured = capsys.readouterr()
    assert "corrupt record" in captured.err and "META_PIN_KEY" not in captured.err
    assert main(["pins", "show", ids[0], "--vault", str(vault)]) == 0  # the others still read
    # A rotation over them fails only the damaged numbers, sending nothing for them.
    assert (
        main(
            [
                "pins",
                "rotate",
                "--sandbox",
                "--sandbox-numbers",
                "5",
                "--numbers",
                str(numbers),
                "--vault",
                str(vault),
                "--quiet",
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "3 rotated" in out and "2 failed" in out and "corrupt record" in out


# -- Redis: data loss, persistence, claims -------------------------------------------------------


@pytest.mark.redis
def test_after_redis_lost_its_data_status_and_resume_say_so(
    redis_url: str, tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    numbers = numbers_file(tmp_path, 5)
    common = ["--sandbox", "--sandbox-numbers", "5", "--redis", redis_url, "--quiet"]
    assert main(["pins", "rotate", *common, "--numbers", str(numbers)]) == 0
    captured = capsys.readouterr()
    assert "appendonly off" in captured.err  # the test server runs without persistence: warned
    client = redis.Redis.from_url(redis_url)
    client.flushall()  # what a restart without persistence does
    client.close()
    assert main(["pins", "status", "--redis", redis_url]) == 2
    err = capsys.readouterr().err
    assert "lost its data" in err and "0 numbers" not in err
    assert main(["pins", "resume", *common]) == 2  # like status: the vault cannot be used
    captured = capsys.readouterr()
    assert "lost its data" in captured.err and "every number's PIN" not in captured.out
    assert "nothing was resumed" in captured.err


@pytest.mark.redis
def test_nothing_rotated_because_every_claim_is_held_elsewhere_exits_1(
    redis_url: str, tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    numbers = numbers_file(tmp_path, 3)
    common = [
        "--sandbox",
        "--sandbox-numbers",
        "3",
        "--redis",
        redis_url,
        "--quiet",
        "--numbers",
        str(numbers),
    ]
    assert main(["pins", "rotate", *common, "--min-age", "0s"]) == 0
    client = redis.Redis.from_url(redis_url)
    for pid in numbers.read_text().split():
        client.set(f"mca:pins:claim:{pid}", "another-worker", px=600_000)
    client.close()
    capsys.readouterr()
    assert main(["pins", "rotate", *common, "--min-age", "0s", "--claim-wait", "0s"]) == 1
    out = capsys.readouterr().out
    assert "0 rotated" in out and "3 not handled" in out


def held_claims(redis_url: str) -> list[Any]:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return list(client.scan_iter(match="mca:pins:claim:*"))
    finally:
        client.close()


@pytest.mark.redis
def test_a_failed_run_leaves_no_claims_behind(
    redis_url: str,
    tmp_path: Path,
    key: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from meta_cloud_async.rotation.redis_vault import RedisVault

    saves = 0
    real_save = RedisVault.save

    async def failing_save(self: RedisVault, record: PinRecord, *, owner: str | None = None) -> None:
        nonlocal saves
        saves += 1
        if saves > 30:
            raise VaultError("lost Redis: TimeoutError")
        await real_save(self, record, owner=owner)

    monkeypatch.setattr(RedisVault, "save", failing_save)
    numbers = numbers_file(tmp_path, 100)
    common = [
        "--sandbox",
        "--sandbox-numbers",
        "100",
        "--redis",
        redis_url,
        "--quiet",
        "--numbers",
        str(numbers),
    ]
    assert main(["pins", "rotate", *common, "--concurrency", "16"]) == 2
    assert held_claims(redis_url) == []  # the next resume need not wait out the claim TTL
    monkeypatch.setattr(RedisVault, "save", real_save)
    started = time.monotonic()
    assert main(
        [
            "pins",
            "resume",
            "--sandbox",
            "--sandbox-numbers",
            "100",
            "--redis",
            redis_url,
            "--quiet",
            "--claim-ttl",
            "1h",
        ]
    ) in (0, 1)
    assert time.monotonic() - started < 600  # bound only; claim_wait would be 2 h if a claim were left
    assert "claimed by another worker" not in capsys.readouterr().out
