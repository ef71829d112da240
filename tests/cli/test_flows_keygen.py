"""``meta-cloud-async flows keygen``: a usable pair, files 0600, no private key where it shouldn't be."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from meta_cloud_async.cli import main

pytest.importorskip("cryptography")

from meta_cloud_async.flows import load_private_key, load_public_key


def test_prints_a_pair_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "keygen"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    private_pem = out[: out.index("-----BEGIN PUBLIC KEY-----")]
    public_pem = out[len(private_pem) :]
    key = load_private_key(private_pem)
    assert key.public_key().public_numbers() == load_public_key(public_pem).public_numbers()
    assert key.key_size == 2048


def test_writes_files_0600_and_prints_only_the_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse battery\n")
    assert main(["flows", "keygen", "--out", str(tmp_path), "--passphrase-file", str(secret)]) == 0
    out, err = capsys.readouterr()
    private_file, public_file = tmp_path / "flow_private_key.pem", tmp_path / "flow_public_key.pem"
    for path in (private_file, public_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private_pem = private_file.read_text()
    assert "ENCRYPTED PRIVATE KEY" in private_pem
    assert "PRIVATE KEY" not in out and "PRIVATE KEY" not in err
    assert public_file.read_text() in out
    with pytest.raises(ValueError):
        load_private_key(private_pem)  # needs the passphrase
    key = load_private_key(private_pem, "correct horse battery")
    assert key.public_key().public_numbers() == load_public_key(public_file.read_text()).public_numbers()


def test_refuses_to_overwrite_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "keygen", "--out", str(tmp_path)]) == 0
    before = (tmp_path / "flow_private_key.pem").read_bytes()
    capsys.readouterr()
    assert main(["flows", "keygen", "--out", str(tmp_path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "flow_private_key.pem").read_bytes() == before
    assert main(["flows", "keygen", "--out", str(tmp_path / "missing")]) == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    assert main(["flows", "keygen", "--passphrase-file", str(empty)]) == 2
    assert main(["flows", "keygen", "--passphrase-file", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert "empty" in err and "cannot read" in err
