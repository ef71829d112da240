"""Messaging through the sandbox's doors: the window, Meta's refusals, statuses, and the admin door."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from meta_cloud_async import GraphAPIError, WhatsApp
from meta_cloud_async.sandbox import Sandbox, VirtualClock

USER = "15551234567"


def _client(sandbox: Sandbox, clock: VirtualClock, **kwargs: Any) -> WhatsApp:
    return WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        base_url="http://sandbox.test",
        transport=sandbox.transport(),
        clock=clock,
        sleep=clock.sleep,
        **kwargs,
    )


async def test_inbound_opens_the_window_and_late_free_form_is_131047() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    pid = sandbox.phone_number_ids[0]
    async with _client(sandbox, clock) as wa:
        with pytest.raises(GraphAPIError) as before:
            await wa.messages.send_text(USER, "cold outreach")
        assert before.value.code == 131047
        inbound = sandbox.inbound(pid, USER, "text", {"body": "hello"})
        reply = await wa.messages.send_text(USER, "hi!", reply_to=inbound)
        assert reply.id.startswith("wamid.") and reply.wa_id == USER
        clock.advance(24 * 3600 + 1)
        with pytest.raises(GraphAPIError) as late:
            await wa.messages.send_text(USER, "too late")
        assert late.value.code == 131047 and late.value.may_have_applied is False
        sent = await wa.messages.send_template(USER, "hello_world", "en_US")
        assert sent.message_status == "accepted"
    log = sandbox.messages()
    assert [(r.type, r.to) for r in log] == [("text", USER), ("template", USER)]
    assert log[0].body["context"] == {"message_id": inbound}


async def test_metas_refusals_unknown_template_not_on_whatsapp_and_throughput() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    pid = sandbox.phone_number_ids[0]
    sandbox.messaging.mark_not_on_whatsapp("15550000001")
    async with _client(sandbox, clock, retry=None, rate_limit=None) as wa:
        with pytest.raises(GraphAPIError) as unknown:
            await wa.messages.send_template(USER, "no_such_template", "en_US")
        assert unknown.value.code == 132001
        sandbox.inbound(pid, "15550000001", "text", {"body": "x"})
        with pytest.raises(GraphAPIError) as absent:
            await wa.messages.send_text("15550000001", "hi")
        assert absent.value.code == 131026
        # Without client pacing, 200 templates at one instant exceed the number's 80/s.
        results = await asyncio.gather(
            *(wa.messages.send_template(str(15552000000 + i), "hello_world", "en_US") for i in range(200)),
            return_exceptions=True,
        )
    codes = {getattr(r, "code", None) for r in results if isinstance(r, Exception)}
    assert codes == {130429}


async def test_the_default_client_paces_under_the_sandboxs_throughput() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    async with _client(sandbox, clock) as wa:
        sent = await asyncio.gather(
            *(wa.messages.send_template(str(15552000000 + i), "hello_world", "en_US") for i in range(200))
        )
    assert len({m.id for m in sent}) == 200
    # A burst of 80, then 80/s: the last send leaves at about (200 - 80) / 80 s of virtual time.
    assert (200 - 80) / 80 <= clock() < (200 - 80) / 80 + 0.1


async def test_pair_limit_is_enforced_and_the_client_stays_under_it() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    pid = sandbox.phone_number_ids[0]
    sandbox.inbound(pid, USER, "text", {"body": "x"})
    async with _client(sandbox, clock, retry=None, rate_limit=None) as raw:
        results = await asyncio.gather(
            *(raw.messages.send_text(USER, str(i)) for i in range(5)), return_exceptions=True
        )
    assert any(getattr(r, "code", None) == 131056 for r in results)
    clock.advance(60)
    sandbox.inbound(pid, USER, "text", {"body": "again"})
    async with _client(sandbox, clock) as paced:
        await asyncio.gather(*(paced.messages.send_text(USER, str(i)) for i in range(5)))


async def test_statuses_move_on_the_sandbox_clock() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    pid = sandbox.phone_number_ids[0]
    sandbox.inbound(pid, USER, "text", {"body": "x"})
    async with _client(sandbox, clock) as wa:
        await wa.messages.send_text(USER, "hi")
    assert sandbox.messages()[0].status == "sent"
    clock.advance(3600)
    assert sandbox.messages()[0].status == "read"


async def test_mark_as_read_needs_a_known_inbound_message() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    pid = sandbox.phone_number_ids[0]
    inbound = sandbox.inbound(pid, USER, "text", {"body": "x"})
    async with _client(sandbox, clock) as wa:
        assert (await wa.messages.mark_as_read(inbound, typing_indicator=True)).success
        with pytest.raises(GraphAPIError):
            await wa.messages.mark_as_read("wamid.unknown")
    assert sandbox.messaging.is_read(inbound)


async def test_admin_door_over_http_injects_and_lists() -> None:
    sandbox = Sandbox()
    pid = sandbox.phone_number_ids[0]
    auth = {"Authorization": f"Bearer {sandbox.access_token}"}
    async with sandbox.serve() as base, aiohttp.ClientSession(headers=auth) as http:
        async with http.post(
            f"{base}/_sandbox/inbound",
            json={"phone_number_id": pid, "from": USER, "type": "text", "text": {"body": "hi"}},
        ) as r:
            assert r.status == 200
            inbound = (await r.json())["id"]
        async with WhatsApp(access_token=sandbox.access_token, phone_number_id=pid, base_url=base) as wa:
            await wa.messages.send_text(USER, "hello over HTTP", reply_to=inbound)
        async with http.get(f"{base}/_sandbox/messages") as r:
            data = (await r.json())["data"]
        async with http.post(f"{base}/_sandbox/inbound", json={"phone_number_id": "0", "from": USER}) as r:
            assert r.status == 404
    assert [(m["from"], m["to"], m["type"], m["body"]["text"]["body"]) for m in data] == [
        (pid, USER, "text", "hello over HTTP")
    ]
    assert data[0]["status"] in ("sent", "delivered", "read")


async def test_an_operation_without_emulation_names_itself() -> None:
    sandbox = Sandbox()
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        base_url="http://sandbox.test",
        transport=sandbox.transport(),
        retry=None,
    ) as wa:
        with pytest.raises(GraphAPIError) as info:
            await wa.request("GET", "{phone_number_id}/call_permissions", params={"user_wa_id": USER})
    assert "not emulated" in str(info.value).lower() or info.value.code == 100
