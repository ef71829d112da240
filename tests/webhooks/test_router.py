"""The router core through ``handle``: handshake, refusals, ack-first queueing, dedupe, dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async.webhooks import (
    Event,
    ImageMessage,
    MemoryDedupe,
    StatusEvent,
    TextMessage,
    WebhookContext,
    WebhookRouter,
    filters,
    sign,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """One of our fixture bodies (built from Meta's documented shapes), as raw bytes."""
    return (FIXTURES / f"{name}.json").read_bytes()


SECRET = "s3cret-app"
TOKEN = "verify-me"


def headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, secret), "Content-Type": "application/json"}


def text_body(i: int, body: str = "hi", sender: str = "16465550100", pid: str = "400000000000001") -> bytes:
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
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "1555", "phone_number_id": pid},
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": f"wamid.{i}",
                                        "timestamp": "1760000000",
                                        "type": "text",
                                        "text": {"body": body},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def test_fails_closed_without_an_app_secret(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ValueError, match="app_secret"):
        WebhookRouter(app_secret=None)
    with pytest.raises(ValueError, match="app_secret"):
        WebhookRouter(app_secret="")
    with caplog.at_level(logging.WARNING, logger="meta_cloud_async.webhooks"):
        WebhookRouter(app_secret=None, insecure_skip_signature=True)
    assert "signature checks are OFF" in caplog.text


def test_secret_and_token_never_in_repr() -> None:
    router = WebhookRouter(app_secret=SECRET, verify_token=TOKEN)
    assert SECRET not in repr(router) and TOKEN not in repr(router)
    assert SECRET not in str(vars(router).get("client"))


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "12345"}, 200, b"12345"),
        ({"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "12345"}, 403, b"forbidden"),
        ({"hub.mode": "unsubscribe", "hub.verify_token": TOKEN, "hub.challenge": "12345"}, 403, b"forbidden"),
        ({"hub.mode": "subscribe", "hub.challenge": "12345"}, 403, b"forbidden"),
        ({"hub.mode": "subscribe", "hub.verify_token": TOKEN}, 403, b"forbidden"),
        ({}, 403, b"forbidden"),
    ],
)
async def test_handshake(query: dict[str, str], status: int, body: bytes) -> None:
    router = WebhookRouter(app_secret=SECRET, verify_token=TOKEN)
    resp = await router.handle("GET", query, {}, b"")
    assert (resp.status, resp.body) == (status, body)
    # A query given as pairs works too (e.g. a framework's multi-dict items()).
    resp = await router.handle("get", list(query.items()), {}, b"")
    assert resp.status == status


async def test_handshake_without_a_configured_token_is_refused() -> None:
    router = WebhookRouter(app_secret=SECRET)
    resp = await router.handle(
        "GET", {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}, {}, b""
    )
    assert resp.status == 403


async def test_post_refusals() -> None:
    router = WebhookRouter(app_secret=SECRET, max_body_bytes=10_000)
    body = text_body(1)
    assert (await router.handle("POST", {}, {}, body)).status == 401
    assert (await router.handle("POST", {}, {"X-Hub-Signature-256": ""}, body)).status == 401
    assert (await router.handle("POST", {}, headers(body, "wrong"), body)).status == 403
    assert (await router.handle("POST", {}, {"X-Hub-Signature-256": "sha1=abc"}, body)).status == 403
    big = b" " * 10_001
    assert (await router.handle("POST", {}, headers(big), big)).status == 413
    junk = b"not json"
    assert (await router.handle("POST", {}, headers(junk), junk)).status == 400
    assert (await router.handle("PUT", {}, headers(body), body)).status == 405
    # Header names are case-insensitive, in a dict or as pairs.
    lower = {"x-hub-signature-256": sign(body, SECRET)}
    assert (await router.handle("POST", {}, lower, body)).status == 200
    two = text_body(2)
    assert (await router.handle("POST", {}, [("X-HUB-SIGNATURE-256", sign(two, SECRET))], two)).status == 200
    await router.aclose()


async def test_ack_first_then_handlers_each_event_once() -> None:
    router = WebhookRouter(app_secret=SECRET)
    seen: list[str] = []
    gate = asyncio.Event()

    @router.on_message(type="text")
    async def on_text(event: TextMessage, ctx: WebhookContext) -> None:
        await gate.wait()
        seen.append(event.id)

    body = fixture_bytes("batched")
    resp = await router.handle("POST", {}, headers(body), body)
    assert resp.status == 200 and seen == []  # answered before any handler finished
    assert router.backlog == 7  # all 7 items are queued, whether or not a handler matches
    again = await router.handle("POST", {}, headers(body), body)  # Meta redelivers
    assert again.status == 200
    gate.set()
    await router.join()
    assert sorted(seen) == ["wamid.B1", "wamid.B2"]  # once each, despite the redelivery
    assert router.backlog == 0
    await router.aclose()


async def test_every_matching_handler_runs_and_a_failure_changes_nothing_else(
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = WebhookRouter(app_secret=SECRET)
    calls: list[tuple[str, str]] = []

    @router.on_message()
    async def boom(event: Event, ctx: WebhookContext) -> None:
        raise RuntimeError("handler bug")

    @router.on_message(text="hello")
    async def exact(event: TextMessage, ctx: WebhookContext) -> None:
        calls.append(("exact", event.id))

    @router.on_message(regex=r"^or\w+")
    async def rx(event: TextMessage, ctx: WebhookContext) -> None:
        calls.append(("regex", event.id))

    @router.on_message(sender="16465550999")
    async def from_bob(event: TextMessage, ctx: WebhookContext) -> None:
        calls.append(("sender", event.id))

    @router.on_message(phone_number_id="400000000000002")
    async def second_number(event: TextMessage, ctx: WebhookContext) -> None:
        calls.append(("number", event.id))

    @router.on_status(status=["read"])
    async def read(event: StatusEvent, ctx: WebhookContext) -> None:
        calls.append(("read", event.id))

    @router.on(ImageMessage)
    async def image(event: ImageMessage, ctx: WebhookContext) -> None:
        calls.append(("image", event.id))

    @router.on_message(filters.text(contains="ORD", ignore_case=True) & ~filters.sender("16465550999"))
    async def composed(event: TextMessage, ctx: WebhookContext) -> None:
        calls.append(("composed", event.id))

    bodies = [
        text_body(1, "hello"),
        text_body(2, "order 7"),
        text_body(3, "order 8", sender="16465550999"),
        text_body(4, "x", pid="400000000000002"),
        fixture_bytes("status_read"),
        fixture_bytes("status_delivered"),
        fixture_bytes("message_image"),
    ]
    with caplog.at_level(logging.ERROR, logger="meta_cloud_async.webhooks"):
        for body in bodies:
            assert (await router.handle("POST", {}, headers(body), body)).status == 200
        await router.join()
    assert sorted(calls) == sorted(
        [
            ("exact", "wamid.1"),
            ("regex", "wamid.2"),
            ("composed", "wamid.2"),
            ("regex", "wamid.3"),
            ("sender", "wamid.3"),
            ("number", "wamid.4"),
            ("read", "wamid.SENT1"),
            ("image", "wamid.TEST-image"),
        ]
    )
    failures = [r for r in caplog.records if "failed for event" in r.getMessage()]
    assert {r.getMessage().split()[-1] for r in failures} == {
        "wamid.1",
        "wamid.2",
        "wamid.3",
        "wamid.4",
        "wamid.TEST-image",
    }
    await router.aclose()


async def test_full_queue_answers_503_and_releases_nothing_claimed() -> None:
    router = WebhookRouter(app_secret=SECRET, max_queue=2, concurrency=1)
    gate = asyncio.Event()

    @router.on_message()
    async def slow(event: Event, ctx: WebhookContext) -> None:
        await gate.wait()

    for i in range(2):
        body = text_body(i)
        assert (await router.handle("POST", {}, headers(body), body)).status == 200
    body = text_body(99)
    assert (await router.handle("POST", {}, headers(body), body)).status == 503
    gate.set()
    await router.join()
    # The refused delivery was not marked as seen: Meta's redelivery is accepted and handled.
    assert (await router.handle("POST", {}, headers(body), body)).status == 200
    await router.aclose()


async def test_aclose_drains_then_refuses() -> None:
    router = WebhookRouter(app_secret=SECRET, concurrency=2)
    done: list[str] = []

    @router.on_message()
    async def handler(event: TextMessage, ctx: WebhookContext) -> None:
        await asyncio.sleep(0)
        done.append(event.id)

    for i in range(10):
        body = text_body(i)
        await router.handle("POST", {}, headers(body), body)
    await router.aclose()
    assert len(done) == 10
    body = text_body(100)
    assert (await router.handle("POST", {}, headers(body), body)).status == 503


async def test_dedupe_store_failure_answers_503() -> None:
    class Broken:
        async def claim(self, keys: Any) -> list[bool]:
            raise ConnectionError("down")

        async def release(self, keys: Any) -> None:
            return None

    router = WebhookRouter(app_secret=SECRET, dedupe=Broken())
    body = text_body(1)
    assert (await router.handle("POST", {}, headers(body), body)).status == 503
    assert router.backlog == 0


async def test_insecure_router_accepts_unsigned() -> None:
    router = WebhookRouter(app_secret=None, insecure_skip_signature=True)
    got: list[str] = []

    @router.on_message()
    async def handler(event: TextMessage, ctx: WebhookContext) -> None:
        got.append(event.id)

    body = text_body(5)
    assert (await router.handle("POST", {}, {}, body)).status == 200
    await router.aclose()
    assert got == ["wamid.5"]


def test_registration_errors() -> None:
    router = WebhookRouter(app_secret=SECRET)
    with pytest.raises(TypeError, match="async"):
        router.on_message()(lambda e, c: None)  # type: ignore[type-var]
    with pytest.raises(TypeError, match="Event class"):
        router.on(int)
    with pytest.raises(TypeError, match="callables"):
        router.on_message("text")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WebhookRouter(app_secret=SECRET, max_queue=0)


async def test_memory_dedupe_ttl_and_bound() -> None:
    now = [0.0]
    store = MemoryDedupe(ttl=10, max_keys=3, clock=lambda: now[0])
    assert await store.claim(["a", "b", "a"]) == [True, True, False]
    now[0] = 5
    assert await store.claim(["a", "c"]) == [False, True]
    now[0] = 10.5  # a and b expired (claimed at 0); c is still fresh
    assert await store.claim(["a", "b", "c"]) == [True, True, False]
    assert await store.claim(["d", "e"]) == [True, True]
    assert len(store) == 3  # bounded: the oldest keys were dropped
    await store.release(["e"])
    assert await store.claim(["e"]) == [True]
    with pytest.raises(ValueError):
        MemoryDedupe(ttl=0)


def test_filters_compose() -> None:
    from meta_cloud_async.webhooks import parse_webhook

    (msg,) = parse_webhook(text_body(1, "Order now")).events
    (status,) = parse_webhook(fixture_bytes("status_failed")).events
    assert filters.message_type("text")(msg) and not filters.message_type("image")(msg)
    assert (filters.regex(re.compile("now$")) | filters.sender("x"))(msg)
    assert not (filters.regex("later") & filters.sender("16465550100"))(msg)
    assert filters.status("failed")(status) and not filters.status("failed")(msg)
    assert filters.phone_number("400000000000001")(status)
    assert "regex" in repr(filters.regex("a") & filters.text())
