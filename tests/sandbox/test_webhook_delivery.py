"""The sandbox calls a live receiver back: a WebhookRouter on 127.0.0.1 gets signed, Meta-shaped POSTs.

End to end: an inbound message reaches a handler, the handler replies through a client on the
sandbox, the reply is in the sandbox's log and its statuses come back as webhooks. Then each
delivery knob: duplicates (the router's dedupe handles each once), batching (every item
arrives), retries while the receiver answers 500, a receiver with the wrong secret (403,
counted and retried), and out-of-order statuses. Time is a VirtualClock: retries and status
progression take no real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from meta_cloud_async import WhatsApp
from meta_cloud_async.sandbox import FaultConfig, Sandbox, VirtualClock, WebhookFaults
from meta_cloud_async.sandbox.templates_state import TemplatesState
from meta_cloud_async.webhooks import (
    InvalidSignatureError,
    MessageTemplateStatusUpdateEvent,
    StatusEvent,
    TextMessage,
    WebhookContext,
    WebhookResponse,
    WebhookRouter,
    parse_webhook,
    verify_signature,
)

SECRET = "delivery-app-secret"
USER = "16505551234"


class RecordingRouter(WebhookRouter):
    """The router, recording each POST's raw body, signature and answer; can answer 500 first."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bodies: list[bytes] = []
        self.signatures: list[str | None] = []
        self.answers: list[int] = []
        self.fail_first = 0  # answer 500 to this many POSTs before handling them
        self.hang_first = 0  # hold this many POSTs unanswered until ``release`` is set
        self.release = asyncio.Event()

    async def handle(self, method: str, query: Any, headers: Any, body: bytes) -> WebhookResponse:
        if method == "POST":
            self.bodies.append(body)
            self.signatures.append(headers.get("X-Hub-Signature-256"))
            if self.hang_first > 0:
                self.hang_first -= 1
                self.answers.append(0)
                await self.release.wait()
                return WebhookResponse(200, b"too late")
            if self.fail_first > 0:
                self.fail_first -= 1
                self.answers.append(500)
                return WebhookResponse(500, b"try later")
        response = await super().handle(method, query, headers, body)
        if method == "POST":
            self.answers.append(response.status)
        return response


class Receiver:
    """A real aiohttp server on 127.0.0.1 running the router's aiohttp adapter."""

    def __init__(self, router: RecordingRouter) -> None:
        self.router = router
        self.url = ""

    @property
    def bodies(self) -> list[bytes]:
        return self.router.bodies

    @property
    def signatures(self) -> list[str | None]:
        return self.router.signatures

    @property
    def answers(self) -> list[int]:
        return self.router.answers

    @contextlib.asynccontextmanager
    async def start(self) -> AsyncIterator[Receiver]:
        runner = web.AppRunner(self.router.aiohttp_app(path="/webhook"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/webhook"
        try:
            yield self
        finally:
            await runner.cleanup()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """The receiver's URL is known only once it listens, so the sandbox is built in each test."""
    async with Receiver(RecordingRouter(app_secret=SECRET, verify_token="t")).start() as recv:
        yield recv


def _sandbox(url: str, faults: str | None = None, **kwargs: Any) -> Sandbox:
    return Sandbox(
        phone_numbers=2,
        seed=3,
        clock=VirtualClock(0.0),
        webhook_url=url,
        app_secret=kwargs.pop("app_secret", SECRET),
        faults=faults,
        **kwargs,
    )


@contextlib.asynccontextmanager
async def _client(sandbox: Sandbox) -> AsyncIterator[WhatsApp]:
    wa = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    try:
        yield wa
    finally:
        await wa.aclose()


def _items(bodies: list[bytes]) -> list[dict[str, Any]]:
    """Every message and status item in the bodies, independently of the SDK's parser."""
    out: list[dict[str, Any]] = []
    for body in bodies:
        data = json.loads(body)
        for entry in data["entry"]:
            for change in entry["changes"]:
                value = change["value"]
                out.extend(value.get("messages", []))
                out.extend(value.get("statuses", []))
    return out


async def test_end_to_end_inbound_reply_and_its_statuses(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url)
    phone = sandbox.phone_number_ids[0]
    texts: list[str] = []
    statuses: list[tuple[str, str]] = []
    replies: list[str] = []

    @receiver.router.on_message(type="text")
    async def echo(msg: TextMessage, ctx: WebhookContext) -> None:
        texts.append(msg.body)
        sent = await ctx.reply_text(f"you said: {msg.body}")
        replies.append(sent.id)

    @receiver.router.on_status()
    async def on_status(status: StatusEvent, ctx: WebhookContext) -> None:
        statuses.append((status.id, status.status))

    async with _client(sandbox) as wa:
        receiver.router.client = wa
        wamid = sandbox.inbound(phone, USER, "text", {"body": "olá"}, name="Ana")
        stats = await sandbox.flush_webhooks()
        assert stats.delivered >= 1 and stats.pending == 0  # the reply's "sent" may already be in
        await receiver.router.join()
        assert texts == ["olá"]

        # The reply left through the sandbox and is in its log, quoting the inbound message.
        [record] = sandbox.messages(phone)
        assert record.id == replies[0] and record.to == USER
        assert record.body["text"]["body"] == "you said: olá"
        assert record.body["context"] == {"message_id": wamid}

        sandbox.advance(5)  # delivered after 1 s, read after 3 s
        await sandbox.flush_webhooks()
        await receiver.router.join()
    assert statuses == [(replies[0], "sent"), (replies[0], "delivered"), (replies[0], "read")]
    assert sandbox.webhook_stats.delivered == 4 and sandbox.webhook_stats.failed_attempts == 0

    # The inbound body is Meta's envelope, escaped as Meta escapes it, and signed over its bytes.
    first = receiver.bodies[0]
    assert b"ol\\u00e1" in first and "olá".encode() not in first
    data = json.loads(first)
    assert data["object"] == "whatsapp_business_account"
    [entry] = data["entry"]
    assert entry["id"] == sandbox.waba_ids[0]
    [change] = entry["changes"]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"]["phone_number_id"] == phone
    assert value["metadata"]["display_phone_number"].isdigit()
    assert value["contacts"] == [{"profile": {"name": "Ana"}, "wa_id": USER}]
    [message] = value["messages"]
    assert message == {
        "from": USER,
        "id": wamid,
        "timestamp": message["timestamp"],
        "type": "text",
        "text": {"body": "olá"},
    }
    assert message["timestamp"].isdigit()

    sent = _items(receiver.bodies[1:2])[0]
    assert sent["status"] == "sent" and sent["recipient_id"] == USER
    assert sent["pricing"] == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    }
    assert sent["conversation"]["origin"] == {"type": "service"}
    read = _items(receiver.bodies[3:4])[0]
    assert read["status"] == "read" and "pricing" not in read


async def test_every_post_is_signed_over_its_exact_bytes(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url, "webhook.batch=3")
    for i in range(7):
        sandbox.inbound(sandbox.phone_number_ids[i % 2], f"1650555{i:04d}", "text", {"body": f"ünï {i}"})
    await sandbox.flush_webhooks()
    assert len(receiver.bodies) == 3
    for body, signature in zip(receiver.bodies, receiver.signatures, strict=True):
        verify_signature(body, signature, SECRET)
        with pytest.raises(InvalidSignatureError):
            verify_signature(body, signature, "another-secret")
        with pytest.raises(InvalidSignatureError):
            verify_signature(body + b" ", signature, SECRET)
    assert "delivery-app-secret" not in repr(sandbox.webhook) and "delivery-app-secret" not in repr(sandbox)


async def test_batching_delivers_every_item_across_entries_and_changes(receiver: Receiver) -> None:
    sandbox = Sandbox(
        phone_numbers=4,
        wabas=2,
        seed=5,
        clock=VirtualClock(0.0),
        webhook_url=receiver.url,
        app_secret=SECRET,
        faults="webhook.batch=50",
    )
    seen: list[str] = []

    @receiver.router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        seen.append(msg.id)

    wamids = [
        sandbox.inbound(sandbox.phone_number_ids[i % 4], f"1650555{i:04d}", "text", {"body": str(i)})
        for i in range(40)
    ]
    stats = await sandbox.flush_webhooks()
    await receiver.router.join()
    assert stats.delivered == 1 and stats.items_delivered == 40
    assert sorted(seen) == sorted(wamids)
    [body] = receiver.bodies
    data = json.loads(body)
    assert {e["id"] for e in data["entry"]} == set(sandbox.waba_ids)
    assert sum(len(e["changes"]) for e in data["entry"]) == 4  # one change per number
    assert len(parse_webhook(body).events) == 40


async def test_duplicates_are_sent_and_the_router_handles_each_event_once(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url, "webhook.duplicate=0.5,seed=11")
    handled: list[str] = []

    @receiver.router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        handled.append(msg.id)

    wamids = [
        sandbox.inbound(sandbox.phone_number_ids[0], f"1650555{i:04d}", "text", {"body": "x"})
        for i in range(30)
    ]
    stats = await sandbox.flush_webhooks()
    await receiver.router.join()
    assert stats.duplicates_sent > 0
    assert len(receiver.bodies) == 30 + stats.duplicates_sent
    assert sorted(handled) == sorted(wamids)  # each once, though some arrived twice
    assert stats.items_delivered == 30


async def test_retries_with_backoff_while_the_receiver_answers_500(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url, "webhook.backoff=10s,webhook.max_backoff=1m")
    clock = sandbox.clock
    assert isinstance(clock, VirtualClock)
    handled: list[str] = []

    @receiver.router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        handled.append(msg.id)

    receiver.router.fail_first = 4
    wamid = sandbox.inbound(sandbox.phone_number_ids[0], USER, "text", {"body": "retry me"})
    stats = await sandbox.flush_webhooks()
    await receiver.router.join()
    assert handled == [wamid]
    assert receiver.answers == [500, 500, 500, 500, 200]
    assert stats.attempts == 5 and stats.retried == 4 and stats.failed_attempts == 4 and stats.delivered == 1
    assert len(set(receiver.bodies)) == 1  # the same body each time
    assert clock.sleeps == [10.0, 20.0, 40.0, 60.0]  # doubling, capped, on the sandbox's clock


async def test_retries_stop_after_retry_for(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url, "webhook.backoff=1m,webhook.retry_for=10m")
    receiver.router.fail_first = 1000
    sandbox.inbound(sandbox.phone_number_ids[0], USER, "text", {"body": "never"})
    stats = await sandbox.flush_webhooks()
    assert stats.delivered == 0 and stats.given_up == 1 and stats.pending == 0
    assert stats.attempts == 4  # at 0, 1, 3 and 7 minutes; the next (15) is past 10 minutes


async def test_a_receiver_with_the_wrong_secret_answers_403_and_the_sandbox_retries(
    receiver: Receiver,
) -> None:
    sandbox = _sandbox(
        receiver.url, "webhook.backoff=1s,webhook.retry_for=30s", app_secret="not-the-app-secret"
    )
    handled: list[str] = []

    @receiver.router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        handled.append(msg.id)

    sandbox.inbound(sandbox.phone_number_ids[0], USER, "text", {"body": "who?"})
    stats = await sandbox.flush_webhooks()
    assert set(receiver.answers) == {403} and len(receiver.answers) == stats.attempts > 1
    assert stats.failed_attempts == stats.attempts and stats.given_up == 1 and stats.last_http_status == 403
    assert handled == []


async def test_an_unreachable_receiver_is_retried_then_given_up() -> None:
    sandbox = _sandbox("http://127.0.0.1:9/webhook", "webhook.backoff=1s,webhook.retry_for=5s")
    sandbox.inbound(sandbox.phone_number_ids[0], USER, "text", {"body": "x"})
    stats = await sandbox.flush_webhooks()
    assert stats.delivered == 0 and stats.given_up == 1 and stats.attempts == 3
    assert stats.last_http_status is None


async def test_statuses_out_of_order_are_still_handled_once_each(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url, "webhook.reorder=0.5,seed=2")
    seen: list[tuple[str, str]] = []

    @receiver.router.on_status()
    async def collect(status: StatusEvent, ctx: WebhookContext) -> None:
        seen.append((status.id, status.status))

    phone = sandbox.phone_number_ids[0]
    async with _client(sandbox) as wa:
        ids = []
        for i in range(6):
            user = f"1650555{i:04d}"
            sandbox.inbound(phone, user, "text", {"body": "hi"})
            ids.append((await wa.messages.send_text(user, "hello")).id)
    sandbox.advance(10)
    await sandbox.flush_webhooks()
    await receiver.router.join()
    assert sorted(seen) == sorted((i, s) for i in ids for s in ("sent", "delivered", "read"))
    order = [(item["id"], item["status"]) for item in _items(receiver.bodies) if "status" in item]
    ranks = {"sent": 0, "delivered": 1, "read": 2}
    assert any(
        order.index((i, a)) > order.index((i, b))
        for i in ids
        for a, b in (("delivered", "sent"), ("read", "delivered"))
        if ranks[a] > ranks[b]
    ), "reorder=0.5 put no status before an earlier one"


async def test_failed_statuses_for_undeliverable_messages(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url)
    failed: list[StatusEvent] = []

    @receiver.router.on_status(status="failed")
    async def collect(status: StatusEvent, ctx: WebhookContext) -> None:
        failed.append(status)

    phone = sandbox.phone_number_ids[0]
    sandbox.messaging.mark_undeliverable(USER)
    sandbox.inbound(phone, USER, "text", {"body": "hi"})
    async with _client(sandbox) as wa:
        sent = await wa.messages.send_text(USER, "hello", callback_data="order-7")
    sandbox.advance(5)
    await sandbox.flush_webhooks()
    await receiver.router.join()
    [status] = failed
    assert status.id == sent.id and status.biz_opaque_callback_data == "order-7"
    assert [e.code for e in status.errors] == [131026]
    assert [r.status for r in sandbox.messages(phone)] == ["failed"]


def test_fail_rate_is_seeded_and_reproducible() -> None:
    def run() -> list[str]:
        sandbox = Sandbox(phone_numbers=1, seed=1, clock=VirtualClock(0.0), faults="webhook.fail=0.3")
        phone = sandbox.phone_number_ids[0]
        for i in range(40):
            user = f"1650555{i:04d}"
            sandbox.inbound(phone, user)
            sandbox.messaging.send(
                phone,
                {"messaging_product": "whatsapp", "to": user, "type": "text", "text": {"body": "x"}},
                0.0,
            )
        sandbox.advance(5)
        return [r.status for r in sandbox.messages()]

    first = run()
    assert first == run()
    assert set(first) == {"read", "failed"} and 3 <= first.count("failed") <= 25


async def test_background_delivery_with_webhooks_block(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url)
    statuses: list[str] = []
    done = asyncio.Event()

    @receiver.router.on_message()
    async def reply(msg: TextMessage, ctx: WebhookContext) -> None:
        await ctx.reply_text("pong")

    @receiver.router.on_status()
    async def status(event: StatusEvent, ctx: WebhookContext) -> None:
        statuses.append(event.status)
        if event.status == "read":
            done.set()

    async with _client(sandbox) as wa:
        receiver.router.client = wa
        async with sandbox.webhooks():
            sandbox.inbound(sandbox.phone_number_ids[0], USER, "text", {"body": "ping"})
            await asyncio.wait_for(done.wait(), 10)  # real-time guard only; the clock is virtual
    assert statuses == ["sent", "delivered", "read"]
    assert sandbox.webhook_stats.delivered == 4


async def test_served_sandbox_delivers_and_admin_inbound_feeds_it(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url)
    got: list[TextMessage] = []
    arrived = asyncio.Event()

    @receiver.router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        got.append(msg)
        arrived.set()

    import aiohttp

    async with sandbox.serve() as base_url, aiohttp.ClientSession() as http:
        async with http.post(
            f"{base_url}/_sandbox/inbound",
            json={
                "phone_number_id": sandbox.phone_number_ids[1],
                "from": USER,
                "type": "text",
                "text": {"body": "via admin"},
                "name": "Bea",
            },
            headers={"Authorization": f"Bearer {sandbox.access_token}"},
        ) as resp:
            assert resp.status == 200
            wamid = (await resp.json())["id"]
        await asyncio.wait_for(arrived.wait(), 10)
    [msg] = got
    assert msg.id == wamid and msg.body == "via admin" and msg.phone_number_id == sandbox.phone_number_ids[1]
    assert msg.contact is not None and msg.contact.name == "Bea"


async def test_template_events_are_delivered_when_the_business_has_templates(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url)
    templates = TemplatesState(seed=1)
    sandbox.router.business.templates = templates
    events: list[MessageTemplateStatusUpdateEvent] = []

    @receiver.router.on(MessageTemplateStatusUpdateEvent)
    async def collect(event: MessageTemplateStatusUpdateEvent, ctx: WebhookContext) -> None:
        events.append(event)

    waba = sandbox.waba_ids[0]
    created = templates.waba(waba).create(
        {
            "name": "order_ready",
            "language": "en_US",
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Your order is ready."}],
        },
        sandbox.clock(),
    )
    sandbox.advance(120)  # review_delay 60 s
    await sandbox.flush_webhooks()
    await receiver.router.join()
    [event] = events
    assert event.event == "APPROVED" and event.message_template_id == created["id"]
    assert event.waba_id == waba


def test_construction_checks() -> None:
    with pytest.raises(ValueError, match="app_secret is required"):
        Sandbox(webhook_url="http://127.0.0.1:1/webhook")
    with pytest.raises(ValueError, match="webhook_url"):
        Sandbox(webhook_url="ftp://x", app_secret="s")
    with pytest.raises(ValueError, match="only used with webhook_url"):
        Sandbox(app_secret="s")
    with pytest.raises(TypeError, match="app_secret"):
        Sandbox(webhook_url="http://127.0.0.1:1/", app_secret=b"s")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="webhook_url"):
        Sandbox().webhook_stats  # noqa: B018
    with pytest.raises(ValueError, match=r"webhook\.batch"):
        FaultConfig.parse("webhook.batch=0")
    with pytest.raises(ValueError, match="unknown webhook fault key"):
        FaultConfig.parse("webhook.retries=3")
    config = FaultConfig.parse(
        "webhook.duplicate=10%,webhook.batch=5,webhook.reorder=0.2,webhook.fail=0.1,webhook.timeout=2s"
    )
    assert config.webhook == WebhookFaults(batch=5, duplicate=0.1, reorder=0.2, fail=0.1, timeout=2.0)
    assert not config.active  # webhook knobs never fault Graph calls


async def test_reset_drops_pending_webhooks_and_counters(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url)
    sandbox.inbound(sandbox.phone_number_ids[0], USER)
    await sandbox.flush_webhooks()
    assert sandbox.webhook_stats.delivered == 1
    sandbox.reset()
    assert sandbox.webhook_stats.delivered == 0
    sandbox.inbound(sandbox.phone_number_ids[0], USER)  # the new world's messaging still feeds it
    assert (await sandbox.flush_webhooks()).delivered == 1


async def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver: Receiver) -> None:
    sandbox = _sandbox(receiver.url, "webhook.timeout=200ms,webhook.backoff=1s")
    handled: list[str] = []

    @receiver.router.on_message()
    async def collect(msg: TextMessage, ctx: WebhookContext) -> None:
        handled.append(msg.id)

    receiver.router.hang_first = 1
    wamid = sandbox.inbound(sandbox.phone_number_ids[0], USER)
    try:
        stats = await sandbox.flush_webhooks()
    finally:
        receiver.router.release.set()
    await receiver.router.join()
    assert handled == [wamid]
    assert receiver.answers == [0, 200] and stats.failed_attempts == 1 and stats.retried == 1


async def test_delivery_is_reproducible_for_a_seed(receiver: Receiver) -> None:
    async def run() -> list[bytes]:
        receiver.router.bodies.clear()
        sandbox = _sandbox(receiver.url, "webhook.batch=3,webhook.duplicate=0.3,webhook.reorder=0.3,seed=9")
        phone = sandbox.phone_number_ids[0]
        async with _client(sandbox) as wa:
            for i in range(8):
                user = f"1650555{i:04d}"
                sandbox.inbound(phone, user, "text", {"body": str(i)})
                await wa.messages.send_text(user, "hello")
        sandbox.advance(10)
        await sandbox.flush_webhooks()
        return list(receiver.router.bodies)

    first = await run()
    assert len(first) > 8 and first == await run()
