"""The sandbox's per-number state, driven through the SDK on the in-process door: business profile,
QR codes, blocked users, conversational automation, phone settings, the PIN-free status update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async import GraphAPIError, WhatsApp
from meta_cloud_async.sandbox import Sandbox
from meta_cloud_async.sandbox.profile_state import NumberProfile, profiles_of

ClientFactory = Callable[..., WhatsApp]


def number(sandbox: Sandbox, index: int = 0) -> NumberProfile:
    return profiles_of(sandbox.router.business).of(sandbox.phone_number_ids[index])


async def raw(wa: WhatsApp, method: str, path: str, **kwargs: object) -> GraphAPIError:
    """A call the SDK would refuse locally, sent through the escape hatch to reach the sandbox's checks."""
    with pytest.raises(GraphAPIError) as info:
        await wa.request(method, path, **kwargs)  # type: ignore[arg-type]
    return info.value


async def test_business_profile_round_trip(make_client: ClientFactory) -> None:
    wa = make_client()
    assert (await wa.business_profile.get()).about is None
    await wa.business_profile.update(about="Fresh bread", vertical="RETAIL", websites=["https://example.com"])
    await wa.business_profile.update(email="hi@example.com", profile_picture_handle="4::aW1h:ARb")
    profile = await wa.business_profile.get()
    assert (
        profile.about == "Fresh bread" and profile.vertical == "RETAIL" and profile.email == "hi@example.com"
    )
    assert profile.websites == ["https://example.com"]
    assert profile.profile_picture_url is not None and profile.profile_picture_url.startswith("https://")
    only = await wa.business_profile.get(fields=["about"])
    assert only.about == "Fresh bread" and only.vertical is None
    # Another number's profile is its own.
    assert (await make_client(1).business_profile.get()).about is None


async def test_business_profile_sandbox_checks(make_client: ClientFactory) -> None:
    wa = make_client()
    path = "{phone_number_id}/whatsapp_business_profile"
    err = await raw(wa, "POST", path, json={"messaging_product": "whatsapp", "about": "a" * 140})
    assert err.code == 100 and "about" in err.message + str(err.details)
    err = await raw(wa, "POST", path, json={"messaging_product": "whatsapp", "vertical": "BAKERY"})
    assert err.code == 100
    err = await raw(wa, "POST", path, json={"messaging_product": "whatsapp", "websites": ["a", "b", "c"]})
    assert err.code == 100
    err = await raw(wa, "GET", path, params={"fields": "about,shoe_size"})
    assert err.code == 100


async def test_qr_code_lifecycle_and_paging(make_client: ClientFactory) -> None:
    wa = make_client()
    first = await wa.qr_codes.create("Order status", generate_qr_image="SVG")
    assert len(first.code) == 14 and first.qr_image_url is not None and first.qr_image_url.endswith(".svg")
    assert first.deep_link_url == f"https://wa.me/message/{first.code}"
    codes = [first.code] + [(await wa.qr_codes.create(f"msg {i}")).code for i in range(30)]
    assert len(set(codes)) == 31

    updated = await wa.qr_codes.update(first.code, "Where is my order?")
    assert updated.prefilled_message == "Where is my order?"
    assert (await wa.qr_codes.get(first.code)).prefilled_message == "Where is my order?"

    page = await wa.qr_codes.list()
    assert len(page.data) == 25 and page.paging is not None and page.paging.next
    assert [q.code async for q in wa.qr_codes.list(limit=7)] == codes
    assert [q.code for q in (await wa.qr_codes.list(code=codes[3])).data] == [codes[3]]

    await wa.qr_codes.delete(first.code)
    with pytest.raises(GraphAPIError) as info:
        await wa.qr_codes.get(first.code)
    assert info.value.code == 100
    with pytest.raises(GraphAPIError):
        await wa.qr_codes.delete(first.code)
    assert len([q async for q in wa.qr_codes.list()]) == 30

    err = await raw(wa, "POST", "{phone_number_id}/message_qrdls", json={"prefilled_message": "x" * 141})
    assert err.code == 100
    err = await raw(
        wa,
        "POST",
        "{phone_number_id}/message_qrdls",
        json={"prefilled_message": "x", "code": "AAAAAAAAAAAAAA"},
    )
    assert err.code == 100


async def test_block_unblock_list(make_client: ClientFactory, sandbox: Sandbox) -> None:
    wa = make_client()
    result = await wa.block_users.block(["+1 555 123 4567", "15557654321", "not-a-number"])
    assert result.block_users is not None
    added = result.block_users.added_users or []
    assert [u.wa_id for u in added] == ["15551234567", "15557654321"]
    failed = result.block_users.failed_users or []
    assert [u.input for u in failed] == ["not-a-number"]
    await wa.block_users.block(["15551234567"])  # blocking twice changes nothing
    assert [u.wa_id async for u in wa.block_users.list()] == ["15551234567", "15557654321"]
    assert [u.wa_id async for u in wa.block_users.list(limit=1)] == ["15551234567", "15557654321"]

    removed = await wa.block_users.unblock("15551234567")
    assert removed.block_users is not None and removed.block_users.removed_users is not None
    assert [u.wa_id async for u in wa.block_users.list()] == ["15557654321"]
    assert list(number(sandbox).blocked) == ["15557654321"]

    err = await raw(
        wa, "POST", "{phone_number_id}/block_users", json={"messaging_product": "whatsapp", "block_users": []}
    )
    assert err.code == 100


async def test_conversational_automation(make_client: ClientFactory, sandbox: Sandbox) -> None:
    wa = make_client()
    await wa.phone_numbers.configure_automation(
        enable_welcome_message=True,
        prompts=["Hours?", "Menu", "Book", "Offers"],
        commands={"tickets": "Book a ticket"},
    )
    state = number(sandbox).automation
    assert state["enable_welcome_message"] is True and len(state["prompts"]) == 4
    assert state["commands"] == [{"command_name": "tickets", "command_description": "Book a ticket"}]
    await wa.phone_numbers.configure_automation(prompts=[])
    assert number(sandbox).automation["prompts"] == [] and number(sandbox).automation["commands"]

    path = "{phone_number_id}/conversational_automation"
    assert (await raw(wa, "POST", path, json={"prompts": ["p"] * 5})).code == 100
    commands = [{"command_name": f"c{i}", "command_description": "d"} for i in range(31)]
    assert (await raw(wa, "POST", path, json={"commands": commands})).code == 100
    assert (
        await raw(wa, "POST", path, json={"commands": [{"command_name": "/x", "command_description": "d"}]})
    ).code == 100


async def test_phone_settings(make_client: ClientFactory) -> None:
    wa = make_client()
    settings = await wa.phone_numbers.get_settings()
    assert settings.calling is not None and settings.calling.status == "disabled"
    await wa.phone_numbers.set_calling("enabled", call_icon_visibility="hidden")
    await wa.phone_numbers.set_payload_encryption("enabled", client_encryption_key="TUlJQklq")
    await wa.phone_numbers.set_storage_configuration(True, region="IN")
    settings = await wa.phone_numbers.get_settings(include_sip_credentials=True)
    assert settings.calling is not None
    assert (settings.calling.status, settings.calling.call_icon_visibility) == ("enabled", "hidden")
    assert settings.payload_encryption is not None and settings.payload_encryption.status == "enabled"
    assert settings.payload_encryption.client_encryption_key_fingerprint
    assert settings.storage_configuration is not None
    assert settings.storage_configuration.status == "in_country_storage_enabled"
    assert settings.storage_configuration.data_localization_region == "IN"
    await wa.phone_numbers.set_storage_configuration(False)
    storage = (await wa.phone_numbers.get_settings()).storage_configuration
    assert storage is not None and storage.status == "default"

    err = await raw(wa, "POST", "{phone_number_id}/settings", json={"calling": {"status": "on"}})
    assert err.code == 100
    both = {"calling": {"status": "enabled"}, "user_identity_change": {"enabled": True}}
    assert (await raw(wa, "POST", "{phone_number_id}/settings", json=both)).code == 100


async def test_status_update_without_pin_and_set_pin_share_the_path(
    make_client: ClientFactory, sandbox: Sandbox
) -> None:
    wa = make_client()
    await wa.phone_numbers.update_status(
        search_visibility="HIDDEN",
        webhook_configuration={
            "override_callback_uri": "https://hooks.example.com/wa",
            "verify_token": "tok-123",
        },
    )
    status = number(sandbox).status
    assert status == {"search_visibility": "HIDDEN", "override_callback_uri": "https://hooks.example.com/wa"}
    await wa.phone_numbers.update_status(webhook_configuration={"override_callback_uri": ""})
    assert "override_callback_uri" not in number(sandbox).status
    # The verify token never reaches the sandbox's request log.
    assert "tok-123" not in str([entry.to_dict() for entry in sandbox.request_log])
    err = await raw(wa, "POST", "{phone_number_id}", json={"search_visibility": "PUBLIC"})
    assert err.code == 100


async def test_reset_clears_the_state(make_client: ClientFactory, sandbox: Sandbox) -> None:
    wa = make_client()
    await wa.qr_codes.create("Hi")
    await wa.block_users.block("15551234567")
    sandbox.reset()
    assert (await wa.qr_codes.list()).data == []
    assert (await wa.block_users.list()).data == []


async def test_unemulated_phone_operations_say_so(make_client: ClientFactory) -> None:
    wa = make_client()
    with pytest.raises(GraphAPIError) as info:
        await wa.commerce.get()
    assert "Not emulated by the sandbox: getCommerceSettings" in info.value.message


async def test_served_answers_fit_the_spec(make_client: ClientFactory, spec: Any) -> None:
    """Each 200 the new routes serve validates against its operation's response schema."""
    wa = make_client()
    created = await wa.request(
        "POST",
        "{phone_number_id}/message_qrdls",
        json={"prefilled_message": "Hi", "generate_qr_image": "PNG"},
    )
    code = created["code"]
    calls: list[tuple[str, str, str, dict[str, Any]]] = [
        ("createOrUpdateQrCode", "POST", "{phone_number_id}/message_qrdls", {"json": {"prefilled_message": "Yo", "code": code}}),
        ("listAllQrCodes", "GET", "{phone_number_id}/message_qrdls", {"params": {"limit": 1}}),
        ("getIndividualQrCode", "GET", f"{{phone_number_id}}/message_qrdls/{code}", {}),
        ("updateWhatsAppBusinessProfileInformation", "POST", "{phone_number_id}/whatsapp_business_profile",
         {"json": {"messaging_product": "whatsapp", "about": "Hi", "websites": ["https://example.com"]}}),
        ("getWhatsAppBusinessProfile", "GET", "{phone_number_id}/whatsapp_business_profile", {}),
        ("blockUserS", "POST", "{phone_number_id}/block_users",
         {"json": {"messaging_product": "whatsapp", "block_users": [{"user": "15551234567"}]}}),
        ("getBlockedUsers", "GET", "{phone_number_id}/block_users", {}),
        ("configureConversationalAutomation", "POST", "{phone_number_id}/conversational_automation",
         {"json": {"enable_welcome_message": True}}),
        ("updatePhoneNumberSettings", "POST", "{phone_number_id}/settings", {"json": {"calling": {"status": "enabled"}}}),
        ("getPhoneNumberSettings", "GET", "{phone_number_id}/settings", {}),
        ("deleteIndividualQrCode", "DELETE", f"{{phone_number_id}}/message_qrdls/{code}", {}),
    ]  # fmt: skip
    answers = [(op, await wa.request(method, path, **kwargs)) for op, method, path, kwargs in calls]
    answers.append(("createOrUpdateQrCode", created))
    unblock = {"messaging_product": "whatsapp", "block_users": [{"user": "15551234567"}]}
    answers.append(
        ("unblockUserS", await wa.request("DELETE", "{phone_number_id}/block_users", json=unblock))
    )
    for operation_id, body in answers:
        if operation_id == "getIndividualQrCode":
            body = body["data"][0]  # Meta's (and the spec's examples') shape; the schema lacks "data"
        _, _, operation = spec.operations[operation_id]
        schema = spec.deref(operation["responses"]["200"])["content"]["application/json"]["schema"]
        assert not spec.schema_errors(body, schema), (operation_id, spec.schema_errors(body, schema))
