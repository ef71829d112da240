"""Template definitions: Meta's documented examples come out exactly, every local rule refuses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from meta_cloud_async._converter import converter
from meta_cloud_async._http import Response
from meta_cloud_async.errors import InvalidParameterError, TemplateCreationError, error_from_response
from meta_cloud_async.types.templates import (
    AndroidApp,
    Body,
    Buttons,
    Carousel,
    CarouselCard,
    CatalogButton,
    CopyCodeButton,
    FlowButton,
    Footer,
    HeaderLocation,
    HeaderMedia,
    HeaderText,
    LimitedTimeOffer,
    MultiProductButton,
    OtpCopyCodeButton,
    OtpOneTapButton,
    OtpZeroTapButton,
    PhoneNumberButton,
    QuickReplyButton,
    Template,
    UrlButton,
    VoiceCallButton,
    authentication_template,
    build_template_body,
    check_send_parameters,
)

HANDLE = "4::aW1hZ2UvanBlZw==:ARZb2VCv0dKzlM3kFdKcNQ6bfgvIRB1xkk7dZhkZGq_eXamplE"
DOC_HANDLE = "4::YXBwbGljYXRpb24vcGRm:ARYJ8d6eeVkvfIVZLNAszOzRPpbGBsprD7xjJL0pLqf_eXamplE"


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- Meta's documentation examples, built with the builders ------------------------------


def test_marketing_with_image_header_and_quick_replies() -> None:
    expected = {
        "name": "seasonal_promotion",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [HANDLE]}},
            {
                "type": "BODY",
                "text": "Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.",
                "example": {"body_text": [["the end of August", "25OFF", "25%"]]},
            },
            {"type": "FOOTER", "text": "Use the buttons below to manage your marketing subscriptions"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Unsubscribe from Promos"},
                    {"type": "QUICK_REPLY", "text": "Unsubscribe from All"},
                ],
            },
        ],
    }
    body = build_template_body(
        "seasonal_promotion",
        "en_US",
        "MARKETING",
        [
            HeaderMedia.image(HANDLE),
            Body(
                text="Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.",
                examples=["the end of August", "25OFF", "25%"],
            ),
            Footer(text="Use the buttons below to manage your marketing subscriptions"),
            Buttons(
                buttons=[
                    QuickReplyButton(text="Unsubscribe from Promos"),
                    QuickReplyButton(text="Unsubscribe from All"),
                ]
            ),
        ],
    )
    assert dumps(body) == dumps(expected)


def test_marketing_text_header_with_example() -> None:
    body = build_template_body(
        "seasonal_promotion_text",
        "en_US",
        "MARKETING",
        [
            HeaderText(text="Our {{1}} is on!", example="Summer Sale"),
            Body(text="Shop now, {{1}}!", examples=["Pablo"]),
        ],
    )
    assert body["components"][0] == {
        "type": "HEADER",
        "format": "TEXT",
        "text": "Our {{1}} is on!",
        "example": {"header_text": ["Summer Sale"]},
    }


def test_utility_with_document_header() -> None:
    text = (
        "Thank you for your order, {{1}}! Your order number is {{2}}. Tap the PDF linked above to view "
        "your receipt. If you have any questions, please use the buttons below to contact support. "
        "Thank you for being a customer!"
    )
    expected = {
        "name": "order_confirmation",
        "language": "en_US",
        "category": "UTILITY",
        "components": [
            {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": [DOC_HANDLE]}},
            {"type": "BODY", "text": text, "example": {"body_text": [["Pablo", "860198-230332"]]}},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "15550051310"},
                    {"type": "URL", "text": "Contact Support", "url": "https://www.luckyshrub.com/support"},
                ],
            },
        ],
    }
    body = build_template_body(
        "order_confirmation",
        "en_US",
        "UTILITY",
        [
            HeaderMedia.document(DOC_HANDLE),
            Body(text=text, examples=["Pablo", "860198-230332"]),
            Buttons(
                buttons=[
                    PhoneNumberButton(text="Call", phone_number="15550051310"),
                    UrlButton(text="Contact Support", url="https://www.luckyshrub.com/support"),
                ]
            ),
        ],
    )
    assert dumps(body) == dumps(expected)


def test_authentication_copy_code() -> None:
    expected = {
        "name": "authentication_code_copy_code_button",
        "language": "en_US",
        "category": "AUTHENTICATION",
        "message_send_ttl_seconds": 60,
        "components": [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "FOOTER", "code_expiration_minutes": 5},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy Code"}]},
        ],
    }
    body = authentication_template(
        "authentication_code_copy_code_button",
        "en_US",
        button=OtpCopyCodeButton(text="Copy Code"),
        add_security_recommendation=True,
        code_expiration_minutes=5,
        message_send_ttl_seconds=60,
    )
    assert dumps(body) == dumps(expected)


def test_authentication_one_tap() -> None:
    expected = {
        "name": "authentication_code_autofill_button",
        "language": "en_US",
        "category": "AUTHENTICATION",
        "message_send_ttl_seconds": 60,
        "components": [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "FOOTER", "code_expiration_minutes": 10},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "OTP",
                        "otp_type": "ONE_TAP",
                        "text": "Copy Code",
                        "autofill_text": "Autofill",
                        "supported_apps": [
                            {"package_name": "com.example.luckyshrub", "signature_hash": "K8a/AINcGX7"}
                        ],
                    }
                ],
            },
        ],
    }
    body = authentication_template(
        "authentication_code_autofill_button",
        "en_US",
        button=OtpOneTapButton(
            text="Copy Code",
            autofill_text="Autofill",
            supported_apps=[AndroidApp(package_name="com.example.luckyshrub", signature_hash="K8a/AINcGX7")],
        ),
        add_security_recommendation=True,
        code_expiration_minutes=10,
        message_send_ttl_seconds=60,
    )
    assert dumps(body) == dumps(expected)


def test_authentication_zero_tap() -> None:
    button = OtpZeroTapButton(
        text="Copy Code",
        autofill_text="Autofill",
        zero_tap_terms_accepted=True,
        supported_apps=[AndroidApp(package_name="com.example.luckyshrub", signature_hash="K8a/AINcGX7")],
    )
    body = authentication_template("zero_tap_auth_template", "en_US", button=button)
    assert dumps(body["components"][1]["buttons"][0]) == dumps(
        {
            "type": "OTP",
            "otp_type": "ZERO_TAP",
            "text": "Copy Code",
            "autofill_text": "Autofill",
            "zero_tap_terms_accepted": True,
            "supported_apps": [{"package_name": "com.example.luckyshrub", "signature_hash": "K8a/AINcGX7"}],
        }
    )


def _card(handle: str, code: str, pct: str, url: str, example: str) -> dict[str, Any]:
    return {
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [handle]}},
            {
                "type": "BODY",
                "text": "Use code {{1}} to get {{2}} off our newest succulent!",
                "example": {"body_text": [[code, pct]]},
            },
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Send more like this"},
                    {"type": "URL", "text": "Buy now", "url": url, "example": [example]},
                ],
            },
        ]
    }


CAROUSEL_BODY = "Summer is here, and we have the freshest produce around! Use code {{1}} to get {{2}} off your next order."


def test_carousel() -> None:
    url = "https://www.luckyshrub.com/shop?promo={{1}}"
    expected = {
        "name": "summer_carousel_promo_2023",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {"type": "BODY", "text": CAROUSEL_BODY, "example": {"body_text": [["15OFF", "15%"]]}},
            {
                "type": "CAROUSEL",
                "cards": [
                    _card(
                        HANDLE,
                        "15OFF",
                        "15%",
                        url,
                        "https://www.luckyshrub.com/shop?promo=calathea_rattlesnake",
                    ),
                    _card(HANDLE, "17OFF", "17%", url, "https://www.luckyshrub.com/shop?promo=aloe_vera"),
                ],
            },
        ],
    }

    def card(code: str, pct: str, example: str) -> CarouselCard:
        return CarouselCard(
            components=[
                HeaderMedia.image(HANDLE),
                Body(text="Use code {{1}} to get {{2}} off our newest succulent!", examples=[code, pct]),
                Buttons(
                    buttons=[
                        QuickReplyButton(text="Send more like this"),
                        UrlButton(text="Buy now", url=url, example=example),
                    ]
                ),
            ]
        )

    body = build_template_body(
        "summer_carousel_promo_2023",
        "en_US",
        "MARKETING",
        [
            Body(text=CAROUSEL_BODY, examples=["15OFF", "15%"]),
            Carousel(
                cards=[
                    card("15OFF", "15%", "https://www.luckyshrub.com/shop?promo=calathea_rattlesnake"),
                    card("17OFF", "17%", "https://www.luckyshrub.com/shop?promo=aloe_vera"),
                ]
            ),
        ],
    )
    assert dumps(body) == dumps(expected)


LTO_DOC: dict[str, Any] = {
    "name": "limited_time_offer_caribbean_pkg_2023",
    "language": "en_US",
    "category": "marketing",
    "components": [
        {"type": "header", "format": "image", "example": {"header_handle": [HANDLE]}},
        {
            "type": "limited_time_offer",
            "limited_time_offer": {"text": "Expiring offer!", "has_expiration": True},
        },
        {
            "type": "body",
            "text": "Good news, {{1}}! Use code {{2}} to get 25% off all Caribbean Destination packages!",
            "example": {"body_text": [["Pablo", "CARIBE25"]]},
        },
        {
            "type": "buttons",
            "buttons": [
                {"type": "copy_code", "example": "CARIBE25"},
                {
                    "type": "url",
                    "text": "Book now!",
                    "url": "https://awesomedestinations.com/offers?code={{1}}",
                    "example": ["https://awesomedestinations.com/offers?ref=n3mtql"],
                },
            ],
        },
    ],
}


def test_limited_time_offer_builders() -> None:
    body = build_template_body(
        "limited_time_offer_caribbean_pkg_2023",
        "en_US",
        "MARKETING",
        [
            HeaderMedia.image(HANDLE),
            LimitedTimeOffer(text="Expiring offer!"),
            Body(
                text="Good news, {{1}}! Use code {{2}} to get 25% off all Caribbean Destination packages!",
                examples=["Pablo", "CARIBE25"],
            ),
            Buttons(
                buttons=[
                    CopyCodeButton(example="CARIBE25"),
                    UrlButton(
                        text="Book now!",
                        url="https://awesomedestinations.com/offers?code={{1}}",
                        example="https://awesomedestinations.com/offers?ref=n3mtql",
                    ),
                ]
            ),
        ],
    )
    # Meta's example spells the enum values in lower case; ours are upper case, as in its other examples.
    expected = json.loads(json.dumps(LTO_DOC).replace('"marketing"', '"MARKETING"'))
    for c in expected["components"]:
        c["type"] = c["type"].upper()
        if "format" in c:
            c["format"] = c["format"].upper()
        for b in c.get("buttons", []):
            b["type"] = b["type"].upper()
    assert dumps(body) == dumps(expected)


def test_wire_dicts_pass_through_unchanged() -> None:
    original = copy.deepcopy(LTO_DOC)
    body = build_template_body(
        LTO_DOC["name"], LTO_DOC["language"], LTO_DOC["category"], LTO_DOC["components"]
    )
    assert dumps(body) == dumps(original)
    assert body["components"][1] is LTO_DOC["components"][1]
    assert original == LTO_DOC


def test_catalog() -> None:
    text = (
        "Now shop for your favourite products right here on WhatsApp! Get Rs {{1}} off on all orders above "
        "{{2}}Rs! Valid for your first {{3}} orders placed on WhatsApp!"
    )
    expected = {
        "name": "intro_catalog_offer",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {"type": "BODY", "text": text, "example": {"body_text": [["100", "400", "3"]]}},
            {"type": "FOOTER", "text": "Best grocery deals on WhatsApp!"},
            {"type": "BUTTONS", "buttons": [{"type": "CATALOG", "text": "View catalog"}]},
        ],
    }
    body = build_template_body(
        "intro_catalog_offer",
        "en_US",
        "MARKETING",
        [
            Body(text=text, examples=["100", "400", "3"]),
            Footer(text="Best grocery deals on WhatsApp!"),
            Buttons(buttons=[CatalogButton(text="View catalog")]),
        ],
    )
    assert dumps(body) == dumps(expected)


def test_named_variables_set_parameter_format() -> None:
    body = build_template_body(
        "order_named",
        "en_US",
        "UTILITY",
        [
            HeaderText(text="Order {{order_id}}", example="860198"),
            Body(
                text="Thank you, {{first_name}}! Your order {{order_id}} ships today.",
                examples={"order_id": "860198", "first_name": "Pablo"},
            ),
        ],
    )
    assert body["parameter_format"] == "NAMED"
    assert body["components"][0]["example"] == {
        "header_text_named_params": [{"param_name": "order_id", "example": "860198"}]
    }
    assert body["components"][1]["example"] == {
        "body_text_named_params": [
            {"param_name": "first_name", "example": "Pablo"},
            {"param_name": "order_id", "example": "860198"},
        ]
    }


def test_other_buttons_and_location_header() -> None:
    body = build_template_body(
        "many_buttons",
        "en_US",
        "MARKETING",
        [
            HeaderLocation(),
            Body(text="Hello there, see our offers"),
            Buttons(
                buttons=[
                    FlowButton(text="Book", flow_id="123", flow_action="navigate", navigate_screen="WELCOME"),
                    MultiProductButton(text="View items"),
                    VoiceCallButton(text="Call now"),
                ]
            ),
        ],
        allow_category_change=True,
    )
    assert body["allow_category_change"] is True
    assert body["components"][0] == {"type": "HEADER", "format": "LOCATION"}
    assert body["components"][2]["buttons"] == [
        {
            "type": "FLOW",
            "text": "Book",
            "flow_id": "123",
            "flow_action": "navigate",
            "navigate_screen": "WELCOME",
        },
        {"type": "MPM", "text": "View items"},
        {"type": "VOICE_CALL", "text": "Call now"},
    ]


# -- every local rule refuses -------------------------------------------------------------

OK_BODY = {"type": "BODY", "text": "Hello there"}


def refuse(
    match: str, components: list[Any], *, category: str = "MARKETING", name: str = "ok", **kw: Any
) -> None:
    with pytest.raises(ValueError, match=match):
        build_template_body(name, "en_US", category, components, **kw)


@pytest.mark.parametrize("name", ["Upper", "has-dash", "space here", "", "é"])
def test_refuses_bad_names(name: str) -> None:
    refuse("name", [OK_BODY], name=name)


def test_refuses_long_name() -> None:
    refuse("name: at most 512", [OK_BODY], name="a" * 513)
    build_template_body("a" * 512, "en_US", "MARKETING", [OK_BODY])


def test_refuses_language_and_category() -> None:
    with pytest.raises(ValueError, match="language"):
        build_template_body("ok", "english", "MARKETING", [OK_BODY])
    refuse("category", [OK_BODY], category="PROMO")


def test_refuses_header_text_over_60_and_two_variables() -> None:
    refuse("header: 'text' has 61", [{"type": "HEADER", "format": "TEXT", "text": "x" * 61}, OK_BODY])
    refuse(
        "header: at most one variable",
        [
            {"type": "HEADER", "format": "TEXT", "text": "{{1}} {{2}}", "example": {"header_text": ["a"]}},
            OK_BODY,
        ],
    )
    refuse(
        "header: a variable needs example",
        [{"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}"}, OK_BODY],
    )


def test_refuses_media_header_without_handle() -> None:
    refuse(
        "header: a IMAGE header needs example.header_handle", [{"type": "HEADER", "format": "IMAGE"}, OK_BODY]
    )


def test_refuses_body_over_1024() -> None:
    refuse("body: 'text' has 1025", [{"type": "BODY", "text": "x" * 1025}])
    build_template_body("ok", "en_US", "MARKETING", [{"type": "BODY", "text": "x" * 1024}])


def test_refuses_footer_over_60() -> None:
    refuse("footer: 'text' has 61", [OK_BODY, Footer(text="x" * 61)])


def test_refuses_more_than_ten_buttons() -> None:
    refuse(
        "buttons: at most 10", [OK_BODY, Buttons(buttons=[QuickReplyButton(text=f"b{i}") for i in range(11)])]
    )


def test_refuses_three_url_buttons() -> None:
    urls = [UrlButton(text=f"u{i}", url="https://example.com") for i in range(3)]
    refuse("buttons: at most 2 URL", [OK_BODY, Buttons(buttons=urls)])


def test_refuses_two_phone_buttons() -> None:
    phones = [PhoneNumberButton(text=f"p{i}", phone_number="15550051310") for i in range(2)]
    refuse("buttons: at most 1 phone", [OK_BODY, Buttons(buttons=phones)])


def test_refuses_button_text_over_25() -> None:
    refuse(r"buttons\[0\]: 'text' has 26", [OK_BODY, Buttons(buttons=[QuickReplyButton(text="x" * 26)])])


def test_refuses_url_over_2000() -> None:
    url = "https://example.com/" + "x" * 1981
    refuse(r"buttons\[0\]: 'url' has 2001", [OK_BODY, Buttons(buttons=[UrlButton(text="Go", url=url)])])


def test_refuses_url_variable_without_example() -> None:
    refuse("needs 'example'", [OK_BODY, Buttons(buttons=[UrlButton(text="Go", url="https://x.com/{{1}}")])])


def test_refuses_phone_over_20() -> None:
    refuse(
        "'phone_number' has 21",
        [OK_BODY, Buttons(buttons=[PhoneNumberButton(text="Call", phone_number="1" * 21)])],
    )


def test_refuses_copy_code_example_over_15() -> None:
    refuse("'example' has 16", [OK_BODY, Buttons(buttons=[CopyCodeButton(example="C" * 16)])])


@pytest.mark.parametrize("minutes", [0, 91, True, "5"])
def test_refuses_code_expiration_out_of_range(minutes: Any) -> None:
    with pytest.raises(ValueError, match="footer: code_expiration_minutes"):
        authentication_template("otp", "en_US", button=OtpCopyCodeButton(), code_expiration_minutes=minutes)


def test_code_expiration_bounds_accepted() -> None:
    for minutes in (1, 90):
        authentication_template("otp", "en_US", button=OtpCopyCodeButton(), code_expiration_minutes=minutes)


def test_refuses_authentication_free_text_and_foreign_buttons() -> None:
    button = {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]}
    refuse(
        "body: authentication templates use Meta's fixed text", [OK_BODY, button], category="AUTHENTICATION"
    )
    refuse(
        "authentication templates take one OTP button",
        [{"type": "BODY"}, {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "x"}]}],
        category="AUTHENTICATION",
    )
    refuse("OTP buttons belong", [OK_BODY, button])


def test_refuses_zero_tap_without_terms_and_one_tap_without_apps() -> None:
    zero = OtpZeroTapButton(
        supported_apps=[AndroidApp(package_name="com.x", signature_hash="h")], zero_tap_terms_accepted=False
    )
    with pytest.raises(ValueError, match="zero_tap_terms_accepted"):
        authentication_template("otp", "en_US", button=zero)
    with pytest.raises(ValueError, match="supported_apps"):
        authentication_template("otp", "en_US", button=OtpOneTapButton(supported_apps=[]))


def test_refuses_more_than_ten_cards() -> None:
    card = _card(HANDLE, "A", "B", "https://x.com/{{1}}", "https://x.com/a")
    refuse("carousel: at most 10 cards", [OK_BODY, {"type": "CAROUSEL", "cards": [card] * 11}])


def test_refuses_variable_gaps() -> None:
    refuse(
        "numbered from",
        [{"type": "BODY", "text": "Hi {{1}} and {{3}}.", "example": {"body_text": [["a", "b"]]}}],
    )
    refuse("numbered from", [{"type": "BODY", "text": "Hi {{2}}.", "example": {"body_text": [["a"]]}}])


def test_refuses_mixed_variables() -> None:
    refuse("mixes named and positional", [{"type": "BODY", "text": "Hi {{1}} and {{name}}."}])
    refuse(
        "mixes named and positional",
        [
            {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}", "example": {"header_text": ["a"]}},
            Body(text="Dear {{name}}, ok", examples={"name": "Pablo"}),
        ],
    )
    refuse(
        "parameter_format: 'POSITIONAL'",
        [Body(text="Dear {{name}}, ok", examples={"name": "P"})],
        parameter_format="POSITIONAL",
    )


def test_refuses_missing_examples() -> None:
    refuse("body: 2 variable", [{"type": "BODY", "text": "Hi {{1}} and {{2}}."}])
    refuse("body: 2 variable", [Body(text="Hi {{1}} and {{2}}.", examples=["only one"])])
    refuse("no example for variable", [Body(text="Hi {{first}} and {{last}}.", examples={"first": "P"})])


def test_refuses_variable_at_start_or_end() -> None:
    refuse("very start or end", [Body(text="{{1}}, hello", examples=["P"])])
    refuse("very start or end", [Body(text="Hello {{1}}", examples=["P"])])


def test_refuses_bad_variable_names_and_structure() -> None:
    refuse("neither positional", [{"type": "BODY", "text": "Hi {{First Name}}."}])
    refuse("body: every template needs a BODY", [Footer(text="x")])
    refuse("at most one BODY", [OK_BODY, OK_BODY])
    refuse("unknown component", [OK_BODY, {"type": "STICKER"}])
    with pytest.raises(TypeError):
        build_template_body("ok", "en_US", "MARKETING", [object()])  # type: ignore[list-item]


def test_refuses_lto_and_carousel_outside_marketing() -> None:
    refuse(
        "limited_time_offer: limited-time offers", [OK_BODY, LimitedTimeOffer(text="x")], category="UTILITY"
    )
    refuse("limited_time_offer: 'text' has 17", [OK_BODY, LimitedTimeOffer(text="x" * 17)])
    refuse("footer: limited-time offer", [OK_BODY, LimitedTimeOffer(text="x"), Footer(text="f")])
    refuse("body: at most 600", [{"type": "BODY", "text": "x" * 601}, LimitedTimeOffer(text="x")])


# -- the Template model and send-time checks -----------------------------------------------

TEMPLATE_JSON: dict[str, Any] = {
    "id": "594425479261596",
    "name": "order_confirmation",
    "language": "en_US",
    "status": "APPROVED",
    "category": "UTILITY",
    "parameter_format": "POSITIONAL",
    "quality_score": {"score": "GREEN", "date": 1700000000},
    "components": [
        {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": [DOC_HANDLE]}},
        {"type": "BODY", "text": "Thanks {{1}}, order {{2}} is in.", "example": {"body_text": [["P", "8"]]}},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Stop"},
                {
                    "type": "URL",
                    "text": "Track",
                    "url": "https://x.com/t/{{1}}",
                    "example": ["https://x.com/t/1"],
                },
            ],
        },
    ],
    "unknown_new_field": 1,
}


def template() -> Template:
    return converter.structure(TEMPLATE_JSON, Template)


def test_template_structures_from_meta_json() -> None:
    t = template()
    assert t.status == "APPROVED" and t.quality_score is not None and t.quality_score.score == "GREEN"
    assert t.component("body") is not None


GOOD_SEND = [
    {"type": "header", "parameters": [{"type": "document", "document": {"id": "1"}}]},
    {"type": "body", "parameters": [{"type": "text", "text": "Pablo"}, {"type": "text", "text": "860198"}]},
    {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "860198"}]},
]


def test_send_parameters_accepted() -> None:
    check_send_parameters(template(), GOOD_SEND)


@pytest.mark.parametrize(
    ("index", "replacement", "match"),
    [
        (1, {"type": "body", "parameters": [{"type": "text", "text": "P"}]}, "expects 2 parameter"),
        (
            0,
            {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]},
            "header is DOCUMENT",
        ),
        (2, {"type": "button", "sub_type": "url", "index": "5", "parameters": []}, "index 5"),
        (
            2,
            {"type": "button", "sub_type": "quick_reply", "index": "1", "parameters": []},
            "sub_type must be 'url'",
        ),
        (
            1,
            {"type": "body", "parameters": [{"type": "image", "image": {}}, {"type": "text", "text": "x"}]},
            "parameter 0 has type",
        ),
    ],
)
def test_send_parameters_refused(index: int, replacement: dict[str, Any], match: str) -> None:
    send = list(GOOD_SEND)
    send[index] = replacement
    with pytest.raises(ValueError, match=match):
        check_send_parameters(template(), send)


def test_send_parameters_missing_header_and_button() -> None:
    with pytest.raises(ValueError, match="header: the template has a DOCUMENT header"):
        check_send_parameters(template(), GOOD_SEND[1:])
    with pytest.raises(ValueError, match=r"index 1 \(URL\) needs a parameter"):
        check_send_parameters(template(), GOOD_SEND[:2])


def test_send_parameters_named() -> None:
    t = Template(
        id="1",
        category="UTILITY",
        parameter_format="NAMED",
        components=[{"type": "BODY", "text": "Hi {{first_name}}, order {{order_id}} ok"}],
    )
    ok: list[dict[str, Any]] = [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "order_id", "text": "1"},
                {"type": "text", "parameter_name": "first_name", "text": "P"},
            ],
        }
    ]
    check_send_parameters(t, ok)
    bad = copy.deepcopy(ok)
    bad[0]["parameters"][0]["parameter_name"] = "order"
    with pytest.raises(ValueError, match="named parameters"):
        check_send_parameters(t, bad)


def test_send_parameters_authentication() -> None:
    t = converter.structure(
        {"id": "9", **authentication_template("otp", "en_US", button=OtpCopyCodeButton())}, Template
    )
    code = [{"type": "text", "text": "123456"}]
    check_send_parameters(
        t,
        [
            {"type": "body", "parameters": code},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": code},
        ],
    )
    with pytest.raises(ValueError, match=r"index 0 \(OTP\) needs a parameter"):
        check_send_parameters(t, [{"type": "body", "parameters": code}])


def test_send_parameters_carousel() -> None:
    body = build_template_body(
        "c",
        "en_US",
        "MARKETING",
        [
            OK_BODY,
            {
                "type": "CAROUSEL",
                "cards": [_card(HANDLE, "a", "b", "https://x.com/{{1}}", "https://x.com/a")],
            },
        ],
    )
    t = Template(id="1", category="MARKETING", components=body["components"])
    card: dict[str, Any] = {
        "card_index": 0,
        "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]},
            {"type": "body", "parameters": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
            {
                "type": "button",
                "sub_type": "url",
                "index": "1",
                "parameters": [{"type": "text", "text": "a"}],
            },
        ],
    }
    check_send_parameters(t, [{"type": "carousel", "cards": [card]}])
    card["components"] = card["components"][:2]
    with pytest.raises(ValueError, match=r"carousel.cards\[0\]: button"):
        check_send_parameters(t, [{"type": "carousel", "cards": [card]}])


# -- Meta's creation errors -------------------------------------------------------------------


def test_creation_errors_are_typed() -> None:
    payload = {
        "error": {
            "message": "Invalid parameter",
            "type": "OAuthException",
            "code": 100,
            "error_subcode": 2388299,
            "error_user_title": "Variables can't be at the start or end of the template",
            "error_user_msg": "Variables can't be at the start or end of the template.",
            "fbtrace_id": "A1",
        }
    }
    error = error_from_response(Response(status_code=400, headers={}, content=json.dumps(payload).encode()))
    assert isinstance(error, TemplateCreationError) and isinstance(error, InvalidParameterError)
    assert error.error_user_title == "Variables can't be at the start or end of the template"
    assert error.error_user_msg == "Variables can't be at the start or end of the template."
    payload["error"]["error_subcode"] = 33
    other = error_from_response(Response(status_code=400, headers={}, content=json.dumps(payload).encode()))
    assert type(other) is InvalidParameterError


# -- against Meta's OpenAPI document ------------------------------------------------------------


def test_built_bodies_match_the_spec_and_its_examples(spec: Any) -> None:
    """Every body built here validates against the create operation's schema, and the spec's own
    examples pass our local checks unchanged."""
    _, path, operation = spec.operations["createAuthenticationTemplateWOtpCopyCodeButton"]
    assert path.endswith("/message_templates")
    content = spec.deref(operation["requestBody"])["content"]["application/json"]
    bodies = [
        authentication_template(
            "otp", "en_US", button=OtpCopyCodeButton(text="Copy Code"), code_expiration_minutes=5
        ),
        build_template_body(LTO_DOC["name"], "en_US", "MARKETING", LTO_DOC["components"]),
        build_template_body(
            "named", "en_US", "UTILITY", [Body(text="Hi {{name}}, ok", examples={"name": "P"})]
        ),
    ]
    for body in bodies:
        assert not spec.schema_errors(body, content["schema"]), body["name"]
    examples = content.get("examples", {})
    assert examples, "the spec carries template examples"
    for title, example in examples.items():
        value = spec.deref(example)["value"]
        if "<" in value["name"]:  # placeholders such as <TEMPLATE_NAME>
            value = {**value, "name": "spec_example"}
        flows = [
            b
            for c in value["components"]
            for b in c.get("buttons", [])
            if isinstance(b, dict) and str(b.get("type")).upper() == "FLOW"
        ]
        body = build_template_body(value["name"], value["language"], value["category"], value["components"])
        assert body["components"] == value["components"], title
        assert all("flow_id" in b or "flow_name" in b or "flow_json" in b for b in flows)
