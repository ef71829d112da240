"""wa.templates: wire shapes, Meta's creation errors, and refusals that send nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.errors import TemplateCreationError
from meta_cloud_async.types.templates import (
    Body,
    Buttons,
    HeaderMedia,
    OtpCopyCodeButton,
    QuickReplyButton,
    Template,
    UrlButton,
)

BASE = "https://graph.facebook.com/v23.0"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def path(url: str) -> str:
    return url.split("?", 1)[0]


async def test_list_with_filters_and_paging(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "data": [{"id": "1", "name": "a", "status": "APPROVED"}],
            "paging": {"cursors": {"after": "A"}, "next": f"{BASE}/5678/message_templates?after=A"},
        }
    )
    recorder.reply({"data": [{"id": "2", "name": "b", "status": "PAUSED"}]})
    items = [
        t.id
        async for t in wa.templates.list(
            name="order", status=["approved", "PAUSED"], category="UTILITY", language="en_US", limit=1
        )
    ]
    assert items == ["1", "2"]
    first = recorder.requests[0]
    assert first.method == "GET" and path(first.url) == f"{BASE}/5678/message_templates"
    assert query(first.url) == {
        "name": ["order"],
        "status": ["APPROVED,PAUSED"],
        "category": ["UTILITY"],
        "language": ["en_US"],
        "limit": ["1"],
    }
    assert recorder.requests[1].url == f"{BASE}/5678/message_templates?after=A"


async def test_get(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "id": "564912142382994",
            "name": "login_code",
            "language": "en_US",
            "status": "APPROVED",
            "category": "AUTHENTICATION",
            "components": [{"type": "BODY", "text": "*{{1}}* is your verification code."}],
            "quality_score": {"score": "GREEN"},
        }
    )
    template = await wa.templates.get("564912142382994")
    assert isinstance(template, Template) and template.quality_score is not None
    assert template.quality_score.score == "GREEN"
    assert recorder.last.url == f"{BASE}/564912142382994"


async def test_create_sends_wire_dicts_unchanged(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "572279198452421", "status": "PENDING", "category": "MARKETING"})
    header = {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1h"]}}
    body = {
        "type": "body",
        "text": "Shop now through {{1}}.",
        "example": {"body_text": [["the end of August"]]},
    }
    created = await wa.templates.create(
        "seasonal_promotion",
        "en_US",
        "MARKETING",
        [header, body, Buttons(buttons=[QuickReplyButton(text="Unsubscribe")])],
        allow_category_change=True,
    )
    assert created.id == "572279198452421"
    request = recorder.last
    assert request.method == "POST" and request.url == f"{BASE}/5678/message_templates"
    assert request.headers["content-type"] == "application/json"
    sent = json.loads(request.content)
    assert sent == {
        "name": "seasonal_promotion",
        "language": "en_US",
        "category": "MARKETING",
        "allow_category_change": True,
        "components": [
            header,
            body,
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Unsubscribe"}]},
        ],
    }


async def test_create_named_variables_adds_parameter_format(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "1", "status": "PENDING", "category": "UTILITY"})
    await wa.templates.create(
        "order_named",
        "en_US",
        "UTILITY",
        [Body(text="Hi {{first_name}}, thanks.", examples={"first_name": "Pablo"})],
    )
    assert recorder.body()["parameter_format"] == "NAMED"


async def test_create_authentication(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "1", "status": "PENDING", "category": "AUTHENTICATION"})
    await wa.templates.create_authentication(
        "login_code",
        "en_US",
        button=OtpCopyCodeButton(text="Copy code"),
        add_security_recommendation=True,
        code_expiration_minutes=10,
        message_send_ttl_seconds=600,
    )
    assert recorder.body() == {
        "name": "login_code",
        "language": "en_US",
        "category": "AUTHENTICATION",
        "message_send_ttl_seconds": 600,
        "components": [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "FOOTER", "code_expiration_minutes": 10},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]},
        ],
    }


async def test_edit_and_delete(wa: WhatsApp, recorder: Any) -> None:
    template = Template(id="564912142382994", category="UTILITY", parameter_format="POSITIONAL")
    await wa.templates.edit(
        template,
        components=[Body(text="Order {{1}} shipped.", examples=["A1"])],
        message_send_ttl_seconds=3600,
    )
    edit = recorder.last
    assert edit.method == "POST" and edit.url == f"{BASE}/564912142382994"
    assert json.loads(edit.content) == {
        "components": [{"type": "BODY", "text": "Order {{1}} shipped.", "example": {"body_text": [["A1"]]}}],
        "message_send_ttl_seconds": 3600,
    }
    await wa.templates.delete(name="order_update")
    await wa.templates.delete(name="order_update", hsm_id="564912142382994")
    one, two = recorder.requests[-2:]
    assert one.method == "DELETE" and one.url == f"{BASE}/5678/message_templates?name=order_update"
    assert query(two.url) == {"name": ["order_update"], "hsm_id": ["564912142382994"]}
    assert one.content == b"" and "content-type" not in one.headers


async def test_analytics_is_a_door_onto_wa_analytics(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "id": "5678",
            "template_analytics": {
                "data": [
                    {
                        "granularity": "DAILY",
                        "data_points": [
                            {"template_id": "1", "start": 1, "end": 2, "sent": 3, "delivered": 3, "read": 1}
                        ],
                    }
                ]
            },
        }
    )
    analytics = await wa.templates.analytics(
        ["1", 2], start=1689379200, end=1689552000, metric_types=["SENT", "DELIVERED"]
    )
    assert analytics.points[0].sent == 3
    assert path(recorder.last.url) == f"{BASE}/5678"
    assert query(recorder.last.url)["fields"] == [
        'template_analytics.start(1689379200).end(1689552000).granularity(DAILY).metric_types(["SENT","DELIVERED"]).template_ids(["1","2"])'
    ]


async def test_creation_error_is_typed_with_metas_explanation(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "error": {
                "message": "Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_subcode": 2388019,
                "is_transient": False,
                "error_user_title": "Message template quota reached",
                "error_user_msg": "This business account has reached its limit of 250 message templates.",
                "fbtrace_id": "AbC",
            }
        },
        status=400,
    )
    with pytest.raises(TemplateCreationError) as info:
        await wa.templates.create("promo", "en_US", "MARKETING", [Body(text="Sale today only.")])
    assert info.value.error_user_title == "Message template quota reached"
    assert "250" in (info.value.error_user_msg or "")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda wa: wa.templates.create("Bad-Name", "en_US", "MARKETING", [Body(text="x")]), "name"),
        (lambda wa: wa.templates.create("ok", "en_US", "MARKETING", [Body(text="{{1}} starts")]), "body"),
        (
            lambda wa: wa.templates.create(
                "ok",
                "en_US",
                "MARKETING",
                [Body(text="Hi"), Buttons(buttons=[UrlButton(text="Go", url="ftp://x")])],
            ),
            "buttons",
        ),
        (lambda wa: wa.templates.create("ok", "en_US", "MARKETING", [HeaderMedia.image("h")]), "body"),
        (lambda wa: wa.templates.list(status="LIVE"), "status"),
        (lambda wa: wa.templates.get("../other"), "template_id"),
        (lambda wa: wa.templates.delete(name="Has Space"), "name"),
        (lambda wa: wa.templates.delete(name="ok", hsm_id="x"), "hsm_id"),
        (lambda wa: wa.templates.edit("1"), "at least one"),
        (lambda wa: wa.templates.edit("1", category="PROMO"), "category"),
        (lambda wa: wa.templates.edit("1", components=[Body(text="Hi {{2}}", examples=["a"])]), "body"),
        (lambda wa: wa.templates.analytics([], start=1, end=2), "template_ids"),
        (lambda wa: wa.templates.analytics(["1"], start=5, end=2), "end"),
        (lambda wa: wa.templates.analytics(["1"], start=1, end=2, metric_types=["VIEWS"]), "metric_types"),
    ],
)
async def test_refusals_send_nothing(wa: WhatsApp, recorder: Any, call: Any, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        await call(wa)
    assert recorder.requests == []


def _body(text: str = "Thanks for your order.") -> dict[str, Any]:
    return {"type": "BODY", "text": text}


def _buttons(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": "BUTTONS", "buttons": list(buttons)}


_QR = {"type": "QUICK_REPLY", "text": "Yes"}
_URL = {"type": "URL", "text": "Open", "url": "https://example.com"}
_PHONE = {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+15550001111"}
_CARD = {
    "components": [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1h"]}},
        _buttons(_QR),
    ]
}

# One case per local rule of the issue: (category, components, what the ValueError names).
RULES: list[tuple[str, str, list[dict[str, Any]], str]] = [
    (
        "header_text_over_60",
        "MARKETING",
        [{"type": "HEADER", "format": "TEXT", "text": "x" * 61}, _body()],
        "header",
    ),
    (
        "header_two_variables",
        "MARKETING",
        [{"type": "HEADER", "format": "TEXT", "text": "{{1}} {{2}}"}, _body()],
        "header",
    ),
    ("media_header_without_handle", "MARKETING", [{"type": "HEADER", "format": "IMAGE"}, _body()], "header"),
    ("body_over_1024", "MARKETING", [_body("x" * 1025)], "body"),
    ("footer_over_60", "MARKETING", [_body(), {"type": "FOOTER", "text": "x" * 61}], "footer"),
    ("more_than_10_buttons", "MARKETING", [_body(), _buttons(*[_QR] * 11)], "buttons"),
    ("three_url_buttons", "MARKETING", [_body(), _buttons(_URL, _URL, _URL)], "buttons"),
    ("two_phone_buttons", "MARKETING", [_body(), _buttons(_PHONE, _PHONE)], "buttons"),
    (
        "button_text_over_25",
        "MARKETING",
        [_body(), _buttons({"type": "QUICK_REPLY", "text": "x" * 26})],
        "buttons",
    ),
    (
        "url_over_2000",
        "MARKETING",
        [_body(), _buttons({**_URL, "url": "https://example.com/" + "x" * 2000})],
        "buttons",
    ),
    (
        "url_variable_without_example",
        "MARKETING",
        [_body(), _buttons({**_URL, "url": "https://example.com/{{1}}"})],
        "buttons",
    ),
    (
        "phone_over_20",
        "MARKETING",
        [_body(), _buttons({**_PHONE, "phone_number": "+1" + "5" * 20})],
        "buttons",
    ),
    (
        "copy_code_example_over_15",
        "MARKETING",
        [_body(), _buttons({"type": "COPY_CODE", "example": "x" * 16})],
        "buttons",
    ),
    (
        "code_expiry_over_90",
        "AUTHENTICATION",
        [
            {"type": "BODY"},
            {"type": "FOOTER", "code_expiration_minutes": 91},
            _buttons({"type": "OTP", "otp_type": "COPY_CODE"}),
        ],
        "footer",
    ),
    (
        "carousel_over_10_cards",
        "MARKETING",
        [_body(), {"type": "CAROUSEL", "cards": [_CARD] * 11}],
        "carousel",
    ),
    (
        "variables_with_a_gap",
        "MARKETING",
        [{"type": "BODY", "text": "Hi {{1}} and {{3}}.", "example": {"body_text": [["a", "b"]]}}],
        "body",
    ),
    (
        "named_and_positional_mixed",
        "MARKETING",
        [{"type": "BODY", "text": "Hi {{1}} and {{name}}.", "example": {"body_text": [["a", "b"]]}}],
        "body",
    ),
    ("variable_without_example", "MARKETING", [{"type": "BODY", "text": "Hi {{1}}, welcome."}], "body"),
    (
        "variable_at_the_end",
        "MARKETING",
        [{"type": "BODY", "text": "Your code is {{1}}", "example": {"body_text": [["a"]]}}],
        "body",
    ),
    (
        "authentication_with_a_header",
        "AUTHENTICATION",
        [{"type": "HEADER", "format": "TEXT", "text": "Code"}, {"type": "BODY"}],
        "header",
    ),
]


@pytest.mark.parametrize(
    ("category", "components", "where"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
async def test_every_local_rule_refuses_before_sending(
    wa: WhatsApp, recorder: Any, category: str, components: list[dict[str, Any]], where: str
) -> None:
    with pytest.raises(ValueError, match=where):
        await wa.templates.create("rule_check", "en_US", category, components)
    assert recorder.requests == []
