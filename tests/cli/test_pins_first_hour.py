"""What a new user trips over in ``pins``: keys, vault creation, sandbox vaults, status, errors, flags."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from meta_cloud_async import __version__
from meta_cloud_async.cli import build_parser, main
from meta_cloud_async.rotation import PinRecord, SqliteVault, generate_key, key_fingerprint, load_key
from meta_cloud_async.sandbox import Sandbox


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("META_PIN_KEY", raising=False)
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", "test-token")


def keyfile(tmp_path: Path, name: str = "pins.key") -> Path:
    path = tmp_path / name
    assert main(["pins", "keygen", "--out", str(path)]) == 0
    return path


def numbers(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "numbers.txt"
    path.write_text("\n".join(ids) + "\n")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- item 1: the key ---------------------------------------------------------------------------


def test_keygen_out_writes_a_0600_file_and_never_overwrites(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = keyfile(tmp_path)
    out = capsys.readouterr().out
    key = path.read_text().strip()
    assert mode(path) == 0o600
    assert len(load_key(key)) == 32
    assert key not in out and key_fingerprint(load_key(key)) in out and "secrets manager" in out
    assert main(["pins", "keygen", "--out", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text().strip() == key


def test_keygen_to_stdout_warns_on_stderr(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pins", "keygen"]) == 0
    captured = capsys.readouterr()
    key = captured.out.strip()
    assert len(load_key(key)) == 32
    assert "secrets manager" in captured.err and "--out FILE" in captured.err and key not in captured.err


def test_key_file_works_everywhere_and_a_wrong_key_names_the_expected_fingerprint(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = keyfile(tmp_path, "good.key"), keyfile(tmp_path, "bad.key")
    vault = tmp_path / "pins.db"
    assert main(["pins", "init", "--vault", str(vault), "--key-file", str(good)]) == 0
    good_fp = key_fingerprint(load_key(good.read_text()))
    assert f"key fingerprint {good_fp}" in capsys.readouterr().out
    assert main(["pins", "status", "--vault", str(vault), "--key-file", str(good)]) == 0
    assert "0 numbers" in capsys.readouterr().out
    assert main(["pins", "show", "1", "--vault", str(vault), "--key-file", str(good)]) == 1
    capsys.readouterr()
    assert main(["pins", "status", "--vault", str(vault), "--key-file", str(bad)]) == 2
    err = capsys.readouterr().err
    bad_fp = key_fingerprint(load_key(bad.read_text()))
    assert f"expects the key with fingerprint {good_fp}" in err and bad_fp in err
    assert bad.read_text().strip() not in err and good.read_text().strip() not in err


def test_missing_key_names_the_cli_flags_not_the_python_argument(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    vault = tmp_path / "pins.db"
    assert main(["pins", "status", "--vault", str(vault)]) == 2
    err = capsys.readouterr().err
    assert "--key-file" in err and "META_PIN_KEY" in err and "key=" not in err


def test_an_unreadable_key_file_is_one_line_exit_2(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pins", "init", "--vault", str(tmp_path / "v.db"), "--key-file", str(tmp_path / "no")]) == 2
    assert "cannot read the key file" in capsys.readouterr().err
    assert not (tmp_path / "v.db").exists()


# -- item 2: creating a vault is explicit -----------------------------------------------------------


def test_a_mistyped_vault_is_an_error_and_creates_nothing(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keyfile(tmp_path)
    real = tmp_path / "pins.db"
    assert main(["pins", "init", "--vault", str(real), "--key-file", str(key)]) == 0
    typo = tmp_path / "pnis.db"
    ids = numbers(tmp_path, ["1001"])
    for command in (
        ["pins", "rotate", "--numbers", str(ids)],
        ["pins", "resume"],
        ["pins", "status"],
        ["pins", "show", "1001"],
    ):
        assert main([*command, "--vault", str(typo), "--key-file", str(key)]) == 2, command
        err = capsys.readouterr().err
        assert f"no vault at {typo}" in err and "pins init" in err
    missing_dir = tmp_path / "nodir" / "pins.db"
    args = ["--vault", str(missing_dir), "--key-file", str(key)]
    assert main(["pins", "rotate", "--create", "--numbers", str(ids), *args]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not typo.exists() and not missing_dir.parent.exists()


def test_init_creates_a_0600_vault_and_refuses_an_existing_file(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keyfile(tmp_path)
    vault = tmp_path / "pins.db"
    assert main(["pins", "init", "--vault", str(vault), "--key-file", str(key)]) == 0
    assert mode(vault) == 0o600
    for extra in ("-wal", "-shm"):
        side = Path(str(vault) + extra)
        assert not side.exists() or mode(side) == 0o600
    before = vault.read_bytes()
    assert main(["pins", "init", "--vault", str(vault), "--key-file", str(key)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert vault.read_bytes() == before


def test_rotate_create_makes_the_vault_and_rotates(
    tmp_path: Path, env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keyfile(tmp_path)
    vault = tmp_path / "pins.db"
    # A local sandbox behind --base-url stands in for Meta: a real (not --sandbox) run.
    sandbox = Sandbox(phone_numbers=3, seed=1)
    ids = numbers(tmp_path, sandbox.phone_number_ids)
    monkeypatch.setenv("CLOUD_API_ACCESS_TOKEN", sandbox.access_token)

    async def go() -> int:
        async with sandbox.serve("127.0.0.1", 0) as base_url:
            args = ["--numbers", str(ids), "--vault", str(vault), "--key-file", str(key), "--quiet"]
            return await asyncio.to_thread(
                main, ["pins", "rotate", "--create", "--base-url", base_url, *args]
            )

    assert asyncio.run(go()) == 0
    out = capsys.readouterr().out
    assert "3 rotated" in out and "SANDBOX" not in out
    assert mode(vault) == 0o600


# -- item 3: sandbox runs ---------------------------------------------------------------------------


def test_sandbox_runs_use_their_own_marked_vault_and_take_a_seed(
    tmp_path: Path, env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    key = keyfile(tmp_path)
    report = tmp_path / "report.json"
    args = ["--sandbox", "--sandbox-numbers", "4", "--seed", "3", "--key-file", str(key)]
    assert main(["pins", "rotate", *args, "--report", str(report), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "SANDBOX run" in out
    assert f"pins show PHONE_NUMBER_ID --vault pins-sandbox.db --key-file {key} --reveal" in out
    assert Path("pins-sandbox.db").exists() and not Path("pins.db").exists()
    data = json.loads(report.read_text())
    assert data["sandbox"] is True and "--vault pins-sandbox.db" in data["pin_location"]
    assert {n["phone_number_id"] for n in data["numbers"]} == set(
        Sandbox(phone_numbers=4, seed=3).phone_number_ids
    )
    assert main(["pins", "status", "--sandbox", "--key-file", str(key)]) == 0
    assert "SANDBOX vault" in capsys.readouterr().out
    # A real run never writes into a sandbox vault, nor a sandbox run into a real one.
    ids = numbers(tmp_path, ["1001"])
    assert (
        main(["pins", "rotate", "--numbers", str(ids), "--vault", "pins-sandbox.db", "--key-file", str(key)])
        == 2
    )
    assert "is a sandbox vault" in capsys.readouterr().err
    assert main(["pins", "init", "--vault", "pins.db", "--key-file", str(key)]) == 0
    assert main(["pins", "rotate", *args, "--vault", "pins.db"]) == 2
    assert "holds real PINs" in capsys.readouterr().err


# -- item 5: without the vault extra ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["status", "rotate"])
def test_without_cryptography_rotate_and_status_are_one_line_exit_2(
    tmp_path: Path,
    env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    key = keyfile(tmp_path)
    vault = tmp_path / "pins.db"
    assert main(["pins", "init", "--vault", str(vault), "--key-file", str(key)]) == 0
    capsys.readouterr()
    # A None entry in sys.modules makes the import fail as if `cryptography` were not installed.
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers.aead", None)
    extra = ["--sandbox", "--sandbox-numbers", "2"] if command == "rotate" else []
    assert main(["pins", command, *extra, "--vault", str(vault), "--key-file", str(key)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "meta-cloud-async[cli]" in err


# -- item 6: status tells the truth ---------------------------------------------------------------


def test_status_counts_never_rotated_numbers_apart_and_gives_a_pasteable_resume(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keyfile(tmp_path)
    vault_path = tmp_path / "pins.db"

    async def seed() -> None:
        async with SqliteVault(vault_path, key=load_key(key.read_text())) as vault:
            await vault.save(PinRecord(phone_number_id="1", current="482913"))
            await vault.save(PinRecord(phone_number_id="2", last_error="rejected"))  # never rotated
            await vault.save(PinRecord(phone_number_id="3", current="482913").begin("739164", 1.0))

    asyncio.run(seed())
    assert main(["pins", "status", "--vault", str(vault_path), "--key-file", str(key)]) == 0
    out = capsys.readouterr().out
    assert "3 numbers: 1 current, 1 pending (0 flagged), 1 never rotated" in out
    assert f"pins resume --vault {vault_path} --key-file {key}" in out


def test_status_during_a_live_run_says_so_instead_of_advising_resume(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keyfile(tmp_path)
    vault_path = tmp_path / "pins.db"
    raw = load_key(key.read_text())

    async def seed() -> None:
        async with SqliteVault(vault_path, key=raw) as vault:
            await vault.save(PinRecord(phone_number_id="3", current="482913").begin("739164", 1.0))

    asyncio.run(seed())
    holder = SqliteVault(vault_path, key=raw)  # the writer a running rotation holds
    holder.open_sync()
    try:
        assert main(["pins", "status", "--vault", str(vault_path), "--key-file", str(key)]) == 0
    finally:
        holder.close_sync()
    out = capsys.readouterr().out
    assert "rotation is in progress" in out and "needs attention" not in out


# -- item 7: flags -----------------------------------------------------------------------------


def test_a_flag_typo_shows_the_subcommand_usage_and_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["pins", "rotate", "--vualt", "x.db"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: meta-cloud-async pins rotate" in err and "did you mean --vault" in err
    with pytest.raises(SystemExit):
        main(["pins", "rotat"])
    err = capsys.readouterr().err
    assert "usage: meta-cloud-async pins" in err and "did you mean 'rotate'" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"meta-cloud-async {__version__}"


def test_help_has_no_rest_markup() -> None:
    parser = build_parser()
    seen = 0
    stack = [parser]
    while stack:
        current = stack.pop()
        text = current.format_help()
        assert "``" not in text and ":func:" not in text, current.prog
        seen += 1
        for action in current._actions:
            choices = getattr(action, "choices", None)
            if isinstance(choices, dict):
                stack.extend(choices.values())
    assert seen >= 9  # top, sandbox, pins and its six subcommands, demo


def test_key_generated_by_library_and_cli_have_the_same_fingerprint_shape() -> None:
    fp = key_fingerprint(load_key(generate_key()))
    assert len(fp) == 8 and all(c in "0123456789abcdef" for c in fp)


@pytest.mark.slow
def test_without_cryptography_installed_at_all_status_is_one_line_exit_2(tmp_path: Path) -> None:
    import subprocess

    # `cryptography` blocked before anything imports it: what a plain `pip install meta-cloud-async` has.
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from meta_cloud_async.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    vault = tmp_path / "pins.db"
    vault.write_bytes(b"")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "META_PIN_KEY": generate_key()}
    proc = subprocess.run(
        [sys.executable, "-c", code, "pins", "status", "--vault", str(vault)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "meta-cloud-async[cli]" in proc.stderr


@pytest.mark.redis
def test_init_on_redis_creates_once_and_rotate_needs_it(
    redis_url: str, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    key = keyfile(tmp_path)
    ids = numbers(tmp_path, ["1001"])
    args = ["--redis", redis_url, "--key-file", str(key)]
    assert main(["pins", "rotate", "--numbers", str(ids), *args]) == 2
    assert "no PIN vault" in capsys.readouterr().err
    assert main(["pins", "init", *args]) == 0
    assert "created the vault" in capsys.readouterr().out
    assert main(["pins", "init", *args]) == 2
    assert "already a vault" in capsys.readouterr().err
    assert main(["pins", "status", *args]) == 0
    assert "0 numbers" in capsys.readouterr().out
