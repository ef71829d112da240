"""The documentation site: it builds strictly, its reference lists the whole public surface, and
every public class and method it shows has a docstring.

The build runs ``python -m mkdocs build --strict`` from the repository root into a temporary
directory (mkdocs.yml says ``strict: true`` too), so a broken link, a missing snippet or a reference
that does not resolve fails here, in CI, and not on a reader. The reference is checked through the
site's own ``objects.inv``: a new public name without a reference entry fails the suite.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import types
import typing
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import meta_cloud_async
from meta_cloud_async import WhatsApp
from meta_cloud_async.resources._base import endpoint
from meta_cloud_async.resources._paged import paged_endpoint

ROOT = Path(__file__).resolve().parent.parent

#: The public subpackages and modules, each with a reference page that renders its ``__all__``.
SUBPACKAGES = (
    "errors",
    "flows",
    "middleware",
    "pagination",
    "pins",
    "rotation",
    "sandbox",
    "testing",
    "transports",
    "webhooks",
)
#: Public modules documented another way: the command line in the README and ``--help``; the
#: namespace classes on the Namespaces page, the models on the Models page (both checked below).
NOT_PAGES = {"cli", "resources", "types"}


def _model_modules() -> list[types.ModuleType]:
    """Every public module of ``meta_cloud_async.types``: the Models page renders each."""
    package = importlib.import_module("meta_cloud_async.types")
    return [
        importlib.import_module(f"meta_cloud_async.types.{m.name}")
        for m in pkgutil.iter_modules(package.__path__)
        if not m.name.startswith("_")
    ]


needs_mkdocs = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocstrings") is None,
    reason="the docs extra is not installed: pip install -e '.[docs]'",
)


def _namespaces() -> dict[str, type[Any]]:
    """Every namespace of the client: ``wa.<name>`` -> its class."""
    return {
        name: typing.get_type_hints(prop.func)["return"]
        for name, prop in vars(WhatsApp).items()
        if isinstance(prop, functools.cached_property)
    }


def _is_method(raw: object) -> bool:
    return inspect.isfunction(raw) or isinstance(
        raw, (property, functools.cached_property, staticmethod, classmethod, endpoint, paged_endpoint)
    )


def _public_methods(cls: type[Any]) -> Iterator[tuple[type[Any], str, object]]:
    """(defining class, name, raw attribute) of each public method ``cls`` has from this package."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        if owner is None or not owner.__module__.startswith("meta_cloud_async"):
            continue
        raw = vars(owner)[name]
        if _is_method(raw):
            yield owner, name, raw


def _exported() -> dict[str, object]:
    """Public path -> object, for ``meta_cloud_async.__all__`` and each public subpackage's."""
    found: dict[str, object] = {}

    def add(prefix: str, module: types.ModuleType) -> None:
        for n in module.__all__:
            obj = found[f"{prefix}.{n}"] = getattr(module, n)
            if isinstance(obj, types.ModuleType):  # a submodule exported as a name: its names too
                add(f"{prefix}.{n}", obj)

    add("meta_cloud_async", meta_cloud_async)
    for sub in SUBPACKAGES:
        add(f"meta_cloud_async.{sub}", importlib.import_module(f"meta_cloud_async.{sub}"))
    for module in _model_modules():
        add(module.__name__, module)
    return found


def test_every_public_module_has_a_page_or_a_reason() -> None:
    public = {m.name for m in pkgutil.iter_modules(meta_cloud_async.__path__) if not m.name.startswith("_")}
    assert public == set(SUBPACKAGES) | NOT_PAGES
    for sub in SUBPACKAGES:
        page = (ROOT / "docs" / "reference" / f"{sub}.md").read_text(encoding="utf-8")
        assert f"::: meta_cloud_async.{sub}\n" in page, sub
    models = (ROOT / "docs" / "reference" / "types.md").read_text(encoding="utf-8")
    for module in _model_modules():
        assert f"::: {module.__name__}\n" in models, module.__name__


def _docstring(owner: type[Any], name: str, raw: object) -> str | None:
    if isinstance(raw, (staticmethod, classmethod)):
        raw = raw.__func__
    doc = getattr(raw, "__doc__", None)
    if doc:
        return str(doc)
    for base in owner.__mro__[1:]:  # an override inherits the documentation of what it overrides
        if name in vars(base) and getattr(vars(base)[name], "__doc__", None):
            return str(vars(base)[name].__doc__)
    return None


def test_every_public_class_and_method_has_a_docstring() -> None:
    classes: dict[int, tuple[str, type[Any]]] = {}
    missing: list[str] = []
    for path, obj in _exported().items():
        if inspect.isfunction(obj) and not (obj.__doc__ or "").strip():
            missing.append(path)
        if inspect.isclass(obj) and obj.__module__.startswith("meta_cloud_async"):
            classes.setdefault(id(obj), (path, obj))
    for name, cls in _namespaces().items():
        classes.setdefault(id(cls), (f"wa.{name}", cls))
    for path, cls in classes.values():
        if not (cls.__doc__ or "").strip():
            missing.append(path)
        for owner, name, raw in _public_methods(cls):
            if not (_docstring(owner, name, raw) or "").strip():
                missing.append(f"{owner.__module__}.{owner.__qualname__}.{name}")
    assert sorted(set(missing)) == []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return out


def _inventory(site: Path) -> set[str]:
    """The names the site documents itself (priority 1), not the aliases it also answers to."""
    raw = (site / "objects.inv").read_bytes()
    header, _, compressed = raw.partition(b"compressed using zlib.\n")
    assert header.startswith(b"# Sphinx inventory version 2")
    names = set()
    for line in zlib.decompress(compressed).decode("utf-8").splitlines():
        name, _role, priority, *_ = line.split(" ")
        if priority == "1":
            names.add(name)
    return names


@pytest.mark.slow
@needs_mkdocs
def test_site_builds_strictly_with_every_page(site: Path) -> None:
    for page in (
        "index.html",
        "quickstart/index.html",
        "errors/index.html",
        "reference/namespaces/index.html",
    ):
        assert (site / page).is_file(), page
    # Nothing a reader's browser would fetch from elsewhere: no web fonts, scripts or styles.
    remote = re.compile(r'<(?:link|script)[^>]+(?:href|src)="(?:https?:)?//')
    for html in site.rglob("*.html"):
        assert not remote.search(html.read_text(encoding="utf-8")), html


@pytest.mark.slow
@needs_mkdocs
def test_reference_lists_every_public_name(site: Path) -> None:
    documented = _inventory(site)
    missing = []
    for path, obj in _exported().items():
        if path in documented:
            continue
        # A name the package re-exports is listed once, where its subpackage documents it.
        name = path.rpartition(".")[2]
        homes = [f"meta_cloud_async.{sub}.{name}" for sub in SUBPACKAGES]
        homes += [f"{module.__name__}.{name}" for module in _model_modules()]
        if not any(
            home in documented
            and getattr(importlib.import_module(home.rpartition(".")[0]), name, None) is obj
            for home in homes
        ):
            missing.append(path)
    assert missing == []


@pytest.mark.slow
@needs_mkdocs
def test_reference_lists_every_namespace_method(site: Path) -> None:
    documented = _inventory(site)
    expected = {f"meta_cloud_async.WhatsApp.{name}" for _, name, _ in _public_methods(WhatsApp)}
    for cls in _namespaces().values():
        path = f"{cls.__module__}.{cls.__qualname__}"
        expected.add(path)
        expected |= {f"{path}.{name}" for _, name, _ in _public_methods(cls)}
    assert len(expected) > 200  # the client's methods, 23 namespaces and their methods
    assert sorted(expected - documented) == []


def test_the_errors_guide_classifies_every_code_as_the_code_does() -> None:
    from meta_cloud_async.errors import _BY_CODE, TemplateCreationError, error_from_response
    from meta_cloud_async.testing import graph_error

    rows = [
        line.split("|")[1:3]
        for line in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and line[2].isdigit()
    ]
    listed: set[int] = set()
    for codes, cls in rows:
        name = cls.strip().strip("`")
        subcode = 2388000 if "subcode" in codes else None
        for part in codes.split("with")[0].split(","):
            low, _, high = part.strip().partition("\u2013")  # an en dash: a range of codes
            for code in {int(low), int(high or low)}:
                listed.add(code)
                err = error_from_response(graph_error(code, subcode=subcode))
                assert type(err).__name__ == name, (code, name)
    assert set(_BY_CODE) <= listed
    assert range(2388000, 2389000) == TemplateCreationError.SUBCODES


@pytest.mark.parametrize("page", ["quickstart.md", "testing.md"])
def test_the_guides_complete_examples_run(page: str) -> None:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    complete = [b for b in blocks if "asyncio.run(main())" in b]
    assert complete, page
    for block in complete:
        code = compile(block, f"docs/{page}", "exec")
        exec(code, {"__name__": "docs_example"})
