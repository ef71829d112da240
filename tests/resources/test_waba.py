"""wa.waba: wire shapes, paging, and refusals that send nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.types.waba import (
    AssignedUsersPage,
    BusinessAccount,
    RecurrencePattern,
    SubscribeAppRequest,
)

BASE = "https://graph.facebook.com/v23.0/"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def path(url: str) -> str:
    return url.split("?", 1)[0].removeprefix(BASE)


async def test_get_and_update(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "5678", "name": "Shop", "account_review_status": "APPROVED"})
    account = await wa.waba.get(fields=["name", "account_review_status"])
    assert account == BusinessAccount(id="5678", name="Shop", account_review_status="APPROVED")
    assert path(recorder.last.url) == "5678" and recorder.last.method == "GET"
    assert query(recorder.last.url) == {"fields": ["name,account_review_status"]}
    await wa.waba.update(name="Shop Two", timezone_id="2")
    assert recorder.last.method == "POST" and path(recorder.last.url) == "5678"
    assert recorder.body() == {"name": "Shop Two", "timezone_id": "2"}
    assert recorder.last.meta.idempotent


async def test_subscribe_with_override_keeps_the_verify_token_out_of_reprs(
    wa: WhatsApp, recorder: Any
) -> None:
    recorder.reply({"success": True, "data": [{"override_callback_uri": "https://h.example.com/wa"}]})
    result = await wa.waba.subscribe_app(
        override_callback_uri="https://h.example.com/wa", verify_token="s3cr3t-vt"
    )
    assert (
        result.success and result.data and result.data[0].override_callback_uri == "https://h.example.com/wa"
    )
    assert path(recorder.last.url) == "5678/subscribed_apps"
    assert recorder.body() == {
        "override_callback_uri": "https://h.example.com/wa",
        "verify_token": "s3cr3t-vt",
    }
    request = SubscribeAppRequest(override_callback_uri="https://h.example.com/wa", verify_token="s3cr3t-vt")
    assert "s3cr3t-vt" not in repr(request)


async def test_subscribe_plain_and_unsubscribe_and_list(wa: WhatsApp, recorder: Any) -> None:
    await wa.waba.subscribe_app()
    assert recorder.last.content == b"" and recorder.last.method == "POST"
    await wa.waba.unsubscribe_app()
    assert recorder.last.method == "DELETE" and path(recorder.last.url) == "5678/subscribed_apps"
    recorder.reply({"data": [{"whatsapp_business_api_data": {"id": "42", "name": "Bot"}}]})
    apps = await wa.waba.subscribed_apps()
    assert apps.data[0].whatsapp_business_api_data is not None
    assert apps.data[0].whatsapp_business_api_data.id == "42"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"override_callback_uri": "http://plain.example.com", "verify_token": "v"},
        {"override_callback_uri": "https://ok.example.com"},
        {"verify_token": "v"},
        {"override_callback_uri": "https://ok.example.com", "verify_token": ""},
    ],
)
async def test_subscribe_refuses_bad_overrides_before_sending(
    wa: WhatsApp, recorder: Any, kwargs: Any
) -> None:
    with pytest.raises(ValueError):
        await wa.waba.subscribe_app(**kwargs)
    assert recorder.requests == []


async def test_assigned_users_form_bodies_and_paging(wa: WhatsApp, recorder: Any) -> None:
    await wa.waba.add_assigned_user(user="2345678901234567", tasks=["MANAGE", "DEVELOP"])
    request = recorder.last
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(request.content.decode())) == {
        "user": "2345678901234567",
        "tasks": '["MANAGE","DEVELOP"]',
    }
    await wa.waba.remove_assigned_user(user="2345678901234567")
    assert recorder.last.method == "DELETE"
    assert dict(parse_qsl(recorder.last.content.decode())) == {"user": "2345678901234567"}

    recorder.reply(
        {
            "data": [{"id": "1", "name": "Ann", "user_type": "BUSINESS_USER"}],
            "paging": {"next": BASE + "5678/assigned_users?business=99&after=A"},
            "summary": {"total_count": 2},
        }
    )
    recorder.reply({"data": [{"id": "2", "name": "Bot", "user_type": "SYSTEM_USER"}]})
    names = [u.name async for u in wa.waba.assigned_users(business="99")]
    assert names == ["Ann", "Bot"]
    assert query(recorder.requests[-2].url) == {"business": ["99"]}
    recorder.reply({"data": [], "summary": {"total_count": 0}})
    page = await wa.waba.assigned_users(business="99", limit=5)
    assert isinstance(page, AssignedUsersPage) and page.summary is not None and page.summary.total_count == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user": "12x", "tasks": ["MANAGE"]},
        {"user": "1", "tasks": []},
        {"user": "1", "tasks": ["ROOT"]},
        {"user": "1", "tasks": ["MANAGE"] * 17},
    ],
)
async def test_add_assigned_user_refusals(wa: WhatsApp, recorder: Any, kwargs: Any) -> None:
    with pytest.raises(ValueError):
        await wa.waba.add_assigned_user(**kwargs)
    assert recorder.requests == []


async def test_create_schedule_body_and_refusals(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "77"})
    created = await wa.waba.create_schedule(
        name="Hours",
        schedule_type="BUSINESS_HOURS",
        start_time="09:00",
        end_time="17:30",
        days_of_week=("MONDAY", "TUESDAY"),
        recurrence_pattern=RecurrencePattern(frequency="WEEKLY", interval=1),
    )
    assert created.id == "77"
    assert recorder.body() == {
        "name": "Hours",
        "schedule_type": "BUSINESS_HOURS",
        "start_time": "09:00",
        "end_time": "17:30",
        "days_of_week": ["MONDAY", "TUESDAY"],
        "recurrence_pattern": {"frequency": "WEEKLY", "interval": 1},
    }
    assert not recorder.last.meta.idempotent  # a repeat would create a second schedule
    for bad in (
        {"start_time": "9:00"},
        {"start_time": "24:00"},
        {"schedule_type": "NIGHTLY"},
        {"days_of_week": ["FUNDAY"]},
        {"recurrence_pattern": {"frequency": "HOURLY"}},
    ):
        args: dict[str, Any] = {
            "name": "x",
            "schedule_type": "CUSTOM",
            "start_time": "01:00",
            "end_time": "02:00",
            **bad,
        }
        with pytest.raises((ValueError, TypeError)):
            await wa.waba.create_schedule(**args)
    assert len(recorder.requests) == 1


async def test_lists_send_their_filters(wa: WhatsApp, recorder: Any) -> None:
    await wa.waba.activities(limit=10, activity_type="USER_ADDED", since="2024-01-01")
    assert path(recorder.last.url) == "5678/activities"
    assert query(recorder.last.url) == {
        "limit": ["10"],
        "activity_type": ["USER_ADDED"],
        "since": ["2024-01-01"],
    }
    await wa.waba.schedules(sort="updated_time.asc")
    assert query(recorder.last.url) == {"sort": ["updated_time.asc"]}
    await wa.waba.on_behalf_of_requests()
    assert path(recorder.last.url) == "5678/in_progress_onbehalf_request"
    await wa.waba.solutions(limit=3)
    assert path(recorder.last.url) == "5678/solutions"
    with pytest.raises(ValueError):
        wa.waba.activities(limit=0)


async def test_intents_bots_numbers(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"success": True, "mobility_intent_id": "obo_1", "status": "PENDING"})
    result = await wa.waba.create_obo_mobility_intent(solution_id="2", intent_type="CANCEL_TRANSFER")
    assert result.mobility_intent_id == "obo_1"
    assert recorder.body() == {"solution_id": "2", "intent_type": "CANCEL_TRANSFER"}
    recorder.reply({"success": True, "migration_intent_id": "m", "status": "SCHEDULED"})
    await wa.waba.set_solution_migration_intent(solution_id="3", migration_intent="INITIATE_MIGRATION")
    assert path(recorder.last.url) == "5678/set_solution_migration_intent"
    recorder.reply({"success": True, "intent_id": "i"})
    await wa.waba.set_obo_mobility_intent(waba_id="5678", app_id="9")
    assert recorder.body() == {"waba_id": "5678", "app_id": "9"}
    assert path(recorder.last.url) == "5678/set_obo_mobility_intent"  # app_id is a body field here
    recorder.reply({"id": "11", "prompts": ["Hi"], "commands": [{"command_name": "help"}]})
    bot = await wa.waba.get_bot(bot_id="11")
    assert bot.commands is not None and bot.commands[0].command_name == "help"
    recorder.reply({"id": "1906385232743451"})
    await wa.waba.create_phone_number(phone_number="16315551000", verified_name="Shop", cc="1")
    assert path(recorder.last.url) == "5678/phone_numbers" and json.loads(recorder.last.content)["cc"] == "1"
    for bad in ("+16315551000", "0631555100", "123"):
        with pytest.raises(ValueError):
            await wa.waba.create_phone_number(phone_number=bad, verified_name="Shop")
    with pytest.raises(ValueError):
        await wa.waba.create_obo_mobility_intent(solution_id="2", intent_type="TELEPORT")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await wa.waba.update()
    recorder.reply({"id": "7", "status": "COMPLETED"})
    intent = await wa.waba.get_migration_intent(migration_intent_id="7")
    assert intent.status == "COMPLETED" and path(recorder.last.url) == "7"
    recorder.reply({"id": "8", "display_phone_number": "+1 631-555-5555", "status": "CONNECTED"})
    number = await wa.waba.get_account_number(account_number_id="8")
    assert number.status == "CONNECTED"
