"""wa.groups: lifecycle, settings, invite links, join requests, participants (DELETEs with JSON bodies)."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp

BASE = "https://graph.facebook.com/v23.0"
G = "Y2FwaV9ncm91cDox"


async def test_create_list_get_update_delete(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"messaging_product": "whatsapp", "request_id": "r1"})
    created = await wa.groups.create(subject="Club", join_approval_mode="auto_approve")
    assert created.request_id == "r1"
    assert recorder.last.url == f"{BASE}/1234/groups"
    assert recorder.body() == {
        "messaging_product": "whatsapp",
        "subject": "Club",
        "join_approval_mode": "auto_approve",
    }
    assert recorder.last.meta.idempotent is False

    recorder.reply(
        {"data": {"groups": [{"id": G, "subject": "Club"}]}, "paging": {"cursors": {"after": "A"}}}
    )
    page = await wa.groups.list(limit=2, after="X")
    assert page.data is not None and page.data.groups[0].id == G
    assert recorder.last.url == f"{BASE}/1234/groups?limit=2&after=X"

    recorder.reply({"id": G, "participants": [{"wa_id": "1555"}], "total_participant_count": 1})
    info = await wa.groups.get(group_id=G, fields=["participants"])
    assert info.total_participant_count == 1
    assert recorder.last.url == f"{BASE}/{G}?fields=participants"

    await wa.groups.update_settings(group_id=G, description="New")
    assert recorder.last.url == f"{BASE}/{G}" and recorder.body() == {
        "messaging_product": "whatsapp",
        "description": "New",
    }
    await wa.groups.delete(group_id=G)
    assert recorder.last.method == "DELETE" and recorder.last.content == b""


async def test_links_requests_participants(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"messaging_product": "whatsapp", "invite_link": "https://chat.whatsapp.com/X"})
    assert (await wa.groups.create_invite_link(G)).invite_link == "https://chat.whatsapp.com/X"
    recorder.reply({"messaging_product": "whatsapp", "success": True})
    await wa.groups.delete_invite_link(G)
    assert recorder.last.method == "DELETE" and recorder.body() == {"messaging_product": "whatsapp"}

    recorder.reply({"data": [{"join_request_id": "j1", "wa_id": "1555"}]})
    assert [j.join_request_id async for j in wa.groups.join_requests(G)] == ["j1"]
    recorder.reply({"approved_join_requests": ["j1"]})
    assert (await wa.groups.approve_join_requests(G, ["j1"])).approved_join_requests == ["j1"]
    assert recorder.last.method == "POST" and recorder.body()["join_requests"] == ["j1"]
    recorder.reply({"rejected_join_requests": ["j2"]})
    await wa.groups.reject_join_requests(G, ["j2"])
    assert recorder.last.method == "DELETE" and recorder.body()["join_requests"] == ["j2"]

    await wa.groups.add_participants(G, ["15551234567"])
    assert recorder.last.url == f"{BASE}/{G}/participants"
    assert recorder.body()["participants"] == [{"user": "15551234567"}]
    await wa.groups.remove_participants(G, ["1", "2"])
    assert recorder.last.method == "DELETE" and len(recorder.body()["participants"]) == 2


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda wa: wa.groups.create(subject="x" * 129), "subject"),
        (lambda wa: wa.groups.create(subject="   "), "subject"),
        (lambda wa: wa.groups.create(subject="ok", description="d" * 2049), "description"),
        (lambda wa: wa.groups.create(subject="ok", join_approval_mode="open"), "join_approval_mode"),
        (lambda wa: wa.groups.update_settings(group_id=G), "nothing to update"),
        (lambda wa: wa.groups.add_participants(G, [str(i) for i in range(9)]), "participants"),
        (lambda wa: wa.groups.remove_participants(G, []), "participants"),
        (lambda wa: wa.groups.approve_join_requests(G, []), "join_requests"),
        (lambda wa: wa.groups.get(group_id="a/b"), "group_id"),
        (lambda wa: wa.groups.list(limit=1025), "limit"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    wa: WhatsApp, recorder: Any, call: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await call(wa)
    assert recorder.requests == []
