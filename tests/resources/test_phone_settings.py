"""wa.phone_numbers settings, conversational automation, OBA, compliance, and the PIN-free status update."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.types.phone_settings import (
    PhoneSettings,
    UpdatePhoneNumberStatusRequest,
    UpdatePhoneSettingsRequest,
)

BASE = "https://graph.facebook.com/v23.0/1234"


async def test_get_settings_decodes_nested_groups(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "calling": {
                "status": "enabled",
                "call_icon_visibility": "visible",
                "sip": {"status": "disabled"},
            },
            "storage_configuration": {
                "status": "in_country_storage_enabled",
                "data_localization_region": "IN",
            },
        }
    )
    settings = await wa.phone_numbers.get_settings(include_sip_credentials=True)
    assert isinstance(settings, PhoneSettings)
    assert settings.calling is not None and settings.calling.sip == {"status": "disabled"}
    assert settings.storage_configuration is not None
    assert settings.storage_configuration.data_localization_region == "IN"
    assert recorder.last.url == f"{BASE}/settings?include_sip_credentials=true"


async def test_typed_setting_helpers_send_one_group_each(wa: WhatsApp, recorder: Any) -> None:
    await wa.phone_numbers.set_calling("enabled", call_icon_visibility="hidden")
    await wa.phone_numbers.set_user_identity_change(False)
    await wa.phone_numbers.set_payload_encryption("enabled", client_encryption_key="a2V5")
    await wa.phone_numbers.set_storage_configuration(False)
    assert [r.url for r in recorder.requests] == [f"{BASE}/settings"] * 4
    assert [recorder.body(i) for i in range(4)] == [
        {"calling": {"status": "enabled", "call_icon_visibility": "hidden"}},
        {"user_identity_change": {"enabled": False}},
        {"payload_encryption": {"status": "enabled", "client_encryption_key": "a2V5"}},
        {"storage_configuration": {"enabled": False}},
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one"),
        ({"calling": {"status": "enabled"}, "user_identity_change": {"enabled": True}}, "exactly one"),
        ({"calling": {"call_icon_visibility": "visible"}}, "status"),
        ({"calling": {"status": "on"}}, "calling.status"),
        ({"calling": {"status": "enabled", "ringtone": "x"}}, "ringtone"),
        ({"user_identity_change": {"enabled": "yes"}}, "user_identity_change"),
        ({"payload_encryption": {"status": "enabled"}}, "client_encryption_key"),
        ({"storage_configuration": {"enabled": True}}, "region"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        UpdatePhoneSettingsRequest(**kwargs)


async def test_automation_body_and_commands_from_a_mapping(wa: WhatsApp, recorder: Any) -> None:
    await wa.phone_numbers.configure_automation(
        enable_welcome_message=True, prompts=["a", "b", "c", "d"], commands={"tickets": "Book a ticket"}
    )
    assert recorder.last.url == f"{BASE}/conversational_automation"
    assert recorder.body() == {
        "enable_welcome_message": True,
        "prompts": ["a", "b", "c", "d"],
        "commands": [{"command_name": "tickets", "command_description": "Book a ticket"}],
    }
    await wa.phone_numbers.configure_automation(prompts=[], commands=[])
    assert recorder.body() == {"prompts": [], "commands": []}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prompts": ["p"] * 5}, "at most 4"),
        ({"prompts": ["x" * 81]}, "prompts"),
        ({"commands": {f"c{i}": "d" for i in range(31)}}, "at most 30"),
        ({"commands": {"/tickets": "d"}}, "command_name"),
        ({"commands": {"c" * 31: "d"}}, "command_name"),
        ({"commands": {"ok": ""}}, "command_description"),
        ({"commands": [{"command_name": "a", "command_description": "d"}] * 2}, "twice"),
        ({"enable_welcome_message": "yes"}, "enable_welcome_message"),
        ({}, "nothing to configure"),
    ],
)
async def test_bad_automation_is_refused_before_sending(
    wa: WhatsApp, recorder: Any, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        await wa.phone_numbers.configure_automation(**kwargs)
    assert recorder.requests == []


async def test_official_business_account(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "1234", "oba_status": "APPROVED", "status_message": "Approved"})
    status = await wa.phone_numbers.get_official_business_account()
    assert status.oba_status == "APPROVED"
    recorder.reply({"success": True, "message": "Withdrawn", "tracking_id": "t1"})
    update = await wa.phone_numbers.submit_official_business_account(action="WITHDRAW_APPLICATION")
    assert update.tracking_id == "t1"
    assert recorder.body() == {"action": "WITHDRAW_APPLICATION"}
    assert recorder.last.meta.idempotent is False
    with pytest.raises(ValueError, match="action"):
        await wa.phone_numbers.submit_official_business_account(action="APPLY")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="website_url"):
        await wa.phone_numbers.submit_official_business_account(
            action="SUBMIT_APPLICATION", application_data={"website_url": "example.com"}
        )
    assert len(recorder.requests) == 2


async def test_compliance_info(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": [{"whatsapp_business_account_id": "5678", "entity_type": "PARTNERSHIP"}]})
    info = await wa.phone_numbers.get_compliance_info()
    assert info.data[0].entity_type == "PARTNERSHIP"
    await wa.phone_numbers.update_compliance_info(
        entity_name="Ex Co",
        entity_type="PARTNERSHIP",
        is_registered=False,
        grievance_officer_details={"name": "A", "email": "a@example.com", "mobile_number": "+919876543210"},
        customer_care_details={"email": "c@example.com"},
    )
    assert recorder.body()["grievance_officer_details"]["mobile_number"] == "+919876543210"
    assert recorder.body()["messaging_product"] == "whatsapp"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"entity_type": "OTHER"}, "entity_type_custom"),
        ({"entity_type": "PUBLIC_COMPANY", "is_registered": True}, "is_registered"),
        ({"entity_type": "LLC"}, "entity_type"),
        ({"entity_name": "X"}, "entity_name"),
        ({"grievance_officer_details": {"name": "A"}}, "email"),
        ({"customer_care_details": {"email": "c@example.com", "mobile_number": "9876543210"}}, "E.164"),
        ({"customer_care_details": {"email": "c@example.com", "fax": "+1"}}, "fax"),
    ],
)
async def test_bad_compliance_info_is_refused(
    wa: WhatsApp, recorder: Any, kwargs: dict[str, Any], match: str
) -> None:
    args: dict[str, Any] = {
        "entity_name": "Ex Co",
        "entity_type": "PRIVATE_COMPANY",
        "grievance_officer_details": {"name": "A", "email": "a@example.com"},
        "customer_care_details": {"email": "c@example.com"},
        **kwargs,
    }
    with pytest.raises((ValueError, TypeError), match=match):
        await wa.phone_numbers.update_compliance_info(**args)
    assert recorder.requests == []


async def test_status_update_without_pin(wa: WhatsApp, recorder: Any) -> None:
    await wa.phone_numbers.update_status(
        search_visibility="HIDDEN",
        webhook_configuration={
            "override_callback_uri": "https://hooks.example.com/wa",
            "verify_token": "s3cr3t-tok",
        },
    )
    assert recorder.last.method == "POST" and recorder.last.url == BASE
    assert recorder.body() == {
        "search_visibility": "HIDDEN",
        "webhook_configuration": {
            "override_callback_uri": "https://hooks.example.com/wa",
            "verify_token": "s3cr3t-tok",
        },
    }
    assert "pin" not in recorder.body()
    await wa.phone_numbers.update_status(webhook_configuration={"override_callback_uri": ""})
    assert recorder.body() == {"webhook_configuration": {"override_callback_uri": ""}}


def test_status_update_keeps_the_verify_token_out_of_its_repr() -> None:
    req = UpdatePhoneNumberStatusRequest(
        webhook_configuration={"override_callback_uri": "https://h.example.com", "verify_token": "s3cr3t-tok"}
    )
    assert "s3cr3t-tok" not in repr(req)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "nothing to update"),
        ({"search_visibility": "PUBLIC"}, "search_visibility"),
        ({"webhook_configuration": {"verify_token": "x"}}, "override_callback_uri"),
        ({"webhook_configuration": {"override_callback_uri": "http://h.example.com"}}, "https"),
        ({"webhook_configuration": {"override_callback_uri": "https://h.example.com", "extra": 1}}, "only"),
    ],
)
async def test_bad_status_updates_are_refused(
    wa: WhatsApp, recorder: Any, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await wa.phone_numbers.update_status(**kwargs)
    assert recorder.requests == []
