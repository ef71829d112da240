"""WhatsApp groups a business number owns: create, read, settings, invite links, join requests,
participants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Final, Literal

import attrs

from ._checks import check_int_range, check_one_of, check_text
from .shared import ApiRequest, Encoding, Page, Paging, SuccessResponse, fields_param

__all__ = [
    "PARTICIPANTS_MAX",
    "ActiveGroups",
    "AddParticipantsRequest",
    "ApproveJoinRequestsRequest",
    "CreateGroupRequest",
    "CreateGroupResponse",
    "CreateInviteLinkRequest",
    "DeleteGroupRequest",
    "DeleteInviteLinkRequest",
    "GetGroupRequest",
    "GroupInfo",
    "GroupList",
    "GroupParticipant",
    "GroupSummary",
    "InviteLink",
    "InviteLinkDeleted",
    "JoinApprovalMode",
    "JoinRequest",
    "JoinRequestsResult",
    "ListGroupsRequest",
    "ListJoinRequestsRequest",
    "RejectJoinRequestsRequest",
    "RemoveParticipantsRequest",
    "UpdateGroupSettingsRequest",
]

JoinApprovalMode = Literal["approval_required", "auto_approve"]
SUBJECT_MAX: Final = 128
DESCRIPTION_MAX: Final = 2048
#: Participants per add or remove call (the spec's ``maxItems``).
PARTICIPANTS_MAX: Final = 8

_WHATSAPP = check_one_of({"whatsapp"}, optional=False)


@attrs.frozen(kw_only=True)
class CreateGroupResponse:
    """Group creation is asynchronous: the group id arrives in a ``group_lifecycle_update`` webhook."""

    messaging_product: str | None = None
    request_id: str | None = None


@attrs.frozen(kw_only=True)
class GroupSummary:
    """A group as lists show it: id, subject and creation time."""

    id: str
    subject: str | None = None
    created_at: str | None = None


@attrs.frozen(kw_only=True)
class GroupList:
    """Meta's envelope around a page of groups."""

    groups: list[GroupSummary] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ActiveGroups:
    """One page of ``GET /{phone}/groups``: Meta nests the list in ``data.groups``."""

    data: GroupList | None = None
    paging: Paging | None = None


@attrs.frozen(kw_only=True)
class GroupParticipant:
    """A participant of a group by WhatsApp id."""

    wa_id: str | None = None


@attrs.frozen(kw_only=True)
class GroupInfo:
    """A group's details and participants (``wa.groups.get()``)."""

    id: str | None = None
    messaging_product: str | None = None
    subject: str | None = None
    description: str | None = None
    join_approval_mode: str | None = None
    suspended: bool | None = None
    creation_timestamp: int | None = None
    participants: list[GroupParticipant] | None = None
    total_participant_count: int | None = None


@attrs.frozen(kw_only=True)
class InviteLink:
    """A group's invite link (``wa.groups.create_invite_link()``)."""

    messaging_product: str | None = None
    invite_link: str | None = None


@attrs.frozen(kw_only=True)
class InviteLinkDeleted:
    """``success`` is a string in the spec and a boolean in Meta's examples: either is kept as is."""

    messaging_product: str | None = None
    success: Any = None


@attrs.frozen(kw_only=True)
class JoinRequest:
    """A user's request to join a group that needs approval."""

    join_request_id: str | None = None
    wa_id: str | None = None
    creation_timestamp: int | None = None


@attrs.frozen(kw_only=True)
class JoinRequestsResult:
    """Which join requests were approved, rejected or failed."""

    messaging_product: str | None = None
    approved_join_requests: list[str] | None = None
    rejected_join_requests: list[str] | None = None
    failed_join_requests: list[dict[str, Any]] | None = None
    errors: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class CreateGroupRequest(ApiRequest[CreateGroupResponse]):
    """``POST /{phone_number_id}/groups``: a new group (not idempotent: a repeat makes another)."""

    operation_id: ClassVar[str | None] = "createGroup"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/groups"
    idempotent: ClassVar[bool] = False

    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    subject: str = attrs.field(validator=check_text(max_len=SUBJECT_MAX, optional=False))
    description: str | None = attrs.field(default=None, validator=check_text(max_len=DESCRIPTION_MAX))
    join_approval_mode: JoinApprovalMode | None = attrs.field(
        default=None, validator=check_one_of({"approval_required", "auto_approve"})
    )

    def __attrs_post_init__(self) -> None:
        if not self.subject.strip():
            raise ValueError("subject must not be blank (Meta trims whitespace)")


@attrs.frozen(kw_only=True)
class ListGroupsRequest(ApiRequest[ActiveGroups]):
    """``GET /{phone_number_id}/groups``: the number's active groups, ``limit`` 1 to 1024."""

    operation_id: ClassVar[str | None] = "getActiveGroups"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/groups"
    idempotent: ClassVar[bool] = True

    limit: int | None = attrs.field(default=None, validator=check_int_range(1, 1024))
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class GetGroupRequest(ApiRequest[GroupInfo]):
    """``GET /{group_id}?fields=...``."""

    operation_id: ClassVar[str | None] = "getGroupInfo"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{group_id}"
    idempotent: ClassVar[bool] = True

    group_id: str
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class DeleteGroupRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{group_id}``: the group ends for every participant."""

    operation_id: ClassVar[str | None] = "deleteGroup"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{group_id}"
    idempotent: ClassVar[bool] = True

    group_id: str


@attrs.frozen(kw_only=True)
class UpdateGroupSettingsRequest(ApiRequest[SuccessResponse]):
    """``POST /{group_id}``: a new subject and/or description."""

    operation_id: ClassVar[str | None] = "updateGroupSettings"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{group_id}"
    idempotent: ClassVar[bool] = True

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    subject: str | None = attrs.field(default=None, validator=check_text(max_len=SUBJECT_MAX))
    description: str | None = attrs.field(default=None, validator=check_text(max_len=DESCRIPTION_MAX))

    def __attrs_post_init__(self) -> None:
        if self.subject is None and self.description is None:
            raise ValueError("nothing to update: pass subject or description")


@attrs.frozen(kw_only=True)
class CreateInviteLinkRequest(ApiRequest[InviteLink]):
    """``POST /{group_id}/invite_link``: a new link (the previous one stops working)."""

    operation_id: ClassVar[str | None] = "createGroupInviteLink"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{group_id}/invite_link"
    idempotent: ClassVar[bool] = False  # a repeat revokes the link the first call made

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)


@attrs.frozen(kw_only=True)
class DeleteInviteLinkRequest(ApiRequest[InviteLinkDeleted]):
    """``DELETE /{group_id}/invite_link`` with ``{"messaging_product"}`` in a JSON body (the spec's)."""

    operation_id: ClassVar[str | None] = "deleteGroupInviteLink"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{group_id}/invite_link"
    encoding: ClassVar[Encoding | None] = "json"
    idempotent: ClassVar[bool] = True

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)


@attrs.frozen(kw_only=True)
class ListJoinRequestsRequest(ApiRequest[Page[JoinRequest]]):
    """``GET /{group_id}/join_requests``: who asked to join an approval-required group."""

    operation_id: ClassVar[str | None] = "getJoinRequests"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{group_id}/join_requests"
    idempotent: ClassVar[bool] = True

    group_id: str


def _ids(value: Iterable[str] | str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(i, str) and i for i in items):
        raise ValueError("join_requests must be one or more join request ids (non-empty str)")
    return items


@attrs.frozen(kw_only=True)
class ApproveJoinRequestsRequest(ApiRequest[JoinRequestsResult]):
    """``POST /{group_id}/join_requests``: let these join requests in."""

    operation_id: ClassVar[str | None] = "approveJoinRequests"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{group_id}/join_requests"
    idempotent: ClassVar[bool] = True

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    join_requests: list[str] = attrs.field(converter=_ids)


@attrs.frozen(kw_only=True)
class RejectJoinRequestsRequest(ApiRequest[JoinRequestsResult]):
    """``DELETE /{group_id}/join_requests`` with the ids in a JSON body (the spec's)."""

    operation_id: ClassVar[str | None] = "rejectJoinRequests"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{group_id}/join_requests"
    encoding: ClassVar[Encoding | None] = "json"
    idempotent: ClassVar[bool] = True

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    join_requests: list[str] = attrs.field(converter=_ids)


def _participants(value: Iterable[str] | str) -> list[dict[str, str]]:
    items = [value] if isinstance(value, str) else list(value)
    if not 1 <= len(items) <= PARTICIPANTS_MAX:
        raise ValueError(f"participants takes 1 to {PARTICIPANTS_MAX} users per call, got {len(items)}")
    if not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("participants must be phone numbers or WhatsApp ids (non-empty str)")
    return [{"user": i} for i in items]


@attrs.frozen(kw_only=True)
class AddParticipantsRequest(ApiRequest[dict[str, Any]]):
    """``POST /{group_id}/participants`` (the spec declares no answer body: the JSON is returned as is)."""

    operation_id: ClassVar[str | None] = "addGroupParticipants"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{group_id}/participants"
    idempotent: ClassVar[bool] = True

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    participants: list[dict[str, str]] = attrs.field(converter=_participants)


@attrs.frozen(kw_only=True)
class RemoveParticipantsRequest(ApiRequest[dict[str, Any]]):
    """``DELETE /{group_id}/participants`` with the users in a JSON body (the spec's)."""

    operation_id: ClassVar[str | None] = "removeGroupParticipants"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{group_id}/participants"
    encoding: ClassVar[Encoding | None] = "json"
    idempotent: ClassVar[bool] = True

    group_id: str
    messaging_product: Literal["whatsapp"] = attrs.field(default="whatsapp", validator=_WHATSAPP)
    participants: list[dict[str, str]] = attrs.field(converter=_participants)
