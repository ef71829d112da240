"""wa.app: the app's webhook registration (form, app token), client businesses, solutions."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest

from meta_cloud_async import MockTransport, WhatsApp
from meta_cloud_async.types.app import SubscribeAppWebhooksRequest

BASE = "https://graph.facebook.com/v23.0/"
APP_TOKEN = "9012|app-secret-value"


@pytest.fixture
def app_wa(recorder: Any) -> WhatsApp:
    return WhatsApp(
        access_token="EAAuser",
        app_id="9012",
        transport=MockTransport(recorder),
        retry=None,
        rate_limit=None,
    )


def form(content: bytes) -> dict[str, str]:
    return dict(parse_qsl(content.decode(), keep_blank_values=True))


async def test_subscribe_webhooks_sends_graph_form_with_the_app_token(
    app_wa: WhatsApp, recorder: Any
) -> None:
    result = await app_wa.with_options(access_token=APP_TOKEN).app.subscribe_webhooks(
        "https://hooks.example.com/wa", "verify-me", fields=["messages", "message_template_status_update"]
    )
    assert result.success
    request = recorder.last
    assert request.method == "POST" and request.url == BASE + "9012/subscriptions"
    assert request.headers["authorization"] == f"Bearer {APP_TOKEN}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(request.content) == {
        "object": "whatsapp_business_account",
        "callback_url": "https://hooks.example.com/wa",
        "verify_token": "verify-me",
        "fields": "messages,message_template_status_update",
    }
    assert request.meta.idempotent
    assert "verify-me" not in repr(
        SubscribeAppWebhooksRequest(callback_url="https://h.example.com", verify_token="verify-me")
    )


async def test_include_values_and_unsubscribe_and_list(app_wa: WhatsApp, recorder: Any) -> None:
    await app_wa.app.subscribe_webhooks(
        "https://h.example.com/x", "t", fields="messages", include_values=True
    )
    assert form(recorder.last.content)["include_values"] == "true"
    await app_wa.app.unsubscribe_webhooks(fields=["messages"])
    assert recorder.last.method == "DELETE"
    assert form(recorder.last.content) == {"object": "whatsapp_business_account", "fields": "messages"}
    await app_wa.app.unsubscribe_webhooks()
    assert form(recorder.last.content) == {"object": "whatsapp_business_account"}
    recorder.reply(
        {
            "data": [
                {
                    "object": "whatsapp_business_account",
                    "callback_url": "https://h.example.com/x",
                    "active": True,
                    "fields": [{"name": "messages", "version": "v23.0"}],
                }
            ]
        }
    )
    subs = await app_wa.app.webhook_subscriptions()
    assert subs.data[0].fields[0].name == "messages" and subs.data[0].active


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("http://h.example.com", "t"), {}),
        (("https://h.example.com", ""), {}),
        (("https://h.example.com", "has space"), {}),
        (("https://h.example.com", "t"), {"fields": ["a,b"]}),
        (("https://h.example.com", "t"), {"object": "galaxy"}),
    ],
)
async def test_subscribe_refusals_send_nothing(
    app_wa: WhatsApp, recorder: Any, args: Any, kwargs: Any
) -> None:
    with pytest.raises(ValueError):
        await app_wa.app.subscribe_webhooks(*args, **kwargs)
    assert recorder.requests == []


async def test_app_id_is_required(recorder: Any) -> None:
    wa = WhatsApp(access_token="x", transport=MockTransport(recorder), retry=None, rate_limit=None)
    with pytest.raises(ValueError, match="app_id"):
        await wa.app.webhook_subscriptions()
    assert recorder.requests == []


async def test_client_businesses_and_solutions(app_wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": [{"id": "1", "name": "Client A", "verification_status": "VERIFIED"}]})
    names = [b.name async for b in app_wa.app.connected_client_businesses(limit=10)]
    assert names == ["Client A"] and recorder.last.url == BASE + "9012/connected_client_businesses?limit=10"
    recorder.reply({"solution_id": "123"})
    created = await app_wa.app.create_solution(solution_name="Joint", partner_app_id="456")
    assert created.solution_id == "123"
    assert recorder.body() == {
        "solution_name": "Joint",
        "partner_app_id": "456",
        "owner_permissions": [],
        "partner_permissions": [],
    }
    with pytest.raises(ValueError):
        await app_wa.app.create_solution(solution_name="J", partner_app_id="456")
    with pytest.raises(ValueError):
        await app_wa.app.create_solution(
            solution_name="Joint",
            partner_app_id="456",
            owner_permissions=["MANAGE"],  # type: ignore[list-item]
        )
    await app_wa.app.solutions(role="PARTNER")
    assert recorder.last.url == BASE + "9012/whatsapp_business_solutions?role=PARTNER"
