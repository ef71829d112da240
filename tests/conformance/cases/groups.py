"""Conformance cases: groups."""

from __future__ import annotations

from meta_cloud_async.types.groups import (
    AddParticipantsRequest,
    ApproveJoinRequestsRequest,
    CreateGroupRequest,
    CreateInviteLinkRequest,
    DeleteGroupRequest,
    DeleteInviteLinkRequest,
    GetGroupRequest,
    ListGroupsRequest,
    ListJoinRequestsRequest,
    RejectJoinRequestsRequest,
    RemoveParticipantsRequest,
    UpdateGroupSettingsRequest,
)

from . import Case

GROUP = "Y2FwaV9ncm91cDoxNTU1"
OK = {"success": True}

NO_BODY_CONTENT_TYPE = {
    "headers": "the spec marks Content-Type required on this body-less call; a request without a body"
    " carries no Content-Type (RFC 9110 8.3)"
}

CASES = [
    Case(
        "create_group",
        CreateGroupRequest,
        lambda wa: wa.groups.create(
            subject="Bakery club", description="Weekly offers", join_approval_mode="approval_required"
        ),
        {"messaging_product": "whatsapp", "request_id": "req-1"},
    ),
    Case(
        "list_groups",
        ListGroupsRequest,
        lambda wa: wa.groups.list(limit=50),
        {"data": {"groups": [{"id": GROUP, "subject": "Bakery club"}]}},
        skip=NO_BODY_CONTENT_TYPE,
    ),
    Case(
        "get_group",
        GetGroupRequest,
        lambda wa: wa.groups.get(group_id=GROUP, fields=["subject", "participants"]),
        {"id": GROUP, "subject": "Bakery club"},
    ),
    Case(
        "delete_group",
        DeleteGroupRequest,
        lambda wa: wa.groups.delete(group_id=GROUP),
        OK,
        skip=NO_BODY_CONTENT_TYPE,
    ),
    Case(
        "update_group",
        UpdateGroupSettingsRequest,
        lambda wa: wa.groups.update_settings(group_id=GROUP, subject="Bakery club (new)"),
        OK,
    ),
    Case(
        "create_invite_link",
        CreateInviteLinkRequest,
        lambda wa: wa.groups.create_invite_link(GROUP),
        {"messaging_product": "whatsapp", "invite_link": "https://chat.whatsapp.com/AbC"},
    ),
    Case(
        "delete_invite_link",
        DeleteInviteLinkRequest,
        lambda wa: wa.groups.delete_invite_link(GROUP),
        {"messaging_product": "whatsapp", "success": "true"},
    ),
    Case("join_requests", ListJoinRequestsRequest, lambda wa: wa.groups.join_requests(GROUP), {"data": []}),
    Case(
        "approve_join_requests",
        ApproveJoinRequestsRequest,
        lambda wa: wa.groups.approve_join_requests(GROUP, ["jr-1", "jr-2"]),
        {"messaging_product": "whatsapp", "approved_join_requests": ["jr-1", "jr-2"]},
    ),
    Case(
        "reject_join_requests",
        RejectJoinRequestsRequest,
        lambda wa: wa.groups.reject_join_requests(GROUP, ["jr-3"]),
        {"messaging_product": "whatsapp", "rejected_join_requests": ["jr-3"]},
    ),
    Case(
        "add_participants",
        AddParticipantsRequest,
        lambda wa: wa.groups.add_participants(GROUP, ["15551234567"]),
        OK,
    ),
    Case(
        "remove_participants",
        RemoveParticipantsRequest,
        lambda wa: wa.groups.remove_participants(GROUP, ["15551234567", "15557654321"]),
        OK,
    ),
]
