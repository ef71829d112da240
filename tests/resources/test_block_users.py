"""wa.block_users: block (POST), unblock (DELETE with a JSON body), list (paginated)."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp

URL = "https://graph.facebook.com/v23.0/1234/block_users"


async def test_block_and_unblock_wire_shape(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "messaging_product": "whatsapp",
            "block_users": {"added_users": [{"input": "+15551234567", "wa_id": "15551234567"}]},
        }
    )
    result = await wa.block_users.block(["+15551234567"])
    assert result.block_users is not None and result.block_users.added_users is not None
    assert result.block_users.added_users[0].wa_id == "15551234567"
    assert recorder.last.method == "POST" and recorder.last.url == URL
    assert recorder.body() == {"messaging_product": "whatsapp", "block_users": [{"user": "+15551234567"}]}

    await wa.block_users.unblock("15551234567")
    request = recorder.last
    assert request.method == "DELETE" and request.url == URL
    assert request.headers["content-type"] == "application/json"
    assert recorder.body() == {"messaging_product": "whatsapp", "block_users": [{"user": "15551234567"}]}
    assert request.meta.idempotent is True


@pytest.mark.parametrize("users", [[], [""], ["  "], ["1"] * 1001, [15551234567]])
async def test_bad_user_lists_are_refused(wa: WhatsApp, recorder: Any, users: Any) -> None:
    with pytest.raises(ValueError, match="block_users"):
        await wa.block_users.block(users)
    with pytest.raises(ValueError, match="block_users"):
        await wa.block_users.unblock(users)
    assert recorder.requests == []


async def test_list_follows_paging(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "data": [{"messaging_product": "whatsapp", "wa_id": "1"}],
            "paging": {"cursors": {"after": "A"}, "next": f"{URL}?limit=1&after=A"},
        }
    )
    recorder.reply({"data": [{"messaging_product": "whatsapp", "wa_id": "2"}]})
    ids = [user.wa_id async for user in wa.block_users.list(limit=1)]
    assert ids == ["1", "2"]
    assert recorder.requests[0].url == f"{URL}?limit=1"
    assert recorder.requests[1].url == f"{URL}?limit=1&after=A"
    with pytest.raises(ValueError, match="limit"):
        wa.block_users.list(limit=0)
