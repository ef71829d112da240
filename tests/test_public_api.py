"""The public surface: one sorted, complete ``__all__``, and typing shipped."""

from __future__ import annotations

import ast
import importlib
import importlib.resources
import inspect
from pathlib import Path

import meta_cloud_async

INIT = Path(meta_cloud_async.__file__)


def test_all_is_sorted() -> None:
    assert meta_cloud_async.__all__ == sorted(meta_cloud_async.__all__)


def test_all_has_no_duplicates() -> None:
    assert len(set(meta_cloud_async.__all__)) == len(meta_cloud_async.__all__)


def test_every_entry_is_importable() -> None:
    for name in meta_cloud_async.__all__:
        assert hasattr(meta_cloud_async, name), name
        exec(f"from meta_cloud_async import {name}", {})


def test_all_is_complete() -> None:
    """Every public name the package module binds (imports included) is exported."""
    tree = ast.parse(INIT.read_text())
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            bound.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Assign):
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    # Names exported lazily (``_LAZY``, resolved by the module's ``__getattr__``) count as bound.
    bound.update(meta_cloud_async._LAZY)
    public = {name for name in bound if not name.startswith("_")} | {"__version__"}
    assert public - set(meta_cloud_async.__all__) == set()
    assert set(meta_cloud_async.__all__) - public == set()


def test_runtime_namespace_has_no_stray_public_names() -> None:
    stray = {
        name
        for name, value in vars(meta_cloud_async).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name not in meta_cloud_async.__all__
    }
    assert stray == set()


def test_issue_contract_names() -> None:
    from meta_cloud_async import GraphAPIError, Request, Response, RetryPolicy, WhatsApp  # noqa: F401
    from meta_cloud_async.testing import MockTransport, disable_retries  # noqa: F401

    assert meta_cloud_async.MockTransport is MockTransport


def test_version_is_semver() -> None:
    parts = meta_cloud_async.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_py_typed_ships() -> None:
    assert importlib.resources.files("meta_cloud_async").joinpath("py.typed").is_file()
    # hatchling ships every file of the package directory; tests/test_packaging.py checks the wheel.
    pyproject = (INIT.parent.parent / "pyproject.toml").read_text()
    assert 'packages = ["meta_cloud_async"]' in pyproject


def test_submodule_alls_resolve() -> None:
    for module_name in (
        "meta_cloud_async.errors",
        "meta_cloud_async.pins",
        "meta_cloud_async.testing",
        "meta_cloud_async.pagination",
        "meta_cloud_async.middleware",
        "meta_cloud_async.resources",
        "meta_cloud_async.types.shared",
        "meta_cloud_async.types.phone_numbers",
        "meta_cloud_async.types.registration",
        "meta_cloud_async.types.two_step_verification",
    ):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_webhook_names_are_exported_without_importing_aiohttp_web_or_redis() -> None:
    import subprocess
    import sys

    code = (
        "import sys, meta_cloud_async as m\n"
        "assert 'meta_cloud_async.webhooks' not in sys.modules\n"
        "r = m.WebhookRouter\n"
        "from meta_cloud_async.webhooks import WebhookRouter, parse_webhook\n"
        "assert r is WebhookRouter and m.parse_webhook is parse_webhook\n"
        "assert 'aiohttp.web' not in sys.modules and 'redis' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_every_namespace_and_public_method_has_a_docstring() -> None:
    """``help(wa.<namespace>)`` must say something for every call."""
    from functools import cached_property

    from meta_cloud_async import MockTransport, Response, WhatsApp

    wa = WhatsApp(
        access_token="t", phone_number_id="1", transport=MockTransport(lambda r: Response(status_code=200))
    )
    missing = []
    for name, attr in inspect.getmembers(type(wa)):
        if not isinstance(attr, cached_property):
            continue
        namespace = getattr(wa, name)
        if not (type(namespace).__doc__ or "").strip():
            missing.append(type(namespace).__name__)
        for method_name in dir(namespace):
            method = getattr(namespace, method_name)
            if not method_name.startswith("_") and callable(method) and not (method.__doc__ or "").strip():
                missing.append(f"wa.{name}.{method_name}")
    assert not missing, missing
