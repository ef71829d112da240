"""docs/webhooks.md: both complete receivers stay under 20 lines and compile; the README shows the same."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _receivers() -> dict[str, str]:
    text = DOC.read_text()
    out = {}
    for title in ("aiohttp", "FastAPI"):
        section = text.split(f"## A complete receiver: {title}", 1)[1]
        out[title] = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    return out


def test_receivers_are_complete_and_short() -> None:
    for title, code in _receivers().items():
        lines = [line for line in code.splitlines() if line.strip()]
        assert len(lines) < 20, (title, len(lines))
        compile(code, f"<docs {title}>", "exec")
        assert "WebhookRouter(" in code and "app_secret=" in code and "verify_token=" in code


def test_readme_webhooks_section_shows_the_same_receivers() -> None:
    readme = (DOC.parents[1] / "README.md").read_text().split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks == [_receivers()["aiohttp"], _receivers()["FastAPI"]]
    assert "--webhook-url" in readme and "--app-secret" in readme


ENV = {"WA_TOKEN": "doc-token", "APP_SECRET": "doc-secret", "VERIFY_TOKEN": "doc-verify"}


async def _handshake(app: Any, path: str) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "headers": [],
        "query_string": b"hub.mode=subscribe&hub.verify_token=doc-verify&hub.challenge=31337",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1234),
    }
    await app(scope, receive, send)
    return int(sent[0]["status"]), b"".join(m.get("body", b"") for m in sent[1:])


async def test_the_fastapi_receiver_answers_the_handshake(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastapi")
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    namespace: dict[str, Any] = {"__name__": "receiver"}
    exec(compile(_receivers()["FastAPI"], "<docs FastAPI>", "exec"), namespace)
    assert await _handshake(namespace["app"], "/webhook") == (200, b"31337")
    await namespace["router"].aclose()


async def test_the_aiohttp_receiver_builds_its_app(
    monkeypatch: pytest.MonkeyPatch, serve_app: Callable[[web.Application], Any]
) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    apps: list[web.Application] = []
    code = _receivers()["aiohttp"].replace("web.run_app(", "_run_app(")
    namespace: dict[str, Any] = {"__name__": "receiver", "_run_app": lambda app, **kw: apps.append(app)}
    exec(compile(code, "<docs aiohttp>", "exec"), namespace)
    (app,) = apps
    async with serve_app(app) as base, aiohttp.ClientSession() as http:
        query = {"hub.mode": "subscribe", "hub.verify_token": "doc-verify", "hub.challenge": "42"}
        async with http.get(base + "/webhook", params=query) as r:
            assert (r.status, await r.text()) == (200, "42")
