"""Message history: the delivery-status trail of messages a number sent."""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from ._checks import check_int_range, check_one_of
from .shared import ApiRequest, Page, fields_param

__all__ = [
    "DeliveryStatus",
    "DeliveryStatusEvent",
    "DeliveryStatusOccurrence",
    "GetMessageHistoryEventsRequest",
    "GetMessageHistoryRequest",
    "MessageHistoryEntry",
    "MessageHistoryEventEdge",
]

DeliveryStatus = Literal["SENT", "DELIVERED", "READ", "FAILED", "DELETED"]
_STATUSES = frozenset({"SENT", "DELIVERED", "READ", "FAILED", "DELETED"})


@attrs.frozen(kw_only=True)
class ApplicationRef:
    id: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class DeliveryStatusEvent:
    """One status event of a history entry (``delivery_status`` and the webhook's fate)."""

    id: str
    delivery_status: str | None = None
    webhook_update_state: str | None = None
    timestamp: int | None = None
    application: ApplicationRef | None = None
    webhook_uri: str | None = None
    error_description: str | None = None


@attrs.frozen(kw_only=True)
class MessageHistoryEntry:
    """A sent message's history: its id and the delivery statuses it went through."""

    id: str
    message_id: str | None = None
    events: Page[DeliveryStatusEvent] | None = None


@attrs.frozen(kw_only=True)
class DeliveryStatusOccurrence:
    """One delivery status a message went through, and when."""

    id: str
    delivery_status: str | None = None
    error_description: str | None = None
    occurrence_timestamp: int | None = None
    status_timestamp: int | None = None
    application: ApplicationRef | None = None


@attrs.frozen(kw_only=True)
class MessageHistoryEventEdge:
    """One event of a message's history with its paging cursor."""

    node: DeliveryStatusOccurrence
    cursor: str | None = None


@attrs.frozen(kw_only=True)
class GetMessageHistoryRequest(ApiRequest[Page[MessageHistoryEntry]]):
    """``GET /{phone_number_id}/message_history``; ``message_id`` narrows to one WAMID."""

    operation_id: ClassVar[str | None] = "getMessageHistory"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/message_history"
    idempotent: ClassVar[bool] = True

    message_id: str | None = None
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=check_int_range(1, 100))
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class GetMessageHistoryEventsRequest(ApiRequest[Page[MessageHistoryEventEdge]]):
    """``GET /{message_history_id}/events``, optionally only one ``status_filter``."""

    operation_id: ClassVar[str | None] = "getMessageHistoryEvents"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{message_history_id}/events"
    idempotent: ClassVar[bool] = True

    message_history_id: str
    status_filter: DeliveryStatus | None = attrs.field(default=None, validator=check_one_of(_STATUSES))
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=check_int_range(1, 100))
    after: str | None = None
    before: str | None = None
