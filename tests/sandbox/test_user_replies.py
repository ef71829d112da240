"""Users answering the business: tapped buttons and list rows (``context``), photos, the typing flag.

What a simulated user needs to press a reply button the bot sent: ``inbound(..., reply_to=)``
puts Meta's ``context`` (``from`` the business number, ``id`` the tapped message) in the
webhook; ``inbound_media`` stores the photo's bytes before the message arrives; and the
log reads incrementally with ``messages(start=)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from meta_cloud_async import WhatsApp
from meta_cloud_async.sandbox import Sandbox, VirtualClock
from meta_cloud_async.sandbox.envelope import GraphError
from meta_cloud_async.webhooks import (
    ImageMessage,
    InteractiveMessage,
    ListReply,
    WebhookContext,
    WebhookRouter,
    parse_webhook,
)

SECRET = "user-replies-secret"
USER = "16505550123"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def _sandbox_with_receiver(
    serve_app: Callable[[web.Application], Any], router: WebhookRouter
) -> tuple[Any, list[bytes]]:
    bodies: list[bytes] = []

    async def endpoint(request: web.Request) -> web.Response:
        body = await request.read()
        bodies.append(body)
        answer = await router.handle("POST", request.query, request.headers, body)
        return web.Response(status=answer.status, body=answer.body)

    app = web.Application()
    app.router.add_post("/webhook", endpoint)
    return serve_app(app), bodies


def _client(sandbox: Sandbox) -> WhatsApp:
    return WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )


async def test_a_tapped_list_row_carries_the_context_of_the_list(serve_app: Any) -> None:
    router = WebhookRouter(app_secret=SECRET)
    picked: list[tuple[str | None, str | None]] = []

    @router.on_message(type="interactive")
    async def on_pick(message: InteractiveMessage, ctx: WebhookContext) -> None:
        assert isinstance(message.reply, ListReply)
        assert message.context is not None
        picked.append((message.reply.id, message.context.id))

    serving, bodies = await _sandbox_with_receiver(serve_app, router)
    async with serving as url:
        sandbox = Sandbox(clock=VirtualClock(), webhook_url=f"{url}/webhook", app_secret=SECRET)
        number = sandbox.phone_number_ids[0]
        async with _client(sandbox) as wa:
            sandbox.inbound(number, USER, "text", {"body": "menu"})
            menu = await wa.messages.send_list(
                USER,
                "Pick one",
                button="Topics",
                sections=[{"title": "All", "rows": [{"id": "returns", "title": "Returns"}]}],
            )
            pick = {"type": "list_reply", "list_reply": {"id": "returns", "title": "Returns"}}
            wamid = sandbox.inbound(number, USER, "interactive", pick, reply_to=menu.id)
            await sandbox.flush_webhooks()
            await router.join()
    assert picked == [("returns", menu.id)]
    messages = [
        m
        for body in bodies
        for entry in json.loads(body)["entry"]
        for change in entry["changes"]
        for m in change["value"].get("messages", [])
    ]
    display = "".join(c for c in sandbox.router.business.phones[number].display_phone_number if c.isdigit())
    assert messages[-1]["id"] == wamid
    assert messages[-1]["context"] == {"from": display, "id": menu.id}
    assert messages[-1]["interactive"] == pick
    assert "context" not in messages[0]  # a message that answers nothing has none


def test_reply_to_must_be_a_message_sent_to_that_user() -> None:
    sandbox = Sandbox(phone_numbers=2, clock=VirtualClock())
    first, second = sandbox.phone_number_ids
    sandbox.inbound(first, USER, "text", {"body": "hi"})
    body = {"messaging_product": "whatsapp", "to": USER, "type": "text", "text": {"body": "hello"}}
    sent = sandbox.messaging.handle(first, body, sandbox.clock())["messages"][0]["id"]
    refusals = [
        (first, USER, "wamid.unknown", "is not a message this sandbox sent"),
        (second, USER, sent, f"was not sent by {second} to {USER}"),
        (first, "16505559999", sent, f"was not sent by {first} to 16505559999"),
    ]
    for number, user, reply_to, why in refusals:
        with pytest.raises(GraphError) as info:
            sandbox.inbound(number, user, "text", {"body": "x"}, reply_to=reply_to)
        assert info.value.code == 100 and why in str(info.value.details)
    assert sandbox.inbound(first, USER, "text", {"body": "ok"}, reply_to=sent).startswith("wamid.")


async def test_the_admin_door_takes_reply_to() -> None:
    sandbox = Sandbox(clock=VirtualClock())
    number = sandbox.phone_number_ids[0]
    sandbox.inbound(number, USER, "text", {"body": "hi"})
    body = {"messaging_product": "whatsapp", "to": USER, "type": "text", "text": {"body": "hello"}}
    sent = sandbox.messaging.handle(number, body, sandbox.clock())["messages"][0]["id"]
    auth = {"Authorization": f"Bearer {sandbox.access_token}"}
    async with sandbox.serve() as base_url, aiohttp.ClientSession(headers=auth) as http:
        payload = {"phone_number_id": number, "from": USER, "type": "text", "text": {"body": "re"}}
        async with http.post(f"{base_url}/_sandbox/inbound", json={**payload, "reply_to": sent}) as r:
            assert r.status == 200
        async with http.post(f"{base_url}/_sandbox/inbound", json={**payload, "reply_to": "nope"}) as r:
            assert r.status == 400
    [record] = [r for r in sandbox.messaging.drain_inbound() if r.reply_to is not None]
    assert record.reply_to == sent


async def test_a_photo_from_a_user_is_downloadable_by_its_id(serve_app: Any) -> None:
    router = WebhookRouter(app_secret=SECRET)
    downloaded: list[bytes] = []

    @router.on_message(type="image")
    async def on_photo(message: ImageMessage, ctx: WebhookContext) -> None:
        downloaded.append(await ctx.download())

    serving, bodies = await _sandbox_with_receiver(serve_app, router)
    async with serving as url:
        sandbox = Sandbox(clock=VirtualClock(), webhook_url=f"{url}/webhook", app_secret=SECRET)
        number = sandbox.phone_number_ids[0]
        async with _client(sandbox) as wa:
            router.client = wa
            sandbox.inbound_media(number, USER, PNG, "image/png", caption="broken lid")
            await sandbox.flush_webhooks()
            await router.join()
    assert downloaded == [PNG]
    [event] = parse_webhook(bodies[0]).events
    assert isinstance(event, ImageMessage)
    assert event.media_object.mime_type == "image/png"
    assert event.media_object.caption == "broken lid"
    assert event.media_object.sha256 == hashlib.sha256(PNG).hexdigest()
    assert sandbox.media.media[event.media_object.id].data == PNG


def test_inbound_media_checks_its_arguments() -> None:
    sandbox = Sandbox()
    number = sandbox.phone_number_ids[0]
    with pytest.raises(ValueError, match="mime_type"):
        sandbox.inbound_media(number, USER, PNG, "image/gif")
    with pytest.raises(ValueError, match="data must be"):
        sandbox.inbound_media(number, USER, b"", "image/png")
    with pytest.raises(ValueError, match="type must be a media message type"):
        sandbox.inbound_media(number, USER, PNG, "image/png", type="text")
    with pytest.raises(KeyError):
        sandbox.inbound_media("nope", USER, PNG, "image/png")


def test_messages_start_reads_only_what_is_new_and_typing_is_recorded() -> None:
    sandbox = Sandbox(clock=VirtualClock())
    number = sandbox.phone_number_ids[0]
    wamid = sandbox.inbound(number, USER, "text", {"body": "hi"})
    send: Callable[[str], Any] = lambda text: sandbox.messaging.handle(  # noqa: E731
        number,
        {"messaging_product": "whatsapp", "to": USER, "type": "text", "text": {"body": text}},
        sandbox.clock(),
    )
    send("one")
    assert sandbox.messaging.sent_count == 1
    send("two")
    assert [r.body["text"]["body"] for r in sandbox.messages(start=1)] == ["two"]
    assert sandbox.messages(start=2) == []
    assert len(sandbox.messages(start=0)) == 2
    with pytest.raises(ValueError, match="start"):
        sandbox.messages(start=-1)
    assert not sandbox.messaging.is_read(wamid) and not sandbox.messaging.showed_typing(wamid)
    sandbox.messaging.handle(
        number, {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}, 0
    )
    assert sandbox.messaging.is_read(wamid) and not sandbox.messaging.showed_typing(wamid)
    sandbox.messaging.handle(
        number,
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": wamid,
            "typing_indicator": {"type": "text"},
        },
        0,
    )
    assert sandbox.messaging.showed_typing(wamid)


def test_free_form_outside_the_window_is_131047_on_the_sandbox_clock() -> None:
    """The window is the sandbox's own rule on its own clock, whatever the client believes."""
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    number = sandbox.phone_number_ids[0]
    body = {"messaging_product": "whatsapp", "to": USER, "type": "text", "text": {"body": "hello"}}
    with pytest.raises(GraphError) as never:
        sandbox.messaging.handle(number, body, clock())
    assert never.value.code == 131047
    sandbox.inbound(number, USER, "text", {"body": "hi"})
    clock.advance(24 * 3600)
    assert sandbox.messaging.handle(number, body, clock())["messages"][0]["id"].startswith("wamid.")
    clock.advance(1)
    with pytest.raises(GraphError) as late:
        sandbox.messaging.handle(number, body, clock())
    assert late.value.code == 131047
    template = {
        "messaging_product": "whatsapp",
        "to": USER,
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
    assert sandbox.messaging.handle(number, template, clock())["messages"][0]["message_status"] == "accepted"
