"""Conformance cases: message history."""

from __future__ import annotations

from meta_cloud_async.types.message_history import GetMessageHistoryEventsRequest, GetMessageHistoryRequest

from . import Case

CASES = [
    Case("history", GetMessageHistoryRequest, lambda wa: wa.message_history.list(), {"data": []}),
    Case(
        "history_one_message",
        GetMessageHistoryRequest,
        lambda wa: wa.message_history.list(
            message_id="wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI", limit=50, after="QVFI"
        ),
        {"data": [{"id": "778899", "message_id": "wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI"}]},
    ),
    Case(
        "history_events",
        GetMessageHistoryEventsRequest,
        lambda wa: wa.message_history.events("778899", status_filter="DELIVERED", limit=10),
        {"data": [{"node": {"id": "1", "delivery_status": "DELIVERED", "occurrence_timestamp": 1767225600}}]},
    ),
]
