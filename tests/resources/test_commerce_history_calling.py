"""wa.commerce (query parameters on a POST), wa.message_history (paginators), wa.calling."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.types.commerce import CommerceSettings

BASE = "https://graph.facebook.com/v23.0"
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"


async def test_commerce_get_and_update_in_the_query(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": [{"id": "c1", "is_cart_enabled": True, "is_catalog_visible": True}]})
    assert await wa.commerce.get() == CommerceSettings(id="c1", is_cart_enabled=True, is_catalog_visible=True)
    recorder.reply({"data": []})
    assert await wa.commerce.get() == CommerceSettings()
    await wa.commerce.update(is_cart_enabled=False)
    request = recorder.last
    assert request.method == "POST"
    assert request.url == f"{BASE}/1234/whatsapp_commerce_settings?is_cart_enabled=false"
    assert request.content == b"" and "content-type" not in request.headers
    with pytest.raises(ValueError, match="nothing to update"):
        await wa.commerce.update()
    with pytest.raises(TypeError):
        await wa.commerce.update(is_cart_enabled="yes")  # type: ignore[arg-type]
    assert len(recorder.requests) == 3


async def test_message_history_and_events(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "data": [
                {
                    "id": "h1",
                    "message_id": "wamid.X",
                    "events": {"data": [{"id": "e1", "delivery_status": "READ", "timestamp": 1}]},
                }
            ]
        }
    )
    entries = [e async for e in wa.message_history.list(message_id="wamid.X", limit=100)]
    assert entries[0].events is not None and entries[0].events.data[0].delivery_status == "READ"
    assert recorder.last.url == f"{BASE}/1234/message_history?message_id=wamid.X&limit=100"
    recorder.reply(
        {
            "data": [
                {"cursor": "c", "node": {"id": "o1", "delivery_status": "FAILED", "occurrence_timestamp": 2}}
            ]
        }
    )
    page = await wa.message_history.events("h1", status_filter="FAILED")
    assert page.data[0].node.delivery_status == "FAILED"
    assert recorder.last.url == f"{BASE}/h1/events?status_filter=FAILED"
    with pytest.raises(ValueError, match="status_filter"):
        wa.message_history.events("h1", status_filter="SEEN")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        wa.message_history.list(limit=101)


async def test_calling_actions(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"messaging_product": "whatsapp", "permission": {"status": "granted"}})
    permissions = await wa.calling.permissions("15551234567")
    assert permissions.permission is not None and permissions.permission.status == "granted"
    assert recorder.last.url == f"{BASE}/1234/call_permissions?user_wa_id=15551234567"

    recorder.reply({"messaging_product": "whatsapp", "calls": [{"id": "wacid.1"}]})
    started = await wa.calling.initiate("15551234567", SDP)
    assert started.calls is not None and started.calls[0].id == "wacid.1"
    assert recorder.body() == {
        "messaging_product": "whatsapp",
        "to": "15551234567",
        "action": "connect",
        "session": {"sdp_type": "offer", "sdp": SDP},
    }
    assert recorder.last.meta.idempotent is False

    await wa.calling.pre_accept("wacid.1", SDP)
    assert recorder.body()["action"] == "pre_accept" and recorder.body()["session"]["sdp_type"] == "answer"
    await wa.calling.accept("wacid.1", SDP, biz_opaque_callback_data="t-1")
    assert recorder.body()["biz_opaque_callback_data"] == "t-1"
    await wa.calling.reject("wacid.1")
    assert recorder.body() == {"messaging_product": "whatsapp", "call_id": "wacid.1", "action": "reject"}
    await wa.calling.terminate("wacid.1")
    assert recorder.body()["action"] == "terminate"
    assert recorder.last.meta.idempotent is True


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda wa: wa.calling.initiate("15551234567", "not sdp"), "sdp"),
        (lambda wa: wa.calling.initiate("", SDP), "to"),
        (lambda wa: wa.calling.initiate("1555", SDP, biz_opaque_callback_data="x" * 513), "biz_opaque"),
        (lambda wa: wa.calling.accept("", SDP), "call_id"),
        (lambda wa: wa.calling.permissions(""), "user_wa_id"),
    ],
)
async def test_bad_calls_are_refused(wa: WhatsApp, recorder: Any, call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        await call(wa)
    assert recorder.requests == []


def test_call_action_rules() -> None:
    from meta_cloud_async.types.calling import CallActionRequest

    with pytest.raises(ValueError, match="needs session"):
        CallActionRequest(call_id="c", action="accept")
    with pytest.raises(ValueError, match="takes no session"):
        CallActionRequest(call_id="c", action="terminate", session={"sdp_type": "answer", "sdp": SDP})
    with pytest.raises(ValueError, match="'answer'"):
        CallActionRequest(call_id="c", action="accept", session={"sdp_type": "offer", "sdp": SDP})
    with pytest.raises(ValueError, match="action"):
        CallActionRequest(call_id="c", action="connect")  # type: ignore[arg-type]
