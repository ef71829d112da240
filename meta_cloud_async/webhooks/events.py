"""Typed webhook events: one per item Meta sends (entry x change x message/status/call/...).

Every event carries where it came from (``field``, ``waba_id``, ``phone_number_id``,
``display_phone_number``, ``timestamp`` when Meta sends them) and ``raw``, the item exactly
as it arrived, so nothing Meta adds is ever lost. Classes are attrs slots classes built by
the hand-written parser in ``parse.py`` (no reflection on the hot path). They are not frozen:
a frozen attrs ``__init__`` costs about three times as much, and parse speed is what lets the
receiver answer Meta in milliseconds; treat events as read-only.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs

__all__ = [
    "AccountAlertEvent",
    "AccountReviewUpdateEvent",
    "AccountSettingsUpdateEvent",
    "AccountUpdateEvent",
    "AudioMessage",
    "AutomaticEvent",
    "BusinessCapabilityUpdateEvent",
    "ButtonMessage",
    "ButtonReply",
    "CallEvent",
    "CallPermissionReply",
    "CallSession",
    "CallStatusEvent",
    "ChangeEvent",
    "Contact",
    "ContactsMessage",
    "Conversation",
    "CountryStart",
    "DocumentMessage",
    "EditMessage",
    "ErrorEvent",
    "Event",
    "FlowReply",
    "FlowsEvent",
    "GroupEvent",
    "GroupLifecycleEvent",
    "GroupParticipant",
    "GroupParticipantsEvent",
    "GroupSettingsEvent",
    "GroupStatusEvent",
    "HistoryEvent",
    "HistoryThread",
    "Identity",
    "ImageMessage",
    "InteractiveMessage",
    "ListReply",
    "Location",
    "LocationMessage",
    "Media",
    "MediaMessage",
    "MessageContext",
    "MessageEchoEvent",
    "MessageEvent",
    "MessageTemplateComponentsUpdateEvent",
    "MessageTemplateQualityUpdateEvent",
    "MessageTemplateStatusUpdateEvent",
    "Order",
    "OrderMessage",
    "PartnerSolutionsEvent",
    "PaymentConfigurationUpdateEvent",
    "PhoneNumberNameUpdateEvent",
    "PhoneNumberQualityUpdateEvent",
    "Pricing",
    "ProductItem",
    "ReactionMessage",
    "Referral",
    "ReferredProduct",
    "RequestWelcomeMessage",
    "Restriction",
    "RevokeMessage",
    "SecurityEvent",
    "SharedContact",
    "SharedContactAddress",
    "SharedContactEmail",
    "SharedContactPhone",
    "SharedContactUrl",
    "StateSyncEvent",
    "StatusEvent",
    "StickerMessage",
    "SyncedContact",
    "SystemMessage",
    "TemplateButton",
    "TemplateCategoryUpdateEvent",
    "TextMessage",
    "TrackingEvent",
    "UnknownEvent",
    "UnsupportedMessage",
    "UserActionEvent",
    "UserPreferenceEvent",
    "VideoMessage",
    "WebhookError",
]


def _hash_key(prefix: str, *parts: Any) -> str:
    """A stable digest of an item, for dedupe of events that carry no id of their own."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return prefix + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# -- value objects -----------------------------------------------------------------------


@attrs.define(kw_only=True)
class WebhookError:
    """An asynchronous error: value-level, on a status, on an unsupported message, on a call."""

    code: int | None
    title: str | None
    message: str | None = None
    details: str | None = None
    href: str | None = None


@attrs.define(kw_only=True)
class Contact:
    """The sender's profile from ``value.contacts``."""

    wa_id: str | None
    name: str | None
    user_id: str | None = None


@attrs.define(kw_only=True)
class ReferredProduct:
    """The catalog product a message was sent about (``context.referred_product``)."""

    catalog_id: str | None
    product_retailer_id: str | None


@attrs.define(kw_only=True)
class MessageContext:
    """What the message replies to or came from (``context``); ``forwarded`` flags live here."""

    id: str | None
    sender: str | None
    forwarded: bool = False
    frequently_forwarded: bool = False
    referred_product: ReferredProduct | None = None


@attrs.define(kw_only=True)
class Referral:
    """Click-to-WhatsApp ad (or post) the user came from."""

    source_url: str | None
    source_id: str | None
    source_type: str | None
    body: str | None = None
    headline: str | None = None
    media_type: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    thumbnail_url: str | None = None
    ctwa_clid: str | None = None
    welcome_message: str | None = None


@attrs.define(kw_only=True)
class Identity:
    """Security-code change data sent with a message when identity-change checks are on."""

    acknowledged: bool | None
    created_timestamp: int | None
    hash: str | None


@attrs.define(kw_only=True)
class Media:
    """An inbound media object; ``id`` is what ``client.media.download`` takes."""

    id: str
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None
    voice: bool = False
    animated: bool = False


@attrs.define(kw_only=True)
class Location:
    """A shared location; ``name``, ``address`` and ``url`` only for a named place."""

    latitude: float | None
    longitude: float | None
    name: str | None = None
    address: str | None = None
    url: str | None = None


@attrs.define(kw_only=True)
class SharedContactPhone:
    """A phone number of a shared contact; ``wa_id`` when it is on WhatsApp."""

    phone: str | None
    wa_id: str | None = None
    type: str | None = None


@attrs.define(kw_only=True)
class SharedContactEmail:
    """An email address of a shared contact."""

    email: str | None
    type: str | None = None


@attrs.define(kw_only=True)
class SharedContactUrl:
    """A website of a shared contact."""

    url: str | None
    type: str | None = None


@attrs.define(kw_only=True)
class SharedContactAddress:
    """A postal address of a shared contact; every part is optional, as Meta sends it."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


@attrs.define(kw_only=True)
class SharedContact:
    """One vCard-like card from a ``contacts`` message."""

    formatted_name: str | None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    company: str | None = None
    department: str | None = None
    title: str | None = None
    birthday: str | None = None
    phones: tuple[SharedContactPhone, ...] = ()
    emails: tuple[SharedContactEmail, ...] = ()
    urls: tuple[SharedContactUrl, ...] = ()
    addresses: tuple[SharedContactAddress, ...] = ()


@attrs.define(kw_only=True)
class ButtonReply:
    """The reply button the user tapped: the ``id`` and ``title`` you sent with ``send_buttons``."""

    id: str | None
    title: str | None


@attrs.define(kw_only=True)
class ListReply:
    """The list row the user picked: the row ``id``, ``title`` and ``description`` you sent."""

    id: str | None
    title: str | None
    description: str | None = None


@attrs.define(kw_only=True)
class FlowReply:
    """A Flow completion (``nfm_reply``): ``response`` is ``response_json`` decoded (``{}`` if not JSON)."""

    name: str | None
    body: str | None
    response_json: str | None
    response: Any = attrs.field(eq=False, repr=False)


@attrs.define(kw_only=True)
class CallPermissionReply:
    """The user's answer to a call-permission request (``accept`` or ``reject``) and how long it holds."""

    response: str | None
    is_permanent: bool | None = None
    expiration_timestamp: int | None = None
    response_source: str | None = None


@attrs.define(kw_only=True)
class ProductItem:
    """One line of an order: product, quantity, unit price and currency."""

    product_retailer_id: str | None
    quantity: int | None
    item_price: float | None
    currency: str | None


@attrs.define(kw_only=True)
class Order:
    """A cart the user sent from a catalog (``order`` messages)."""

    catalog_id: str | None
    text: str | None
    product_items: tuple[ProductItem, ...]


@attrs.define(kw_only=True)
class Conversation:
    """The conversation a status belongs to, when Meta sends one; ``origin_type`` is its category."""

    id: str | None
    origin_type: str | None = None
    expiration_timestamp: int | None = None


@attrs.define(kw_only=True)
class Pricing:
    """How a status's message is billed: ``billable``, ``pricing_model`` and ``category``."""

    billable: bool | None
    pricing_model: str | None
    category: str | None = None
    type: str | None = None


@attrs.define(kw_only=True)
class CallSession:
    """The SDP offer or answer of a call ``connect`` event."""

    sdp_type: str | None
    sdp: str | None


@attrs.define(kw_only=True)
class SyncedContact:
    """A contact of the WhatsApp Business app, as a state-sync event reports it."""

    full_name: str | None
    first_name: str | None
    phone_number: str | None


@attrs.define(kw_only=True)
class GroupParticipant:
    """A group member by WhatsApp id; ``input`` is the phone number as it was given."""

    wa_id: str | None
    input: str | None = None


@attrs.define(kw_only=True)
class TemplateButton:
    """A button of a template whose components changed: ``type``, ``text`` and its URL or phone number."""

    type: str | None
    text: str | None
    url: str | None = None
    phone_number: str | None = None


@attrs.define(kw_only=True)
class CountryStart:
    """A country and when a rate starts applying there (authentication-international rates)."""

    country_code: str | None
    start_time: int | None


@attrs.define(kw_only=True)
class Restriction:
    """A restriction on the account (``restriction_type``) and when it ends (``expiration``, epoch seconds)."""

    restriction_type: str | None
    expiration: int | None = None


# -- events ------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class Event:
    """Base of every event. ``raw`` is the item as sent (a message, a status, a change value...)."""

    field: str
    waba_id: str | None
    phone_number_id: str | None
    display_phone_number: str | None
    timestamp: int | None
    raw: Any = attrs.field(eq=False, repr=False)

    @property
    def dedupe_key(self) -> str:
        """Meta redelivers: the key under which a repeat of this event is recognised.

        The timestamp is part of it, so the same update sent again on another day (an alert,
        a template review) is a new event, while a redelivery (same body) is not.
        """
        return _hash_key("h:", self.field, self.waba_id, self.phone_number_id, self.timestamp, self.raw)


@attrs.define(kw_only=True)
class UnknownEvent(Event):
    """A field, message type or item kind this version does not model; ``raw`` keeps all of it."""

    kind: str | None = None


@attrs.define(kw_only=True)
class MessageEvent(Event):
    """An inbound message (field ``messages``). Subclasses carry the type's content."""

    id: str
    sender: str
    type: str
    contact: Contact | None = None
    context: MessageContext | None = None
    referral: Referral | None = None
    identity: Identity | None = None
    errors: tuple[WebhookError, ...] = ()
    to: str | None = None

    @property
    def forwarded(self) -> bool:
        """Whether the message was forwarded (once or frequently), from its ``context``."""
        return self.context is not None and (self.context.forwarded or self.context.frequently_forwarded)

    @property
    def media(self) -> Media | None:
        """The message's media, if it has any (overridden by media messages)."""
        return None

    @property
    def dedupe_key(self) -> str:
        return "m:" + self.id


@attrs.define(kw_only=True)
class TextMessage(MessageEvent):
    """A text message; ``body`` is what the user wrote."""

    body: str


@attrs.define(kw_only=True)
class MediaMessage(MessageEvent):
    """Image, video, audio (``media.voice`` for voice notes), document or sticker (``media.animated``)."""

    media_object: Media

    @property
    def media(self) -> Media | None:
        return self.media_object


@attrs.define(kw_only=True)
class ImageMessage(MediaMessage):
    """An image; its ``media`` has the id to download and the caption."""


@attrs.define(kw_only=True)
class VideoMessage(MediaMessage):
    """A video; its ``media`` has the id to download and the caption."""


@attrs.define(kw_only=True)
class AudioMessage(MediaMessage):
    """An audio file or a voice note (``media.voice``)."""


@attrs.define(kw_only=True)
class DocumentMessage(MediaMessage):
    """A document; ``media.filename`` is the name the user's file had."""


@attrs.define(kw_only=True)
class StickerMessage(MediaMessage):
    """A sticker; ``media.animated`` for animated ones."""


@attrs.define(kw_only=True)
class LocationMessage(MessageEvent):
    """A shared location (``location``)."""

    location: Location


@attrs.define(kw_only=True)
class ContactsMessage(MessageEvent):
    """One or more shared contact cards (``contacts``)."""

    contacts: tuple[SharedContact, ...]


@attrs.define(kw_only=True)
class ReactionMessage(MessageEvent):
    """A reaction to ``message_id``; ``emoji`` is None (or empty) when the user removed it."""

    message_id: str | None
    emoji: str | None

    @property
    def removed(self) -> bool:
        """True when the user took the reaction back (Meta sends an empty emoji)."""
        return not self.emoji


@attrs.define(kw_only=True)
class ButtonMessage(MessageEvent):
    """A quick-reply button of a template was tapped."""

    payload: str | None
    text: str | None


@attrs.define(kw_only=True)
class InteractiveMessage(MessageEvent):
    """``interactive_type`` is button_reply, list_reply, nfm_reply or call_permission_reply."""

    interactive_type: str
    reply: ButtonReply | ListReply | FlowReply | CallPermissionReply


@attrs.define(kw_only=True)
class OrderMessage(MessageEvent):
    """A cart sent from a catalog (``order``)."""

    order: Order


@attrs.define(kw_only=True)
class SystemMessage(MessageEvent):
    """``system_type``: user_changed_number (``new_wa_id``) or customer_identity_changed."""

    system_type: str | None
    body: str | None
    new_wa_id: str | None = None
    customer: str | None = None


@attrs.define(kw_only=True)
class RequestWelcomeMessage(MessageEvent):
    """The user opened the chat for the first time (welcome-message request)."""


@attrs.define(kw_only=True)
class EditMessage(MessageEvent):
    """The user edited ``original_message_id``; ``message`` is the new content, typed."""

    original_message_id: str | None
    message: Event | None


@attrs.define(kw_only=True)
class RevokeMessage(MessageEvent):
    """The user deleted ``original_message_id`` for everyone."""

    original_message_id: str | None


@attrs.define(kw_only=True)
class UnsupportedMessage(MessageEvent):
    """A type Cloud API cannot deliver; ``errors`` says why, ``unsupported_type`` what it was."""

    unsupported_type: str | None = None


@attrs.define(kw_only=True)
class StatusEvent(Event):
    """The status of a message we sent (sent, delivered, read, played, failed, deleted)."""

    id: str
    status: str
    recipient_id: str | None
    recipient_type: str | None = None
    recipient_participant_id: str | None = None
    conversation: Conversation | None = None
    pricing: Pricing | None = None
    errors: tuple[WebhookError, ...] = ()
    biz_opaque_callback_data: str | None = None

    @property
    def dedupe_key(self) -> str:
        return "s:" + self.id + ":" + self.status


@attrs.define(kw_only=True)
class CallStatusEvent(Event):
    """A business-initiated call's state (RINGING, ACCEPTED, REJECTED), sent in ``statuses``."""

    id: str
    status: str
    recipient_id: str | None
    biz_opaque_callback_data: str | None = None
    errors: tuple[WebhookError, ...] = ()

    @property
    def dedupe_key(self) -> str:
        return "s:" + self.id + ":" + self.status


@attrs.define(kw_only=True)
class ErrorEvent(Event):
    """A value-level error (``value.errors[]``): something went wrong outside any one message."""

    error: WebhookError


@attrs.define(kw_only=True)
class MessageEchoEvent(Event):
    """A message the business sent from the WhatsApp Business app (coexistence) or another app."""

    id: str
    sender: str | None
    to: str | None
    message: Event

    @property
    def dedupe_key(self) -> str:
        return "e:" + self.id


@attrs.define(kw_only=True)
class StateSyncEvent(Event):
    """A contact added or removed in the WhatsApp Business app (``smb_app_state_sync``)."""

    sync_type: str | None
    action: str | None
    contact: SyncedContact | None


@attrs.define(kw_only=True)
class HistoryThread:
    """One chat of a history chunk: its ``id`` and the messages in it, typed like live ones."""

    id: str | None
    messages: tuple[Event, ...]


@attrs.define(kw_only=True)
class HistoryEvent(Event):
    """One chunk of WhatsApp Business app chat history, or the refusal to share it (``errors``)."""

    phase: int | None
    chunk_order: int | None
    progress: int | None
    threads: tuple[HistoryThread, ...]
    errors: tuple[WebhookError, ...] = ()


@attrs.define(kw_only=True)
class CallEvent(Event):
    """A call ``event``: connect (with the SDP ``session``) or terminate (with status and duration)."""

    id: str
    event: str
    sender: str | None
    to: str | None
    direction: str | None = None
    session: CallSession | None = None
    status: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    duration: int | None = None
    biz_opaque_callback_data: str | None = None
    errors: tuple[WebhookError, ...] = ()

    @property
    def dedupe_key(self) -> str:
        return "c:" + self.id + ":" + self.event


@attrs.define(kw_only=True)
class UserPreferenceEvent(Event):
    """A user stopped or resumed marketing messages (``user_preferences``)."""

    wa_id: str | None
    category: str | None
    value: str | None
    detail: str | None = None


@attrs.define(kw_only=True)
class UserActionEvent(Event):
    """A user action such as a marketing-message link click (``value.user_actions[]``)."""

    action_type: str | None
    click_component: str | None = None
    click_id: str | None = None
    product_id: str | None = None
    tracking_token: str | None = None


@attrs.define(kw_only=True)
class AutomaticEvent(Event):
    """A purchase or lead detected in a Click-to-WhatsApp chat (``automatic_events``)."""

    id: str | None
    event_name: str | None
    ctwa_clid: str | None = None
    currency: str | None = None
    value: float | None = None


@attrs.define(kw_only=True)
class GroupEvent(Event):
    """An item of ``value.groups[]``; the subclass tells the field."""

    group_id: str | None
    type: str | None
    request_id: str | None = None
    subject: str | None = None
    description: str | None = None
    invite_link: str | None = None
    reason: str | None = None
    initiated_by: str | None = None
    added_participants: tuple[GroupParticipant, ...] = ()
    removed_participants: tuple[GroupParticipant, ...] = ()
    failed_participants: tuple[GroupParticipant, ...] = ()
    profile_picture: Media | None = None
    errors: tuple[WebhookError, ...] = ()


@attrs.define(kw_only=True)
class GroupLifecycleEvent(GroupEvent):
    """A group was created or deleted (``group_lifecycle_update``)."""


@attrs.define(kw_only=True)
class GroupParticipantsEvent(GroupEvent):
    """Members joined, left, were added or removed (``group_participants_update``)."""


@attrs.define(kw_only=True)
class GroupSettingsEvent(GroupEvent):
    """A group's subject, description or settings changed (``group_settings_update``)."""


@attrs.define(kw_only=True)
class GroupStatusEvent(GroupEvent):
    """A group's status changed (``group_status_update``)."""


@attrs.define(kw_only=True)
class ChangeEvent(Event):
    """A field whose value is the event itself (account, template, phone number updates...)."""

    @property
    def value(self) -> Any:
        """The change's ``value`` as Meta sent it (the same object as ``raw``)."""
        return self.raw


@attrs.define(kw_only=True)
class AccountUpdateEvent(ChangeEvent):
    """``event`` is one Meta documents (VERIFIED_ACCOUNT, DISABLED_UPDATE, PARTNER_ADDED, ...)."""

    event: str | None
    ban_state: str | None = None
    ban_date: str | None = None
    violation_type: str | None = None
    restrictions: tuple[Restriction, ...] = ()
    partner_waba_id: str | None = None
    owner_business_id: str | None = None
    partner_app_id: str | None = None
    solution_id: str | None = None
    business_verification_status: str | None = None
    country: str | None = None
    auth_intl_start_time: int | None = None
    auth_intl_exception_countries: tuple[CountryStart, ...] = ()


@attrs.define(kw_only=True)
class AccountReviewUpdateEvent(ChangeEvent):
    """The WABA's review decision (``account_review_update``: APPROVED, REJECTED...)."""

    decision: str | None


@attrs.define(kw_only=True)
class AccountAlertEvent(ChangeEvent):
    """An alert about the account or one of its entities (``account_alerts``)."""

    entity_type: str | None
    entity_id: str | None
    alert_severity: str | None
    alert_status: str | None
    alert_type: str | None
    alert_description: str | None


@attrs.define(kw_only=True)
class AccountSettingsUpdateEvent(ChangeEvent):
    """A setting of the account changed (``account_settings_update``; ``setting_type`` says which)."""

    setting_type: str | None


@attrs.define(kw_only=True)
class BusinessCapabilityUpdateEvent(ChangeEvent):
    """New limits of the business: messaging and phone-number caps (``business_capability_update``)."""

    max_daily_conversation_per_phone: int | None
    max_phone_numbers_per_business: int | None
    max_phone_numbers_per_waba: int | None = None
    max_daily_conversations_per_business: str | None = None


@attrs.define(kw_only=True)
class PhoneNumberNameUpdateEvent(ChangeEvent):
    """Meta's decision on a requested display name (``phone_number_name_update``)."""

    decision: str | None
    requested_verified_name: str | None
    rejection_reason: str | None = None


@attrs.define(kw_only=True)
class PhoneNumberQualityUpdateEvent(ChangeEvent):
    """A number's messaging limit moved up or down (``phone_number_quality_update``)."""

    event: str | None
    current_limit: str | None
    old_limit: str | None = None
    max_daily_conversations_per_business: str | None = None


@attrs.define(kw_only=True)
class MessageTemplateStatusUpdateEvent(ChangeEvent):
    """A template was approved, rejected, paused, disabled... (``message_template_status_update``), with Meta's reason."""

    event: str | None
    message_template_id: str | None
    message_template_name: str | None
    message_template_language: str | None
    reason: str | None = None
    message_template_category: str | None = None
    disable_date: int | None = None
    other_info_title: str | None = None
    other_info_description: str | None = None
    rejection_reason_info: str | None = None
    rejection_recommendation: str | None = None


@attrs.define(kw_only=True)
class MessageTemplateQualityUpdateEvent(ChangeEvent):
    """A template's quality score changed (``message_template_quality_update``)."""

    message_template_id: str | None
    message_template_name: str | None
    message_template_language: str | None
    previous_quality_score: str | None
    new_quality_score: str | None


@attrs.define(kw_only=True)
class MessageTemplateComponentsUpdateEvent(ChangeEvent):
    """A template's components were edited (``message_template_components_update``)."""

    message_template_id: str | None
    message_template_name: str | None
    message_template_language: str | None
    message_template_element: str | None = None
    message_template_title: str | None = None
    message_template_footer: str | None = None
    buttons: tuple[TemplateButton, ...] = ()


@attrs.define(kw_only=True)
class TemplateCategoryUpdateEvent(ChangeEvent):
    """A template's category changed, or is about to (``template_category_update``)."""

    message_template_id: str | None
    message_template_name: str | None
    message_template_language: str | None
    previous_category: str | None = None
    new_category: str | None = None
    correct_category: str | None = None


@attrs.define(kw_only=True)
class FlowsEvent(ChangeEvent):
    """A Flow's status changed or its endpoint health alerts (``flows``)."""

    event: str | None
    flow_id: str | None
    message: str | None = None
    old_status: str | None = None
    new_status: str | None = None
    alert_state: str | None = None


@attrs.define(kw_only=True)
class SecurityEvent(ChangeEvent):
    """A security-relevant change on a number, such as its 2SV PIN (``security``)."""

    event: str | None
    requester: str | None = None


@attrs.define(kw_only=True)
class PartnerSolutionsEvent(ChangeEvent):
    """A Multi-Partner Solution changed status (``partner_solutions``)."""

    event: str | None
    solution_id: str | None
    solution_status: str | None = None


@attrs.define(kw_only=True)
class PaymentConfigurationUpdateEvent(ChangeEvent):
    """A payment configuration was created or changed (``payment_configuration_update``)."""

    configuration_name: str | None
    provider_name: str | None
    provider_mid: str | None
    status: str | None
    created_timestamp: int | None = None
    updated_timestamp: int | None = None


@attrs.define(kw_only=True)
class TrackingEvent(ChangeEvent):
    """``tracking_events``: ``event`` and ``tracking_id`` when present; the rest is in ``value``."""

    event: str | None
    tracking_id: str | None = None
