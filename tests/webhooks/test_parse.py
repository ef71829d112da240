"""Every fixture parses into its typed event(s) with the values checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async.webhooks import (
    AccountAlertEvent,
    AccountReviewUpdateEvent,
    AccountSettingsUpdateEvent,
    AccountUpdateEvent,
    AudioMessage,
    AutomaticEvent,
    BusinessCapabilityUpdateEvent,
    ButtonMessage,
    CallEvent,
    CallStatusEvent,
    ContactsMessage,
    DocumentMessage,
    EditMessage,
    ErrorEvent,
    FlowsEvent,
    GroupLifecycleEvent,
    GroupParticipantsEvent,
    GroupSettingsEvent,
    GroupStatusEvent,
    HistoryEvent,
    ImageMessage,
    InteractiveMessage,
    LocationMessage,
    MessageEchoEvent,
    MessageTemplateComponentsUpdateEvent,
    MessageTemplateQualityUpdateEvent,
    MessageTemplateStatusUpdateEvent,
    OrderMessage,
    PartnerSolutionsEvent,
    PaymentConfigurationUpdateEvent,
    PhoneNumberNameUpdateEvent,
    PhoneNumberQualityUpdateEvent,
    ReactionMessage,
    RequestWelcomeMessage,
    RevokeMessage,
    SecurityEvent,
    StateSyncEvent,
    StatusEvent,
    StickerMessage,
    SystemMessage,
    TemplateCategoryUpdateEvent,
    TextMessage,
    TrackingEvent,
    UnknownEvent,
    UnsupportedMessage,
    UserActionEvent,
    UserPreferenceEvent,
    VideoMessage,
    WebhookPayload,
    parse_webhook,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """One of our fixture bodies (built from Meta's documented shapes), as raw bytes."""
    return (FIXTURES / f"{name}.json").read_bytes()


USER = "16465550100"
PID = "400000000000001"
WABA = "300000000000001"

# fixture -> (event class, {dotted attribute path: expected value}) for its single event.
CASES: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "message_text": (
        TextMessage,
        {
            "body": "Olá, tudo bem? ✓",
            "id": "wamid.TEST-text",
            "sender": USER,
            "timestamp": 1760000000,
            "contact.name": "Ana Ribeiro",
            "contact.wa_id": USER,
            "forwarded": False,
            "type": "text",
        },
    ),
    "message_text_forwarded": (
        TextMessage,
        {"forwarded": True, "context.forwarded": True, "context.frequently_forwarded": True},
    ),
    "message_text_reply_context": (
        TextMessage,
        {
            "context.id": "wamid.ORIGINAL",
            "context.sender": "15550001111",
            "context.referred_product.catalog_id": "777",
            "context.referred_product.product_retailer_id": "sku-1",
        },
    ),
    "message_text_referral": (
        TextMessage,
        {
            "referral.source_url": "https://fb.me/x",
            "referral.source_id": "555",
            "referral.source_type": "ad",
            "referral.body": "Ad body",
            "referral.headline": "Ad head",
            "referral.media_type": "video",
            "referral.video_url": "https://v.example/v.mp4",
            "referral.thumbnail_url": "https://v.example/t.jpg",
            "referral.ctwa_clid": "clid-1",
            "referral.welcome_message": "Welcome!",
        },
    ),
    "message_text_identity": (
        TextMessage,
        {
            "identity.acknowledged": True,
            "identity.created_timestamp": 1760000000000,
            "identity.hash": "aGFzaA==",
        },
    ),
    "message_image": (
        ImageMessage,
        {
            "media.id": "9001",
            "media.caption": "a cat",
            "media.mime_type": "image/jpeg",
            "media.sha256": "c2hhMjU2",
        },
    ),
    "message_video": (
        VideoMessage,
        {"media.id": "9002", "media.caption": "clip", "media.mime_type": "video/mp4"},
    ),
    "message_audio": (AudioMessage, {"media.id": "9003", "media.voice": False}),
    "message_voice": (
        AudioMessage,
        {"media.id": "9004", "media.voice": True, "media.mime_type": "audio/ogg; codecs=opus"},
    ),
    "message_document": (
        DocumentMessage,
        {"media.id": "9005", "media.filename": "invoice.pdf", "media.caption": "invoice"},
    ),
    "message_sticker": (StickerMessage, {"media.id": "9006", "media.animated": False}),
    "message_sticker_animated": (StickerMessage, {"media.id": "9007", "media.animated": True}),
    "message_location": (
        LocationMessage,
        {
            "location.latitude": -23.55,
            "location.longitude": -46.63,
            "location.name": "Praça",
            "location.address": "Rua A, 1",
            "location.url": "https://maps.example/p",
        },
    ),
    "message_contacts": (
        ContactsMessage,
        {
            "contacts.0.formatted_name": "João Silva",
            "contacts.0.first_name": "João",
            "contacts.0.last_name": "Silva",
            "contacts.0.middle_name": "M",
            "contacts.0.company": "ACME",
            "contacts.0.department": "Sales",
            "contacts.0.title": "Rep",
            "contacts.0.birthday": "1990-02-03",
            "contacts.0.phones.0.phone": "+55 11 5555-0101",
            "contacts.0.phones.0.wa_id": "551155550101",
            "contacts.0.phones.0.type": "WORK",
            "contacts.0.emails.0.email": "joao@example.com",
            "contacts.0.urls.0.url": "https://example.com",
            "contacts.0.addresses.0.city": "São Paulo",
            "contacts.0.addresses.0.country_code": "BR",
        },
    ),
    "message_reaction": (ReactionMessage, {"message_id": "wamid.OURS", "emoji": "❤️", "removed": False}),
    "message_reaction_removed": (
        ReactionMessage,
        {"message_id": "wamid.OURS", "emoji": None, "removed": True},
    ),
    "message_button": (
        ButtonMessage,
        {"payload": "STOP_PROMOS", "text": "Stop promotions", "context.id": "wamid.TEMPLATE"},
    ),
    "message_interactive_button_reply": (
        InteractiveMessage,
        {"interactive_type": "button_reply", "reply.id": "yes", "reply.title": "Yes"},
    ),
    "message_interactive_list_reply": (
        InteractiveMessage,
        {
            "interactive_type": "list_reply",
            "reply.id": "opt-2",
            "reply.title": "Option 2",
            "reply.description": "The second",
        },
    ),
    "message_interactive_nfm_reply": (
        InteractiveMessage,
        {
            "interactive_type": "nfm_reply",
            "reply.name": "flow",
            "reply.body": "Sent",
            "reply.response": {"flow_token": "tok-1", "rating": "5"},
        },
    ),
    "message_interactive_call_permission_reply": (
        InteractiveMessage,
        {
            "interactive_type": "call_permission_reply",
            "reply.response": "accept",
            "reply.is_permanent": False,
            "reply.expiration_timestamp": 1760600000,
            "reply.response_source": "user_action",
        },
    ),
    "message_order": (
        OrderMessage,
        {
            "order.catalog_id": "777",
            "order.text": "please hurry",
            "order.product_items.0.product_retailer_id": "sku-1",
            "order.product_items.0.quantity": 3,
            "order.product_items.0.item_price": 9.5,
            "order.product_items.0.currency": "BRL",
        },
    ),
    "message_system_changed_number": (
        SystemMessage,
        {"system_type": "user_changed_number", "new_wa_id": "16465550199", "contact.name": "Ana Ribeiro"},
    ),
    "message_system_identity_changed": (
        SystemMessage,
        {
            "system_type": "customer_identity_changed",
            "customer": USER,
            "identity.acknowledged": False,
            "identity.hash": "bmV3",
            "body": "security code changed",
        },
    ),
    "message_request_welcome": (
        RequestWelcomeMessage,
        {"type": "request_welcome", "id": "wamid.TEST-request_welcome"},
    ),
    "message_edit": (
        EditMessage,
        {
            "original_message_id": "wamid.BEFORE",
            "message.body": "fixed typo",
            "message.id": "wamid.TEST-edit",
            "message.sender": USER,
        },
    ),
    "message_revoke": (RevokeMessage, {"original_message_id": "wamid.GONE"}),
    "message_unsupported": (
        UnsupportedMessage,
        {
            "unsupported_type": "poll",
            "errors.0.code": 131051,
            "errors.0.title": "Message type unknown",
            "errors.0.details": "Message type is currently not supported.",
        },
    ),
    "message_unknown_type": (UnknownEvent, {"kind": "message:hologram", "raw.hologram": {"depth": 3}}),
    "status_sent": (
        StatusEvent,
        {
            "id": "wamid.SENT1",
            "status": "sent",
            "recipient_id": USER,
            "timestamp": 1760000100,
            "conversation.id": "conv-1",
            "conversation.origin_type": "service",
            "conversation.expiration_timestamp": 1760086500,
            "pricing.billable": True,
            "pricing.pricing_model": "PMP",
            "pricing.category": "service",
            "pricing.type": "regular",
            "biz_opaque_callback_data": "order-42",
        },
    ),
    "status_delivered": (StatusEvent, {"status": "delivered"}),
    "status_read": (StatusEvent, {"status": "read"}),
    "status_played": (StatusEvent, {"status": "played"}),
    "status_deleted": (StatusEvent, {"status": "deleted"}),
    "status_failed": (
        StatusEvent,
        {
            "status": "failed",
            "errors.0.code": 131047,
            "errors.0.title": "Re-engagement message",
            "errors.0.details": "More than 24 hours have passed.",
            "errors.0.href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        },
    ),
    "status_group": (
        StatusEvent,
        {"recipient_type": "group", "recipient_id": "group-abc", "recipient_participant_id": USER},
    ),
    "status_call": (
        CallStatusEvent,
        {
            "id": "wacid.CALL1",
            "status": "RINGING",
            "recipient_id": USER,
            "biz_opaque_callback_data": "cb-7",
            "field": "calls",
        },
    ),
    "value_errors": (
        ErrorEvent,
        {"error.code": 131000, "error.title": "Something went wrong", "error.details": "Try again"},
    ),
    "smb_message_echoes": (
        MessageEchoEvent,
        {
            "id": "wamid.ECHO1",
            "sender": "15550001111",
            "to": USER,
            "message.body": "sent from the app",
            "field": "smb_message_echoes",
            "timestamp": 1760000400,
        },
    ),
    "message_echoes": (
        MessageEchoEvent,
        {"id": "wamid.ECHO2", "message.media.id": "9100", "field": "message_echoes"},
    ),
    "smb_app_state_sync": (
        StateSyncEvent,
        {
            "sync_type": "contact",
            "action": "add",
            "contact.full_name": "Ana Ribeiro",
            "contact.first_name": "Ana",
            "contact.phone_number": USER,
            "timestamp": 1760000500,
        },
    ),
    "history": (
        HistoryEvent,
        {
            "phase": 0,
            "chunk_order": 1,
            "progress": 55,
            "threads.0.id": USER,
            "threads.0.messages.0.body": "old hello",
            "threads.0.messages.1.to": USER,
            "threads.0.messages.1.sender": "15550001111",
        },
    ),
    "history_declined": (HistoryEvent, {"threads": (), "errors.0.code": 2593109}),
    "calls_connect": (
        CallEvent,
        {
            "id": "wacid.IN1",
            "event": "connect",
            "sender": USER,
            "to": "15550001111",
            "direction": "USER_INITIATED",
            "session.sdp_type": "offer",
            "timestamp": 1760000600,
        },
    ),
    "calls_terminate": (
        CallEvent,
        {
            "event": "terminate",
            "status": "Completed",
            "start_time": 1760000610,
            "end_time": 1760000700,
            "duration": 90,
            "biz_opaque_callback_data": "cb-9",
        },
    ),
    "user_preferences": (
        UserPreferenceEvent,
        {
            "wa_id": USER,
            "category": "marketing_messages",
            "value": "stop",
            "timestamp": 1760000800,
            "detail": "User requested to stop marketing messages",
        },
    ),
    "user_actions_link_click": (
        UserActionEvent,
        {
            "action_type": "marketing_messages_link_click",
            "click_component": "cta",
            "product_id": "sku-1",
            "click_id": "click-1",
            "tracking_token": "tt-1",
            "timestamp": 1760000850,
        },
    ),
    "account_update_verified": (
        AccountUpdateEvent,
        {"event": "VERIFIED_ACCOUNT", "timestamp": 1760000900, "waba_id": WABA},
    ),
    "account_update_partner_added": (
        AccountUpdateEvent,
        {
            "event": "PARTNER_ADDED",
            "partner_waba_id": WABA,
            "owner_business_id": "600000000000001",
            "partner_app_id": "700000000000001",
            "solution_id": "800000000000001",
        },
    ),
    "account_update_disabled": (
        AccountUpdateEvent,
        {"event": "DISABLED_UPDATE", "ban_state": "DISABLE", "ban_date": "2026-10-01"},
    ),
    "account_update_violation": (
        AccountUpdateEvent,
        {"event": "ACCOUNT_VIOLATION", "violation_type": "SCAM"},
    ),
    "account_update_restriction": (
        AccountUpdateEvent,
        {
            "restrictions.0.restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
            "restrictions.0.expiration": 1760600000,
        },
    ),
    "account_update_business_verification": (
        AccountUpdateEvent,
        {"business_verification_status": "approved", "country": "BR"},
    ),
    "account_update_auth_intl": (
        AccountUpdateEvent,
        {
            "event": "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE",
            "auth_intl_start_time": 1760600000,
            "auth_intl_exception_countries.0.country_code": "ID",
            "auth_intl_exception_countries.0.start_time": 1760700000,
        },
    ),
    "account_review_update": (
        AccountReviewUpdateEvent,
        {"decision": "APPROVED", "value.decision": "APPROVED"},
    ),
    "account_alerts": (
        AccountAlertEvent,
        {
            "entity_type": "PHONE_NUMBER",
            "entity_id": PID,
            "alert_severity": "WARNING",
            "alert_status": "ACTIVE",
            "alert_type": "OBA_APPROVED",
        },
    ),
    "account_settings_update": (
        AccountSettingsUpdateEvent,
        {"setting_type": "phone_number_settings", "phone_number_id": PID},
    ),
    "business_capability_update": (
        BusinessCapabilityUpdateEvent,
        {
            "max_daily_conversation_per_phone": 1000,
            "max_phone_numbers_per_business": 2,
            "max_phone_numbers_per_waba": 25,
            "max_daily_conversations_per_business": "TIER_10K",
        },
    ),
    "phone_number_name_update": (
        PhoneNumberNameUpdateEvent,
        {
            "decision": "APPROVED",
            "requested_verified_name": "Padaria Ana",
            "rejection_reason": None,
            "display_phone_number": "15550001111",
        },
    ),
    "phone_number_quality_update": (
        PhoneNumberQualityUpdateEvent,
        {"event": "UPGRADE", "current_limit": "TIER_10K", "old_limit": "TIER_1K"},
    ),
    "message_template_status_update": (
        MessageTemplateStatusUpdateEvent,
        {
            "event": "REJECTED",
            "message_template_id": "1234567890123456",
            "message_template_name": "order_ready",
            "message_template_language": "pt_BR",
            "reason": "INVALID_FORMAT",
            "message_template_category": "UTILITY",
            "rejection_reason_info": "Variables at the start",
            "rejection_recommendation": "Move the variable",
        },
    ),
    "message_template_status_paused": (
        MessageTemplateStatusUpdateEvent,
        {
            "event": "PAUSED",
            "other_info_title": "FIRST_PAUSE",
            "other_info_description": "Paused for 3 hours",
        },
    ),
    "message_template_status_disabled": (
        MessageTemplateStatusUpdateEvent,
        {"event": "DISABLED", "reason": None, "disable_date": 1760500000},
    ),
    "message_template_quality_update": (
        MessageTemplateQualityUpdateEvent,
        {
            "previous_quality_score": "GREEN",
            "new_quality_score": "YELLOW",
            "message_template_id": "1234567890123456",
        },
    ),
    "message_template_components_update": (
        MessageTemplateComponentsUpdateEvent,
        {
            "message_template_element": "Your order {{1}} is ready",
            "message_template_title": "Order",
            "message_template_footer": "Thanks",
            "buttons.0.type": "URL",
            "buttons.0.text": "Track",
            "buttons.0.url": "https://track.example/{{1}}",
            "buttons.1.phone_number": "+15550001111",
        },
    ),
    "template_category_update": (
        TemplateCategoryUpdateEvent,
        {"previous_category": "UTILITY", "new_category": "MARKETING", "correct_category": "MARKETING"},
    ),
    "flows": (
        FlowsEvent,
        {
            "event": "FLOW_STATUS_CHANGE",
            "flow_id": "910000000000001",
            "old_status": "DRAFT",
            "new_status": "PUBLISHED",
        },
    ),
    "flows_alert": (FlowsEvent, {"event": "ENDPOINT_ERROR_RATE", "alert_state": "ACTIVATED"}),
    "security": (
        SecurityEvent,
        {"event": "PIN_CHANGED", "requester": "1000000001", "display_phone_number": "15550001111"},
    ),
    "group_lifecycle_update": (
        GroupLifecycleEvent,
        {
            "group_id": "grp-1",
            "type": "group_create",
            "request_id": "req-1",
            "subject": "Clientes VIP",
            "description": "Avisos",
            "invite_link": "https://chat.whatsapp.com/abc",
            "added_participants.0.wa_id": USER,
            "added_participants.0.input": USER,
        },
    ),
    "group_participants_update": (
        GroupParticipantsEvent,
        {
            "type": "group_participants_remove",
            "initiated_by": "business",
            "removed_participants.0.wa_id": USER,
        },
    ),
    "group_settings_update": (
        GroupSettingsEvent,
        {"profile_picture.id": "9200", "profile_picture.sha256": "cGlj", "subject": "Clientes VIP 2"},
    ),
    "group_status_update": (
        GroupStatusEvent,
        {"type": "group_suspend", "reason": "policy", "timestamp": 1760002500},
    ),
    "partner_solutions": (
        PartnerSolutionsEvent,
        {"event": "SOLUTION_CREATED", "solution_id": "800000000000001", "solution_status": "INITIATED"},
    ),
    "payment_configuration_update": (
        PaymentConfigurationUpdateEvent,
        {
            "configuration_name": "pay-prod",
            "provider_name": "razorpay",
            "provider_mid": "acc_TEST1",
            "status": "Needs Testing",
            "created_timestamp": 1760002000,
            "updated_timestamp": 1760002700,
        },
    ),
    "tracking_events": (
        TrackingEvent,
        {"event": "LINK_CLICK", "tracking_id": "trk-1", "timestamp": 1760002800},
    ),
    "unknown_field": (
        UnknownEvent,
        {"kind": "brand_new_field", "raw": {"anything": [1, 2, 3]}, "field": "brand_new_field"},
    ),
}


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if part.isdigit():
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj[part]
        else:
            obj = getattr(obj, part)
    return obj


def test_every_fixture_file_has_a_case() -> None:
    names = {p.stem for p in FIXTURES.glob("*.json")} - {"batched", "automatic_events"}
    assert names == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_parses_with_values(name: str) -> None:
    cls, expected = CASES[name]
    body = fixture_bytes(name)
    payload = parse_webhook(body)
    assert isinstance(payload, WebhookPayload) and payload.object == "whatsapp_business_account"
    (event,) = payload.events
    assert type(event) is cls
    assert event.waba_id == WABA
    item_raw = json.loads(body)["entry"][0]["changes"][0]["value"]
    assert event.raw is not None and (event.raw == item_raw or _contains(item_raw, event.raw))
    for path, value in expected.items():
        assert _get(event, path) == value, (name, path)
    if event.field != "message_template_status_update" and "metadata" in item_raw:
        assert event.phone_number_id == PID and event.display_phone_number == "15550001111"


def _contains(container: Any, item: Any) -> bool:
    return any(
        item is v or item == v for values in container.values() if isinstance(values, list) for v in values
    )


def test_automatic_events_yield_one_event_per_item() -> None:
    first, second = parse_webhook(fixture_bytes("automatic_events")).events
    assert isinstance(first, AutomaticEvent) and isinstance(second, AutomaticEvent)
    assert (first.id, first.event_name, first.ctwa_clid, first.currency, first.value) == (
        "wamid.AUTO1",
        "Purchase",
        "clid-9",
        "USD",
        25000.0,
    )
    assert (second.event_name, second.currency, second.value, second.timestamp) == (
        "LeadSubmitted",
        None,
        None,
        1760002101,
    )


def test_batched_delivery_yields_every_item_of_every_entry_and_change() -> None:
    events = parse_webhook(fixture_bytes("batched")).events
    assert [type(e).__name__ for e in events] == [
        "TextMessage",
        "TextMessage",
        "StatusEvent",
        "StatusEvent",
        "StatusEvent",
        "ReactionMessage",
        "AccountReviewUpdateEvent",
    ]
    one, two, s1, s2, s3, reaction, review = events
    assert isinstance(one, TextMessage) and isinstance(two, TextMessage)
    assert (one.body, one.contact and one.contact.name) == ("one", "Ana Ribeiro")
    # Each message gets the contact whose wa_id is its sender, not the first one.
    assert (two.body, two.sender, two.contact and two.contact.name) == ("two", "16465550200", "Bo")
    assert [getattr(s, "status", None) for s in (s1, s2, s3)] == ["sent", "delivered", "read"]
    assert isinstance(reaction, ReactionMessage)
    assert (reaction.waba_id, reaction.phone_number_id, reaction.emoji) == (
        "300000000000002",
        "400000000000002",
        "🎉",
    )
    assert isinstance(review, AccountReviewUpdateEvent) and review.decision == "REJECTED"
    assert len({e.dedupe_key for e in events}) == len(events)


def test_dedupe_keys() -> None:
    (msg,) = parse_webhook(fixture_bytes("message_text")).events
    (status,) = parse_webhook(fixture_bytes("status_read")).events
    (review,) = parse_webhook(fixture_bytes("account_review_update")).events
    assert msg.dedupe_key == "m:wamid.TEST-text"
    assert status.dedupe_key == "s:wamid.SENT1:read"
    assert review.dedupe_key.startswith("h:")
    (again,) = parse_webhook(fixture_bytes("account_review_update")).events
    assert again.dedupe_key == review.dedupe_key
    later = json.loads(fixture_bytes("account_review_update"))
    later["entry"][0]["time"] += 86400
    (next_day,) = parse_webhook(json.dumps(later)).events
    assert next_day.dedupe_key != review.dedupe_key


def test_escaped_and_raw_utf8_bodies_parse_alike() -> None:
    escaped = fixture_bytes("message_text")
    assert b"\\u" in escaped
    raw = json.dumps(json.loads(escaped), ensure_ascii=False).encode()
    assert parse_webhook(escaped).events == parse_webhook(raw).events
    assert parse_webhook(raw.decode()).events == parse_webhook(escaped).events


def test_an_unknown_item_kind_in_a_known_field_is_kept() -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "metadata": {"phone_number_id": PID},
                            "holograms": [{"x": 1}],
                            "beacon": {"y": 2},
                            "messages": [
                                {
                                    "from": USER,
                                    "id": "wamid.1",
                                    "timestamp": "1",
                                    "type": "interactive",
                                    "interactive": {"type": "carousel_reply", "carousel_reply": {}},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    first, beacon, second = parse_webhook(json.dumps(body)).events
    assert isinstance(first, UnknownEvent) and first.kind == "messages.holograms" and first.raw == {"x": 1}
    assert isinstance(beacon, UnknownEvent) and beacon.kind == "messages.beacon" and beacon.raw == {"y": 2}
    assert isinstance(second, UnknownEvent) and second.kind == "message:interactive"
    assert second.phone_number_id == PID


def test_empty_entry_list_is_an_empty_payload() -> None:
    assert parse_webhook(b'{"object": "whatsapp_business_account", "entry": []}').events == ()


def test_spec_examples_parse_into_typed_events(spec: Any) -> None:
    """The OpenAPI document's own webhook examples (its schemas reject them; the examples are right)."""
    op = spec.document["paths"]["/whatsapp/webhooks"]["post"]
    examples = op["requestBody"]["content"]["application/json"]["examples"]
    assert len(examples) >= 16
    for name, example in examples.items():
        value = example["value"]
        events = parse_webhook(json.dumps(value).encode()).events
        assert events, name
        for event in events:
            assert not isinstance(event, UnknownEvent), (name, event)
        item = value["entry"][0]["changes"][0]["value"]
        for key in ("messages", "groups", "statuses"):
            if key in item:
                assert events[0].raw is item[key][0] or events[0].raw == item[key][0]
    by_name = {n: parse_webhook(json.dumps(e["value"])).events[0] for n, e in examples.items()}
    order = by_name["Order Message"]
    assert isinstance(order, OrderMessage) and order.order.product_items[1].item_price == 25.0
    contacts = by_name["Contact Sharing Message"]
    assert isinstance(contacts, ContactsMessage) and contacts.contacts[0].formatted_name == "Lucía Gómez"
    group = by_name["Group Create Message"]
    assert isinstance(group, GroupLifecycleEvent) and group.added_participants[0].wa_id == "16505551234"
