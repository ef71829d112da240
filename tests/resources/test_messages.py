"""``wa.messages``: every send through the client, local refusals with zero requests, and the send safety rules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async import (
    APITimeoutError,
    GraphAPIError,
    MockTransport,
    RateLimitError,
    Request,
    Response,
    RetryPolicy,
    WhatsApp,
)
from meta_cloud_async.types.messages import Group, ListRow, ListSection, ReplyButton, SentMessage
from meta_cloud_async.types.templates_send import TextParam
from meta_cloud_async.types.templates_send import body as template_body

TO = "15551234567"
SENT = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": TO, "wa_id": TO}],
    "messages": [{"id": "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5", "message_status": "accepted"}],
}


class Meta:
    """A scripted Graph: records each request, answers from a queue, then with a plain success."""

    def __init__(self, *answers: Response | Exception) -> None:
        self.requests: list[Request] = []
        self.answers = list(answers)

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return Response(status_code=200, content=json.dumps(SENT).encode())

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


def client(meta: Meta, **kwargs: Any) -> WhatsApp:
    options: dict[str, Any] = {
        "access_token": "tok",
        "phone_number_id": "106540352242922",
        "transport": MockTransport(meta),
        "retry": None,
    }
    options.update(kwargs)
    return WhatsApp(**options)


def graph_error(code: int, status: int = 400) -> Response:
    return Response(
        status_code=status, content=json.dumps({"error": {"code": code, "message": "x"}}).encode()
    )


ENVELOPE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}

# (name, call, type, type object as Meta documents it)
SENDS: list[tuple[str, Callable[[WhatsApp], Any], str, Any]] = [
    ("text", lambda wa: wa.messages.send_text(TO, "Hi"), "text", {"body": "Hi", "preview_url": False}),
    (
        "image",
        lambda wa: wa.messages.send_image(TO, media_id="1", caption="c"),
        "image",
        {"id": "1", "caption": "c"},
    ),
    (
        "video",
        lambda wa: wa.messages.send_video(TO, link="https://e.com/v.mp4"),
        "video",
        {"link": "https://e.com/v.mp4"},
    ),
    (
        "voice",
        lambda wa: wa.messages.send_audio(TO, media_id="9", voice=True),
        "audio",
        {"id": "9", "voice": True},
    ),
    (
        "document",
        lambda wa: wa.messages.send_document(TO, media_id="7", filename="a.pdf"),
        "document",
        {"id": "7", "filename": "a.pdf"},
    ),
    ("sticker", lambda wa: wa.messages.send_sticker(TO, media_id="5"), "sticker", {"id": "5"}),
    (
        "location",
        lambda wa: wa.messages.send_location(TO, latitude=37.5, longitude=-122.25, name="HQ"),
        "location",
        {"latitude": 37.5, "longitude": -122.25, "name": "HQ"},
    ),
    (
        "contacts",
        lambda wa: wa.messages.send_contacts(TO, [{"name": {"formatted_name": "Ada", "first_name": "Ada"}}]),
        "contacts",
        [{"name": {"first_name": "Ada", "formatted_name": "Ada"}}],
    ),
    (
        "reaction",
        lambda wa: wa.messages.send_reaction(TO, "wamid.X", "👍"),
        "reaction",
        {"emoji": "👍", "message_id": "wamid.X"},
    ),
    (
        "unreact",
        lambda wa: wa.messages.send_reaction(TO, "wamid.X", ""),
        "reaction",
        {"emoji": "", "message_id": "wamid.X"},
    ),
    (
        "buttons",
        lambda wa: wa.messages.send_buttons(TO, "Pick", [ReplyButton(id="y", title="Yes")], footer="f"),
        "interactive",
        {
            "action": {"buttons": [{"reply": {"id": "y", "title": "Yes"}, "type": "reply"}]},
            "body": {"text": "Pick"},
            "footer": {"text": "f"},
            "type": "button",
        },
    ),
    (
        "list",
        lambda wa: wa.messages.send_list(
            TO, "Menu", button="Open", sections=[ListSection(title="S", rows=[ListRow(id="r", title="Row")])]
        ),
        "interactive",
        {
            "action": {"button": "Open", "sections": [{"rows": [{"id": "r", "title": "Row"}], "title": "S"}]},
            "body": {"text": "Menu"},
            "type": "list",
        },
    ),
    (
        "cta_url",
        lambda wa: wa.messages.send_cta_url(TO, "Docs", display_text="Open", url="https://e.com"),
        "interactive",
        {
            "action": {"name": "cta_url", "parameters": {"display_text": "Open", "url": "https://e.com"}},
            "body": {"text": "Docs"},
            "type": "cta_url",
        },
    ),
    (
        "location_request",
        lambda wa: wa.messages.send_location_request(TO, "Where?"),
        "interactive",
        {"action": {"name": "send_location"}, "body": {"text": "Where?"}, "type": "location_request_message"},
    ),
    (
        "template",
        lambda wa: wa.messages.send_template(
            TO, "order_update", "en_US", components=[template_body(TextParam(text="42"))]
        ),
        "template",
        {
            "components": [{"parameters": [{"text": "42", "type": "text"}], "type": "body"}],
            "language": {"code": "en_US"},
            "name": "order_update",
        },
    ),
]


@pytest.mark.parametrize(("name", "call", "kind", "obj"), SENDS, ids=[s[0] for s in SENDS])
async def test_each_send_puts_metas_wire_shape_on_the_wire(
    name: str, call: Callable[[WhatsApp], Any], kind: str, obj: Any
) -> None:
    meta = Meta()
    async with client(meta) as wa:
        sent = await call(wa)
    assert isinstance(sent, SentMessage) and sent.id.startswith("wamid.") and sent.wa_id == TO
    (request,) = meta.requests
    assert request.method == "POST" and request.url.endswith("/v23.0/106540352242922/messages")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {**ENVELOPE, "type": kind, kind: obj}


async def test_reply_to_callback_data_and_groups() -> None:
    meta = Meta()
    async with client(meta) as wa:
        await wa.messages.send_text(
            Group("120363044123456789"), "hi all", reply_to="wamid.Q", callback_data="t-1"
        )
    body = meta.bodies()[0]
    assert (body["recipient_type"], body["to"]) == ("group", "120363044123456789")
    assert body["context"] == {"message_id": "wamid.Q"}
    assert body["biz_opaque_callback_data"] == "t-1"


async def test_send_accepts_a_dict_in_metas_shape_with_the_same_bytes() -> None:
    meta = Meta()
    async with client(meta) as wa:
        await wa.messages.send_text(TO, "Hi")
        await wa.messages.send(TO, {"type": "text", "text": {"preview_url": False, "body": "Hi"}})
    assert meta.requests[0].content == meta.requests[1].content


async def test_mark_as_read_uses_metas_shape_not_status_typing() -> None:
    meta = Meta(Response(status_code=200, content=b'{"success":true}'))
    async with client(meta) as wa:
        answer = await wa.messages.mark_as_read("wamid.IN", typing_indicator=True)
    assert answer.success is True
    assert meta.bodies()[0] == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
        "typing_indicator": {"type": "text"},
    }


async def test_marketing_messages_endpoint() -> None:
    meta = Meta()
    async with client(meta) as wa:
        await wa.marketing_messages.send_template(
            TO, "spring_sale", "en_US", product_policy="STRICT", message_activity_sharing=True
        )
    request = meta.requests[0]
    assert request.url.endswith("/106540352242922/marketing_messages")
    body = json.loads(request.content)
    assert (body["type"], body["product_policy"], body["message_activity_sharing"]) == (
        "template",
        "STRICT",
        True,
    )


# -- checked before anything is sent --------------------------------------------------------------

REFUSED: list[tuple[str, Callable[[WhatsApp], Any], str]] = [
    ("empty text", lambda wa: wa.messages.send_text(TO, ""), "text.body"),
    ("long text", lambda wa: wa.messages.send_text(TO, "x" * 4097), "text.body"),
    ("caption", lambda wa: wa.messages.send_image(TO, media_id="1", caption="x" * 1025), "caption"),
    ("filename", lambda wa: wa.messages.send_document(TO, media_id="1", filename="f" * 241), "filename"),
    ("no media", lambda wa: wa.messages.send_image(TO), "media_id"),
    ("two media", lambda wa: wa.messages.send_video(TO, media_id="1", link="https://e.com/v.mp4"), "link"),
    ("ftp link", lambda wa: wa.messages.send_audio(TO, link="ftp://e.com/a"), "link"),
    ("latitude", lambda wa: wa.messages.send_location(TO, latitude=91, longitude=0), "latitude"),
    ("longitude", lambda wa: wa.messages.send_location(TO, latitude=0, longitude=-181), "longitude"),
    (
        "interactive body",
        lambda wa: wa.messages.send_buttons(TO, "x" * 1025, [ReplyButton(id="a", title="A")]),
        "body",
    ),
    ("no buttons", lambda wa: wa.messages.send_buttons(TO, "b", []), "buttons"),
    (
        "four buttons",
        lambda wa: wa.messages.send_buttons(
            TO, "b", [ReplyButton(id=str(i), title=str(i)) for i in range(4)]
        ),
        "buttons",
    ),
    (
        "button title",
        lambda wa: wa.messages.send_buttons(TO, "b", [ReplyButton(id="a", title="t" * 21)]),
        "title",
    ),
    (
        "duplicate ids",
        lambda wa: wa.messages.send_buttons(
            TO, "b", [ReplyButton(id="a", title="A"), ReplyButton(id="a", title="B")]
        ),
        "id",
    ),
    (
        "footer",
        lambda wa: wa.messages.send_buttons(TO, "b", [ReplyButton(id="a", title="A")], footer="f" * 61),
        "footer",
    ),
    (
        "eleven rows across sections",
        lambda wa: wa.messages.send_list(
            TO,
            "b",
            button="Open",
            sections=[
                ListSection(title="A", rows=[ListRow(id=f"a{i}", title="r") for i in range(6)]),
                ListSection(title="B", rows=[ListRow(id=f"b{i}", title="r") for i in range(5)]),
            ],
        ),
        "rows",
    ),
    (
        "untitled sections",
        lambda wa: wa.messages.send_list(
            TO,
            "b",
            button="Open",
            sections=[
                ListSection(rows=[ListRow(id="a", title="r")]),
                ListSection(rows=[ListRow(id="b", title="r")]),
            ],
        ),
        "title",
    ),
    ("list button", lambda wa: wa.messages.send_list(TO, "b", button="", sections=[]), "button"),
    (
        "flow id and name",
        lambda wa: wa.messages.send_flow(TO, "b", flow_cta="Go", flow_id="1", flow_name="f"),
        "flow",
    ),
    ("callback data", lambda wa: wa.messages.send_text(TO, "hi", callback_data="x" * 513), "callback_data"),
    ("recipient", lambda wa: wa.messages.send_text("not a number", "hi"), "to"),
]


@pytest.mark.parametrize(("name", "call", "field"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_limits_are_refused_locally_with_zero_requests(
    name: str, call: Callable[[WhatsApp], Any], field: str
) -> None:
    meta = Meta()
    async with client(meta) as wa:
        with pytest.raises(ValueError, match=field):
            await call(wa)
    assert meta.requests == []


# -- sent safely ------------------------------------------------------------------------------------


async def test_a_timeout_is_one_attempt_and_may_have_applied() -> None:
    meta = Meta(APITimeoutError("no answer"))
    async with client(meta, retry=RetryPolicy(max_retries=5)) as wa:
        with pytest.raises(APITimeoutError) as info:
            await wa.messages.send_text(TO, "hi")
    assert len(meta.requests) == 1
    assert info.value.may_have_applied is True


async def test_a_5xx_without_a_not_processed_code_is_never_repeated() -> None:
    meta = Meta(graph_error(131000, 500))
    async with client(meta, retry=RetryPolicy(max_retries=5)) as wa:
        with pytest.raises(GraphAPIError) as info:
            await wa.messages.send_text(TO, "hi")
    assert len(meta.requests) == 1 and info.value.may_have_applied is True


async def test_a_connect_error_is_retried() -> None:
    from meta_cloud_async import ConnectError
    from meta_cloud_async.testing import FakeClock

    clock = FakeClock()
    meta = Meta(ConnectError("refused"))
    async with client(meta, retry=RetryPolicy(), clock=clock.time, sleep=clock.sleep) as wa:
        await wa.messages.send_text(TO, "hi")
    assert len(meta.requests) == 2


async def test_130429_holds_the_sending_number_then_retries() -> None:
    from meta_cloud_async.testing import FakeClock

    clock = FakeClock()
    sent_at: list[float] = []
    answers = [graph_error(130429)]

    def handler(request: Request) -> Response:
        sent_at.append(clock.time())
        return answers.pop(0) if answers else Response(status_code=200, content=json.dumps(SENT).encode())

    async with WhatsApp(
        access_token="tok",
        phone_number_id="1",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.0,
    ) as wa:
        await wa.messages.send_text(TO, "hi")
        await wa.messages.send_text("15550000000", "other user, same number: held too")
    # throughput_hold_seconds=1 holds the whole number; after a hold it paces steadily at 80/s (no burst).
    assert sent_at == [0.0, 1.0, pytest.approx(1.0 + 1 / 80)]


async def test_131056_holds_only_that_recipient() -> None:
    from meta_cloud_async.testing import FakeClock

    clock = FakeClock()
    sent: list[tuple[str, float]] = []
    refused = [True]

    def handler(request: Request) -> Response:
        to = json.loads(request.content)["to"]
        sent.append((to, clock.time()))
        if to == TO and refused:
            refused.pop()
            return graph_error(131056)
        return Response(status_code=200, content=json.dumps(SENT).encode())

    async with WhatsApp(
        access_token="tok",
        phone_number_id="1",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.0,
    ) as wa:
        first = asyncio.create_task(wa.messages.send_text(TO, "one"))
        await asyncio.sleep(0)
        await wa.messages.send_text("15550000000", "another user")
        await first
    assert ("15550000000", 0.0) in sent
    assert sent[-1] == (TO, 6.0) or (TO, 6.0) in sent
    assert [t for to, t in sent if to == TO] == [0.0, 6.0]


async def test_a_throttle_that_outlasts_the_retries_raises_rate_limit_error() -> None:
    meta = Meta(graph_error(130429), graph_error(130429))
    async with client(
        meta, retry=RetryPolicy(max_retries=1, initial_delay=0, jitter=0), rate_limit=None
    ) as wa:
        with pytest.raises(RateLimitError):
            await wa.messages.send_text(TO, "hi")
    assert len(meta.requests) == 2


async def test_management_calls_never_wait_behind_sends() -> None:
    from meta_cloud_async.testing import FakeClock

    clock = FakeClock()
    order: list[str] = []

    def handler(request: Request) -> Response:
        order.append(request.meta.operation)
        if request.meta.operation == "SetPinRequest":
            return Response(status_code=200, content=b'{"success":true}')
        return Response(status_code=200, content=json.dumps(SENT).encode())

    from meta_cloud_async import RateLimitPolicy

    async with WhatsApp(
        access_token="tok",
        phone_number_id="1",
        business_account_id="2",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
        rate_limit=RateLimitPolicy(messaging_rate=1.0, messaging_burst=1.0),
    ) as wa:
        sends = [asyncio.create_task(wa.messages.send_text(str(15550000000 + i), "x")) for i in range(5)]
        await asyncio.sleep(0)
        await wa.two_step_verification.set_pin("428915")
        at_pin = clock.time()
        await asyncio.gather(*sends)
    assert at_pin == 0.0  # the PIN went out while four sends were still queued for the number's budget
    assert order.index("SetPinRequest") < len(order) - 1


async def test_send_template_checks_parameters_against_a_template_object() -> None:
    from meta_cloud_async.types.templates import Template as TemplateDefinition
    from meta_cloud_async.types.templates_send import TextParam

    order_update = TemplateDefinition(
        id="1234",
        name="order_update",
        language="en_US",
        status="APPROVED",
        category="UTILITY",
        components=[
            {"type": "BODY", "text": "Order {{1}} has shipped", "example": {"body_text": [["4711"]]}}
        ],
    )
    meta = Meta()
    async with client(meta) as wa:
        with pytest.raises(ValueError):
            await wa.messages.send_template(TO, order_update)  # the body needs one parameter
        with pytest.raises(ValueError):
            await wa.messages.send_template(
                TO, order_update, components=[template_body(TextParam(text="1"), TextParam(text="2"))]
            )
        assert meta.requests == []
        await wa.messages.send_template(TO, order_update, components=[template_body(TextParam(text="4711"))])
    body = meta.bodies()[0]
    assert body["template"]["name"] == "order_update" and body["template"]["language"] == {"code": "en_US"}
