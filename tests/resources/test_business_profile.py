"""wa.business_profile: get (unwraps ``data``), update (limits, Literal vertical), by profile id."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.errors import UnexpectedResponseError
from meta_cloud_async.types.business_profile import VERTICALS, BusinessProfile, BusinessProfileNode

URL = "https://graph.facebook.com/v23.0/1234/whatsapp_business_profile"


async def test_get_unwraps_the_one_profile(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {"data": [{"messaging_product": "whatsapp", "about": "Hi", "websites": ["https://a.example"]}]}
    )
    profile = await wa.business_profile.get(fields=["about", "websites"])
    assert profile == BusinessProfile(
        messaging_product="whatsapp", about="Hi", websites=["https://a.example"]
    )
    assert recorder.last.method == "GET"
    assert recorder.last.url.split("?")[0] == URL
    assert parse_qs(urlsplit(recorder.last.url).query) == {"fields": ["about,websites"]}


async def test_get_with_no_data_item_is_an_unexpected_response(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": []})
    with pytest.raises(UnexpectedResponseError):
        await wa.business_profile.get()


async def test_update_sends_only_the_given_fields(wa: WhatsApp, recorder: Any) -> None:
    result = await wa.business_profile.update(
        about="Fresh bread", vertical="RESTAURANT", websites=("https://a.example", "https://b.example/x")
    )
    assert result.success is True
    assert recorder.last.method == "POST" and recorder.last.url == URL
    assert recorder.body() == {
        "messaging_product": "whatsapp",
        "about": "Fresh bread",
        "vertical": "RESTAURANT",
        "websites": ["https://a.example", "https://b.example/x"],
    }
    assert recorder.last.meta.idempotent is True


async def test_update_picture_by_handle_and_long_description(wa: WhatsApp, recorder: Any) -> None:
    await wa.business_profile.update(profile_picture_handle="4::aW1h:ARb", description="d" * 512)
    assert recorder.body() == {
        "messaging_product": "whatsapp",
        "profile_picture_handle": "4::aW1h:ARb",
        "description": "d" * 512,
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"about": "a" * 140}, "about"),
        ({"about": ""}, "about"),
        ({"description": "d" * 513}, "description"),
        ({"address": "x" * 257}, "address"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@" + "b" * 130 + ".com"}, "email"),
        ({"vertical": "BAKERY"}, "vertical"),
        ({"websites": ["https://a.example", "https://b.example", "https://c.example"]}, "websites"),
        ({"websites": ["ftp://a.example"]}, "websites"),
        ({"profile_picture_handle": " "}, "profile_picture_handle"),
        ({}, "nothing to update"),
    ],
)
async def test_bad_updates_are_refused_before_sending(
    wa: WhatsApp, recorder: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=field):
        await wa.business_profile.update(**kwargs)
    assert recorder.requests == []


def test_verticals_are_the_spec_enum(spec: Any) -> None:
    body = spec.deref(spec.operations["updateWhatsAppBusinessProfileInformation"][2]["requestBody"])
    schema = spec.deref(body["content"]["application/json"]["schema"])
    assert set(spec.deref(schema["properties"]["vertical"])["enum"]) == VERTICALS


async def test_by_profile_id(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "998877", "about": "Hi", "account_name": "Bakery"})
    node = await wa.business_profile.get_by_id(profile_id="998877", fields="about")
    assert node == BusinessProfileNode(id="998877", about="Hi", account_name="Bakery")
    assert recorder.last.url == "https://graph.facebook.com/v23.0/998877?fields=about"
    await wa.business_profile.update_by_id(profile_id="998877", email="hello@example.com")
    assert recorder.last.url == "https://graph.facebook.com/v23.0/998877"
    assert recorder.body() == {"messaging_product": "whatsapp", "email": "hello@example.com"}
    with pytest.raises(ValueError, match="profile_id"):
        await wa.business_profile.get_by_id(profile_id="../1234")
    assert len(recorder.requests) == 2
