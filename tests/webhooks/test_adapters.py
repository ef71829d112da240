"""Adapter edges without a server: ASGI lifespan, chunked bodies, the cap on streamed bodies."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import meta_cloud_async.webhooks as webhooks
from meta_cloud_async.webhooks import WebhookContext, WebhookRouter, sign

SECRET = "adapter-secret"
TOKEN = "adapter-token"
Serve = Callable[[web.Application], Any]


def _body(i: int) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "metadata": {"phone_number_id": "42"},
                                "messages": [
                                    {
                                        "from": "1",
                                        "id": f"wamid.a{i}",
                                        "timestamp": "1",
                                        "type": "text",
                                        "text": {"body": "x"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


class Asgi:
    """Drive an ASGI app with scripted messages and collect what it sends."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.incoming = list(messages)
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        return self.incoming.pop(0)

    async def send(self, message: Any) -> None:
        self.sent.append(dict(message))

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent[1:])


def _http(
    method: str, path: str, headers: dict[str, str], query: bytes = b"", root_path: str = ""
) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": root_path,
        "query_string": query,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }


async def test_asgi_chunked_post_handshake_and_lifespan() -> None:
    router = WebhookRouter(app_secret=SECRET, verify_token=TOKEN, max_body_bytes=1000)
    got: list[str] = []

    @router.on_message()
    async def handler(event: Any, ctx: WebhookContext) -> None:
        got.append(event.id)

    app = router.asgi_app("/hook/")
    body = _body(1)
    chunks = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.request", "body": body[10:], "more_body": False},
    ]
    call = Asgi(chunks)
    await app(_http("POST", "/hook", {"X-Hub-Signature-256": sign(body, SECRET)}), call.receive, call.send)
    assert call.status == 200
    call = Asgi([])
    query = b"hub.mode=subscribe&hub.verify_token=adapter-token&hub.challenge=c%2B1"
    await app(_http("GET", "/api/hook", {}, query, root_path="/api"), call.receive, call.send)
    assert (call.status, call.body) == (200, b"c+1")
    # Streamed past the cap without a Content-Length: refused as soon as the cap is crossed.
    call = Asgi(
        [
            {"type": "http.request", "body": b"x" * 600, "more_body": True},
            {"type": "http.request", "body": b"x" * 600, "more_body": False},
        ]
    )
    await app(_http("POST", "/hook", {}), call.receive, call.send)
    assert call.status == 413
    call = Asgi([])
    await app(_http("POST", "/hook", {"Content-Length": "5000"}), call.receive, call.send)
    assert call.status == 413
    call = Asgi([{"type": "http.disconnect"}])
    await app(_http("POST", "/hook", {}), call.receive, call.send)
    assert call.sent == []
    await app({"type": "websocket"}, call.receive, call.send)
    life = Asgi([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    await app({"type": "lifespan"}, life.receive, life.send)
    assert [m["type"] for m in life.sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert got == ["wamid.a1"]  # shutdown drained the router


async def test_aiohttp_chunked_body_over_the_cap(serve_app: Serve) -> None:
    router = WebhookRouter(app_secret=SECRET, max_body_bytes=1000)

    async def chunks() -> Any:
        for _ in range(5):
            yield b"x" * 400

    async with serve_app(router.aiohttp_app("/webhook")) as base, aiohttp.ClientSession() as http:
        async with http.post(base + "/webhook", data=chunks()) as r:
            assert r.status == 413
        body = _body(2)

        async def one_chunk() -> Any:
            yield body

        async with http.post(
            base + "/webhook", data=one_chunk(), headers={"X-Hub-Signature-256": sign(body, SECRET)}
        ) as r:
            assert r.status == 200


async def test_aiohttp_sends_every_request_through_an_overridden_handle(serve_app: Serve) -> None:
    # The adapter's direct POST path is for the router as shipped; a subclass's handle sees all.
    seen: list[tuple[str, bytes]] = []

    class Recording(WebhookRouter):
        async def handle(self, method: str, query: Any, headers: Any, body: bytes) -> Any:
            seen.append((method, body))
            return await super().handle(method, query, headers, body)

    router = Recording(app_secret=SECRET)
    body = _body(3)
    async with serve_app(router.aiohttp_app("/webhook")) as base, aiohttp.ClientSession() as http:
        async with http.post(
            base + "/webhook", data=body, headers={"X-Hub-Signature-256": sign(body, SECRET)}
        ) as r:
            assert r.status == 200
        async with http.post(base + "/webhook", data=body, headers={"X-Hub-Signature-256": "sha256=00"}) as r:
            assert r.status == 403
    assert seen == [("POST", body), ("POST", body)]


async def test_no_secret_in_logs_on_any_path(caplog: pytest.LogCaptureFixture) -> None:
    router = WebhookRouter(app_secret=SECRET, verify_token=TOKEN)

    @router.on_message()
    async def boom(event: Any, ctx: WebhookContext) -> None:
        raise RuntimeError("bug")

    with caplog.at_level(logging.DEBUG):
        for headers, body in [
            ({}, _body(1)),
            ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, _body(1)),
            ({"X-Hub-Signature-256": sign(b"junk", SECRET)}, b"junk"),
            ({"X-Hub-Signature-256": sign(_body(3), SECRET)}, _body(3)),
        ]:
            await router.handle("POST", {}, headers, body)
        await router.handle(
            "GET", {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}, {}, b""
        )
        await router.aclose()
    assert "failed for event wamid.a3" in caplog.text
    assert SECRET not in caplog.text and TOKEN not in caplog.text


def test_webhooks_all_is_sorted_and_complete() -> None:
    assert webhooks.__all__ == sorted(set(webhooks.__all__))
    for name in webhooks.__all__:
        assert hasattr(webhooks, name), name
    public = {n for n in vars(webhooks) if not n.startswith("_")}
    modules = {"adapters", "dedupe", "errors", "events", "filters", "parse", "router", "signature", "streams"}
    assert public - set(webhooks.__all__) - modules == set()
    for fixed in (
        "parse_webhook",
        "WebhookPayload",
        "UnknownEvent",
        "WebhookPayloadError",
        "verify_signature",
        "InvalidSignatureError",
        "WebhookRouter",
        "MemoryDedupe",
        "RedisDedupe",
    ):
        assert fixed in webhooks.__all__
    assert issubclass(webhooks.WebhookPayloadError, ValueError)
