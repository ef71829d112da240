"""Conformance cases: block users."""

from __future__ import annotations

from meta_cloud_async.types.block_users import BlockUsersRequest, ListBlockedUsersRequest, UnblockUsersRequest

from . import Case

NO_BODY_CONTENT_TYPE = {
    "headers": "the spec marks Content-Type required on this body-less call; a request without a body"
    " carries no Content-Type (RFC 9110 8.3)"
}

CASES = [
    Case(
        "block",
        BlockUsersRequest,
        lambda wa: wa.block_users.block(["+15551234567", "15557654321"]),
        {
            "messaging_product": "whatsapp",
            "block_users": {"added_users": [{"input": "+15551234567", "wa_id": "15551234567"}]},
        },
    ),
    Case(
        "unblock",
        UnblockUsersRequest,
        lambda wa: wa.block_users.unblock("15551234567"),
        {"messaging_product": "whatsapp", "block_users": {"removed_users": [{"input": "15551234567"}]}},
    ),
    Case(
        "list_blocked",
        ListBlockedUsersRequest,
        lambda wa: wa.block_users.list(),
        {"data": [{"messaging_product": "whatsapp", "wa_id": "15551234567"}]},
        skip=NO_BODY_CONTENT_TYPE,
    ),
]
