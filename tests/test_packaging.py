"""Packaging: the wheel and sdist carry what they must, and the editable install is visible to mypy."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("build")
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


def test_wheel_has_the_package_typing_marker_license_and_metadata(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode()
    assert "meta_cloud_async/py.typed" in names
    assert "meta_cloud_async/sandbox/router.py" in names and "meta_cloud_async/webhooks/parse.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    assert "License-Expression: MIT" in text
    assert "Classifier: Typing :: Typed" in text and "Keywords:" in text
    assert "Project-URL: WhatsApp Cloud API, https://developers.facebook.com/docs/whatsapp/cloud-api" in text


def test_sdist_carries_tests_docs_examples_and_license(built: tuple[Path, Path]) -> None:
    _, sdist = built
    with tarfile.open(sdist) as tf:
        names = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    for needed in (
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "tests/conftest.py",
        "tests/conformance/test_openapi_requests.py",
        "tests/conformance/cases/__init__.py",
        "docs/architecture.md",
        "docs/_griffe/docstrings.py",
        "mkdocs.yml",
        "examples/messaging_sandbox.py",
        "benchmarks/run.py",
    ):
        assert needed in names, needed
    assert not any("business-messaging-api" in n for n in names)  # Meta's spec never ships


def test_the_editable_install_is_a_path_entry_mypy_follows(tmp_path: Path) -> None:
    try:
        dist = metadata.distribution("meta-cloud-async")
    except metadata.PackageNotFoundError:
        pytest.skip("meta-cloud-async is not installed")
    direct = dist.read_text("direct_url.json")
    if not direct or not json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("not an editable install")
    user = tmp_path / "user_code.py"
    user.write_text(
        textwrap.dedent(
            """
            from meta_cloud_async import WhatsApp

            async def main(wa: WhatsApp) -> None:
                sent = await wa.messages.send_text("15551234567", "hi")
                wrong: int = sent.id
            """
        )
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "c"),
            str(user),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Cannot find implementation or library stub" not in done.stdout, done.stdout
    assert (
        'Incompatible types in assignment (expression has type "str", variable has type "int")' in done.stdout
    )
