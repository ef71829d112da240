"""The sandbox's messaging rules, driven directly with a virtual clock (no HTTP).

Bodies here are written by hand in Meta's wire shape, never built with the
client's models: the sandbox must judge the client, not share its checks.
"""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async.sandbox.clock import VirtualClock
from meta_cloud_async.sandbox.envelope import GraphError
from meta_cloud_async.sandbox.messaging import Messaging, MessagingLimits, SandboxTemplate, StatusEvent

PHONE = "106540352242922"
USER = "16505551234"


def text(to: str = USER, body: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body},
        **extra,
    }


def template(
    name: str, code: str = "en_US", components: list[Any] | None = None, to: str = USER
) -> dict[str, Any]:
    tpl: dict[str, Any] = {"name": name, "language": {"code": code}}
    if components is not None:
        tpl["components"] = components
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": tpl,
    }


def refused(code: int, call: Any, *args: Any) -> GraphError:
    with pytest.raises(GraphError) as caught:
        call(*args)
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(1_000.0)


@pytest.fixture
def wa() -> Messaging:
    return Messaging(seed=7)


# -- the 24-hour customer-service window --------------------------------------------------


def test_inbound_opens_the_window_reply_within_it_then_131047_after(
    wa: Messaging, clock: VirtualClock
) -> None:
    refused(131047, wa.handle, PHONE, text(), clock())  # the user never wrote
    inbound = wa.inbound(PHONE, USER, "text", {"body": "hi there"}, clock())
    assert inbound.startswith("wamid.")

    answer = wa.handle(PHONE, text(context={"message_id": inbound}), clock.advance(60))
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": USER, "wa_id": USER}]
    (message,) = answer["messages"]
    assert message["id"].startswith("wamid.") and message["id"] != inbound
    assert "message_status" not in message  # Meta reports pacing status on templates only

    clock.advance(24 * 3600)
    error = refused(131047, wa.handle, PHONE, text(), clock())
    assert error.message == "(#131047) Re-engagement message" and "24 hours" in (error.details or "")
    # Templates are allowed outside the window.
    assert wa.handle(PHONE, template("hello_world"), clock())["messages"][0]["message_status"] == "accepted"

    log = wa.messages(clock())
    assert [(r.to, r.type) for r in log] == [(USER, "text"), (USER, "template")]
    assert log[0].to_dict()["from"] == PHONE and log[0].body["text"] == {"body": "hello"}


def test_window_is_per_sending_number_and_plus_prefix_is_the_same_user(
    wa: Messaging, clock: VirtualClock
) -> None:
    wa.inbound(PHONE, "+" + USER, "text", {"body": "hi"}, clock())
    assert wa.window_open(PHONE, USER, clock())
    wa.handle(PHONE, text(to="+" + USER), clock())
    # Meta also accepts a formatted number and answers with the wa_id it resolved.
    answer = wa.handle(PHONE, text(to="+1 (650) 555-1234"), clock.advance(10))
    assert answer["contacts"] == [{"input": "+1 (650) 555-1234", "wa_id": USER}]
    refused(131047, wa.handle, "other-number", text(), clock())


# -- templates ------------------------------------------------------------------------------


def test_templates_unknown_unapproved_and_param_counts(wa: Messaging, clock: VirtualClock) -> None:
    refused(132001, wa.handle, PHONE, template("no_such_template"), clock())
    refused(132001, wa.handle, PHONE, template("hello_world", "de_DE"), clock())  # not translated
    refused(
        132001,
        wa.handle,
        PHONE,
        template("spring_sale", components=[{"type": "body", "parameters": [{"type": "text", "text": "x"}]}]),
        clock(),
    )  # PENDING
    refused(132000, wa.handle, PHONE, template("order_update"), clock())  # 1 body param expected
    wa.handle(
        PHONE,
        template(
            "order_update", components=[{"type": "body", "parameters": [{"type": "text", "text": "A-1"}]}]
        ),
        clock(),
    )
    clock.advance(10)
    # OTP: the code as body parameter and as the URL button's parameter.
    otp = [
        {"type": "body", "parameters": [{"type": "text", "text": "123456"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "123456"}],
        },
    ]
    wa.handle(PHONE, template("verification_code", components=otp), clock())
    clock.advance(10)
    refused(132000, wa.handle, PHONE, template("verification_code", components=otp[:1]), clock())


def test_added_templates_are_known(clock: VirtualClock) -> None:
    wa = Messaging(templates=[SandboxTemplate(name="promo", language="pt_BR", header_params=1)])
    refused(132001, wa.handle, PHONE, template("hello_world"), clock())
    components = [
        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://e.com/a.png"}}]}
    ]
    wa.handle(PHONE, template("promo", "pt_BR", components), clock())


# -- recipients, throughput, pair limit ------------------------------------------------------


def test_recipient_not_on_whatsapp(clock: VirtualClock) -> None:
    wa = Messaging(not_on_whatsapp=["+15550000000"])
    refused(131026, wa.handle, PHONE, template("hello_world", to="15550000000"), clock())
    wa.mark_not_on_whatsapp("15550000000", False)
    wa.handle(PHONE, template("hello_world", to="15550000000"), clock())


def test_throughput_per_sending_number(clock: VirtualClock) -> None:
    wa = Messaging(limits=MessagingLimits(throughput=5, pair_burst=100))
    for i in range(5):
        wa.handle(PHONE, template("hello_world", to=f"1650555{i:04d}"), clock())
    error = refused(130429, wa.handle, PHONE, template("hello_world", to="16505559999"), clock())
    assert error.message == "(#130429) Rate limit hit"
    wa.handle("another-number", template("hello_world", to="16505559999"), clock())  # its own budget
    clock.advance(0.2)  # one token back at 5/s
    wa.handle(PHONE, template("hello_world", to="16505559999"), clock())
    refused(130429, wa.handle, PHONE, template("hello_world", to="16505559998"), clock())


def test_throughput_is_configurable_per_number(clock: VirtualClock) -> None:
    wa = Messaging(limits=MessagingLimits(pair_burst=1000))
    wa.set_throughput(PHONE, 2)
    wa.handle(PHONE, template("hello_world", to="1"), clock())
    wa.handle(PHONE, template("hello_world", to="2"), clock())
    refused(130429, wa.handle, PHONE, template("hello_world", to="3"), clock())
    with pytest.raises(ValueError, match="messages_per_second"):
        wa.set_throughput(PHONE, 0)


def test_pair_limit_holds_only_that_recipient(wa: Messaging, clock: VirtualClock) -> None:
    for _ in range(3):  # the default burst
        wa.handle(PHONE, template("hello_world"), clock())
    error = refused(131056, wa.handle, PHONE, template("hello_world"), clock())
    assert "same recipient" in (error.details or "")
    wa.handle(PHONE, template("hello_world", to="16505550000"), clock())  # another user is not held
    clock.advance(6.0)  # one message per 6 s comes back
    wa.handle(PHONE, template("hello_world"), clock())
    refused(131056, wa.handle, PHONE, template("hello_world"), clock())


def test_refused_sends_do_not_use_up_budgets(clock: VirtualClock) -> None:
    wa = Messaging(limits=MessagingLimits(throughput=1, pair_burst=1))
    refused(132001, wa.handle, PHONE, template("nope"), clock())
    wa.handle(PHONE, template("hello_world"), clock())


# -- statuses on the clock ---------------------------------------------------------------------


def test_statuses_move_sent_delivered_read(clock: VirtualClock) -> None:
    wa = Messaging(limits=MessagingLimits(delivered_after=2, read_after=5))
    start = clock()
    wamid = wa.handle(PHONE, template("hello_world"), start)["messages"][0]["id"]
    assert [r.status for r in wa.messages(start)] == ["sent"]
    assert wa.status_events(start) == [
        StatusEvent(
            message_id=wamid, phone_number_id=PHONE, recipient_id=USER, status="sent", timestamp=start
        )
    ]
    assert [e.status for e in wa.drain_status_events(start)] == ["sent"]

    clock.advance(2)
    assert [r.status for r in wa.messages(clock())] == ["delivered"]
    assert [e.status for e in wa.drain_status_events(clock())] == ["delivered"]
    assert wa.drain_status_events(clock()) == []

    clock.advance(10)
    assert [r.status for r in wa.messages(clock())] == ["read"]
    assert [(e.status, e.timestamp) for e in wa.status_events(clock())] == [
        ("sent", start),
        ("delivered", start + 2),
        ("read", start + 5),
    ]
    assert [e.status for e in wa.drain_status_events(clock())] == ["read"]


def test_instant_statuses_and_never_read(clock: VirtualClock) -> None:
    instant = Messaging(limits=MessagingLimits(delivered_after=0, read_after=0))
    instant.handle(PHONE, template("hello_world"), clock())
    assert [e.status for e in instant.status_events(clock())] == ["sent", "delivered", "read"]
    unread = Messaging(limits=MessagingLimits(read_after=None))
    unread.handle(PHONE, template("hello_world"), clock())
    assert unread.messages(clock.advance(3600))[0].status == "delivered"


def test_log_filters_by_sending_number(wa: Messaging, clock: VirtualClock) -> None:
    wa.handle(PHONE, template("hello_world"), clock())
    wa.handle("other", template("hello_world"), clock())
    assert [r.from_ for r in wa.messages(clock(), phone_number_id="other")] == ["other"]
    assert len(wa.messages(clock())) == 2


# -- mark as read ------------------------------------------------------------------------------


def test_mark_as_read_for_a_known_inbound_message(wa: Messaging, clock: VirtualClock) -> None:
    inbound = wa.inbound(PHONE, USER, "text", {"body": "hi"}, clock())
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": inbound}
    assert wa.handle(PHONE, read, clock()) == {"success": True}
    assert wa.is_read(inbound)
    typing = {**read, "typing_indicator": {"type": "text"}}
    assert wa.handle(PHONE, typing, clock()) == {"success": True}
    refused(100, wa.handle, PHONE, {**read, "message_id": "wamid.unknown"}, clock())
    refused(100, wa.handle, "other-number", read, clock())  # not received by that number
    # The TypeScript SDK's mistake: status "typing" is not Meta's shape.
    error = refused(100, wa.handle, PHONE, {**read, "status": "typing"}, clock())
    assert "typing_indicator" in (error.details or "")
    refused(100, wa.handle, PHONE, {**read, "typing_indicator": {"type": "audio"}}, clock())


# -- shape errors --------------------------------------------------------------------------------

SHAPES: list[tuple[str, Any, str]] = [
    ("no product", {"to": USER, "type": "text", "text": {"body": "x"}}, "messaging_product"),
    ("bad product", {**text(), "messaging_product": "sms"}, "messaging_product"),
    ("bad recipient type", {**text(), "recipient_type": "broadcast"}, "recipient_type"),
    ("no to", {"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}, "to"),
    ("to letters", text(to="bob"), "phone number"),
    ("unknown type", {**text(), "type": "fax", "fax": {}}, "type must be one of"),
    ("missing type object", {"messaging_product": "whatsapp", "to": USER, "type": "image"}, "image"),
    ("empty text", text(body=""), "text.body"),
    ("long text", text(body="x" * 4097), "4096"),
    (
        "media both",
        {**text(), "type": "image", "image": {"id": "1", "link": "https://e.com/a.png"}},
        "exactly one of id and link",
    ),
    ("media link scheme", {**text(), "type": "video", "video": {"link": "ftp://e.com/v.mp4"}}, "http(s)"),
    ("sticker caption", {**text(), "type": "sticker", "sticker": {"id": "1", "caption": "c"}}, "caption"),
    ("latitude", {**text(), "type": "location", "location": {"latitude": 91, "longitude": 0}}, "latitude"),
    ("reaction id", {**text(), "type": "reaction", "reaction": {"emoji": "x"}}, "reaction.message_id"),
    (
        "interactive type",
        {**text(), "type": "interactive", "interactive": {"type": "poll", "action": {}}},
        "interactive.type",
    ),
    (
        "interactive body",
        {**text(), "type": "interactive", "interactive": {"type": "button", "action": {"buttons": []}}},
        "interactive.body",
    ),
    (
        "template language",
        {**text(), "type": "template", "template": {"name": "hello_world"}},
        "template.language",
    ),
    ("contacts empty", {**text(), "type": "contacts", "contacts": []}, "contacts"),
    (
        "contact name",
        {**text(), "type": "contacts", "contacts": [{"name": {"first_name": "J"}}]},
        "formatted_name",
    ),
    ("context id", {**text(), "context": {}}, "context.message_id"),
    ("callback data", {**text(), "biz_opaque_callback_data": "c" * 513}, "512"),
    ("body not object", [], "JSON object"),
]


@pytest.mark.parametrize(("body", "says"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_shape_errors_are_100(wa: Messaging, clock: VirtualClock, body: Any, says: str) -> None:
    wa.inbound(PHONE, USER, "text", {"body": "hi"}, clock())  # window open: only shape can fail
    error = refused(100, wa.handle, PHONE, body, clock())
    assert says in (error.details or error.message)
    assert wa.messages(clock()) == []


def test_group_sends_skip_the_window_and_answer_without_contacts(wa: Messaging, clock: VirtualClock) -> None:
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "group",
        "to": "Y2FwaV9ncm91cDox",
        "type": "text",
        "text": {"body": "hi all"},
    }
    answer = wa.handle(PHONE, body, clock())
    assert "contacts" not in answer and answer["messages"][0]["id"].startswith("wamid.")


def test_inbound_validation(wa: Messaging, clock: VirtualClock) -> None:
    refused(100, wa.inbound, PHONE, "not-a-number", "text", {}, clock())
    refused(100, wa.inbound, PHONE, USER, "fax", {}, clock())
    refused(100, wa.inbound, "", USER, "text", {}, clock())


def test_seeded_ids_are_reproducible(clock: VirtualClock) -> None:
    first, second = Messaging(seed=3), Messaging(seed=3)
    assert first.handle(PHONE, template("hello_world"), clock()) == second.handle(
        PHONE, template("hello_world"), clock()
    )


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="throughput"):
        MessagingLimits(throughput=0)
    with pytest.raises(ValueError, match="read_after"):
        MessagingLimits(read_after=-1)


def test_answers_match_the_spec_response_schema(spec: Any, wa: Messaging, clock: VirtualClock) -> None:
    _, _, operation = spec.operations["sendMessage"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    wa.inbound(PHONE, USER, "text", {"body": "hi"}, clock())
    for body in (text(), template("hello_world", to="16505550000")):
        assert spec.schema_errors(wa.handle(PHONE, body, clock()), schema) == []
