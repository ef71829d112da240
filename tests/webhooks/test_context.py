"""The handler context, against a small fake client with the messages/media namespaces' shape."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async.webhooks import WebhookContext, WebhookRouter, parse_webhook, sign

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """One of our fixture bodies (built from Meta's documented shapes), as raw bytes."""
    return (FIXTURES / f"{name}.json").read_bytes()


class FakeNamespace:
    def __init__(self, owner: FakeClient, name: str) -> None:
        self.owner = owner
        self.name = name

    def __getattr__(self, method: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            self.owner.calls.append((self.owner.phone_number_id, f"{self.name}.{method}", args, kwargs))
            return {"ok": method}

        if method == "stream":

            def stream(*args: Any, **kwargs: Any) -> Any:
                self.owner.calls.append((self.owner.phone_number_id, f"{self.name}.stream", args, kwargs))
                return "a-stream"

            return stream
        return call


class FakeClient:
    def __init__(self, phone_number_id: str | None = None, calls: list[Any] | None = None) -> None:
        self.phone_number_id = phone_number_id
        self.calls: list[Any] = [] if calls is None else calls
        self.messages = FakeNamespace(self, "messages")
        self.media = FakeNamespace(self, "media")

    def with_options(self, *, phone_number_id: str) -> FakeClient:
        return FakeClient(phone_number_id, self.calls)


def _ctx(name: str, client: Any) -> WebhookContext:
    (event,) = parse_webhook(fixture_bytes(name)).events
    return WebhookContext(event, WebhookRouter(app_secret="x", client=client))


async def test_replies_leave_from_the_receiving_number() -> None:
    client = FakeClient()
    ctx = _ctx("message_text", client)
    assert ctx.client.phone_number_id == "400000000000001"
    assert await ctx.reply_text("Oi!") == {"ok": "send_text"}
    await ctx.react("👍")
    await ctx.mark_as_read()
    await ctx.mark_as_read(typing_indicator=True)
    assert client.calls == [
        ("400000000000001", "messages.send_text", ("16465550100", "Oi!"), {"reply_to": "wamid.TEST-text"}),
        ("400000000000001", "messages.send_reaction", ("16465550100", "wamid.TEST-text", "👍"), {}),
        ("400000000000001", "messages.mark_as_read", ("wamid.TEST-text",), {"typing_indicator": False}),
        ("400000000000001", "messages.mark_as_read", ("wamid.TEST-text",), {"typing_indicator": True}),
    ]


def test_bound_clients_are_reused_per_number() -> None:
    router = WebhookRouter(app_secret="x", client=FakeClient())
    first = router.client_for("1")
    assert router.client_for("1") is first and first.phone_number_id == "1"
    assert router.client_for("2").phone_number_id == "2"
    assert router.client_for(None) is router.client


def test_the_real_client_binds_to_the_receiving_number() -> None:
    from meta_cloud_async import MockTransport, Request, Response, WhatsApp

    def never(request: Request) -> Response:
        raise AssertionError("no request is made")

    wa = WhatsApp(access_token="t", phone_number_id="999", transport=MockTransport(never))
    ctx = _ctx("message_text", wa)
    assert ctx.client is not wa
    assert ctx.client._options.phone_number_id == "400000000000001"


async def test_media_download_and_stream() -> None:
    client = FakeClient()
    ctx = _ctx("message_document", client)
    assert await ctx.download() == b""  # no target: the bytes, through an in-memory file
    await ctx.download(to="/tmp/x.pdf")
    assert ctx.stream() == "a-stream"
    first, second, third = client.calls
    assert first[:3] == ("400000000000001", "media.download", ("9005",))
    assert isinstance(first[3]["to"], io.BytesIO)
    assert second == ("400000000000001", "media.download", ("9005",), {"to": "/tmp/x.pdf"})
    assert third == ("400000000000001", "media.stream", ("9005",), {})


async def test_context_misuse_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="no media"):
        await _ctx("message_text", FakeClient()).download()
    with pytest.raises(TypeError, match="message event"):
        await _ctx("status_read", FakeClient()).reply_text("x")
    with pytest.raises(RuntimeError, match="client"):
        _ = _ctx("message_text", None).client


async def test_a_handler_replies_through_the_router() -> None:
    client = FakeClient()
    router = WebhookRouter(app_secret="x", client=client)

    @router.on_message(type="text")
    async def echo(event: Any, ctx: WebhookContext) -> None:
        await ctx.reply_text(f"you said: {event.body}")

    body = fixture_bytes("message_text")
    assert (await router.handle("POST", {}, {"X-Hub-Signature-256": sign(body, "x")}, body)).status == 200
    await router.aclose()
    assert client.calls == [
        (
            "400000000000001",
            "messages.send_text",
            ("16465550100", "you said: Olá, tudo bem? ✓"),
            {"reply_to": "wamid.TEST-text"},
        ),
    ]
