"""Meta's OpenAPI document (never stored in this repository), parsed once per test session.

It is read from ``$META_OPENAPI_SPEC`` or ``<repo>/../shared/openapi/``; when
neither exists, every test that asks for the ``spec`` fixture (request
conformance, sandbox response contract) is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

SPEC_NAME = "business-messaging-api_v23.0.yaml"
REPO = Path(__file__).resolve().parents[1]


def spec_path() -> Path:
    configured = os.environ.get("META_OPENAPI_SPEC")
    return Path(configured) if configured else REPO.parent / "shared" / "openapi" / SPEC_NAME


class Spec:
    """The parsed document plus lookups the tests need, with ``$ref`` resolved in-document."""

    URI = "urn:meta-openapi"

    def __init__(self, document: dict[str, Any]) -> None:
        from jsonschema.validators import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.document = document
        self._validator_cls = Draft202012Validator
        # OpenAPI 3.1 schemas are JSON Schema 2020-12; register the whole document so
        # "#/components/schemas/..." references resolve inside it.
        self._registry = Registry().with_resource(self.URI, Resource.from_contents(document, DRAFT202012))
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {}
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    self.operations[operation["operationId"]] = (method.upper(), path, operation)

    def deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].removeprefix("#/").split("/")
            target: Any = self.document
            for part in pointer:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def schema_errors(self, instance: Any, schema: dict[str, Any]) -> list[str]:
        """Messages for ``instance`` against a schema from the document (its ``$ref``s resolved there)."""
        validator = self._validator_cls(self._rebase(schema), registry=self._registry)
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def _rebase(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (
                    self.URI + v
                    if k == "$ref" and isinstance(v, str) and v.startswith("#")
                    else self._rebase(v)
                )
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [self._rebase(v) for v in node]
        return node


@pytest.fixture(scope="session")
def spec() -> Spec:
    yaml = pytest.importorskip("yaml")
    pytest.importorskip("jsonschema")
    path = spec_path()
    if not path.is_file():
        pytest.skip(f"Meta OpenAPI document not found at {path} (set META_OPENAPI_SPEC)")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=loader)
    assert str(document.get("openapi", "")).startswith("3.1"), "these checks assume OpenAPI 3.1"
    return Spec(document)


ServeApp = Callable[[web.Application], contextlib.AbstractAsyncContextManager[str]]


@contextlib.asynccontextmanager
async def _serve_app(app: web.Application) -> AsyncIterator[str]:
    """Run ``app`` on a free port of 127.0.0.1 and yield its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
def serve_app() -> ServeApp:
    """``async with serve_app(app) as base_url:`` a local server of ours for one test."""
    return _serve_app


# -- a throwaway redis-server ------------------------------------------------------------
# Without the binary the Redis tests skip, except under CI (env ``CI`` set), where a missing
# redis-server is a failure: CI installs it, so its absence means the Redis paths went untested.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a fresh redis-server (no persistence) for this test session."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed but CI is set: the Redis tests must run in CI")
        pytest.skip("redis-server not installed (apt-get install redis-server); Redis tests skipped")
    workdir: Path = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--protected-mode",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """The session server, flushed before each test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    yield redis_server
