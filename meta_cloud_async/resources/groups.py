"""Groups a business number runs: lifecycle, settings, invite links, join requests, participants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..pagination import AsyncPaginator
from ..types.groups import (
    AddParticipantsRequest,
    ApproveJoinRequestsRequest,
    CreateGroupRequest,
    CreateInviteLinkRequest,
    DeleteGroupRequest,
    DeleteInviteLinkRequest,
    GetGroupRequest,
    InviteLink,
    InviteLinkDeleted,
    JoinRequest,
    JoinRequestsResult,
    ListGroupsRequest,
    ListJoinRequestsRequest,
    RejectJoinRequestsRequest,
    RemoveParticipantsRequest,
    UpdateGroupSettingsRequest,
)
from ._base import Resource, endpoint

__all__ = ["Groups"]


class Groups(Resource):
    """``wa.groups``: ``group_id`` first where a call is about one group."""

    create = endpoint(
        CreateGroupRequest,
        doc="A new group (``subject`` <= 128); the id arrives by webhook with ``request_id``. Never repeated.",
    )
    list = endpoint(
        ListGroupsRequest,
        doc="One page of active groups (Meta nests them in ``data.groups``; pass ``after=`` for the next).",
    )
    get = endpoint(GetGroupRequest, doc="A group's subject, description, participants... (``group_id=``).")
    delete = endpoint(DeleteGroupRequest, doc="End the group (``group_id=``).")
    update_settings = endpoint(
        UpdateGroupSettingsRequest, doc="New ``subject`` and/or ``description`` (``group_id=``)."
    )

    async def create_invite_link(self, group_id: str) -> InviteLink:
        """A new invite link (the previous one stops working)."""
        return await self._client._call(CreateInviteLinkRequest(group_id=group_id))

    async def delete_invite_link(self, group_id: str) -> InviteLinkDeleted:
        """Revoke the group's invite link (a new one is made by ``create_invite_link``)."""
        return await self._client._call(DeleteInviteLinkRequest(group_id=group_id))

    def join_requests(self, group_id: str) -> AsyncPaginator[JoinRequest]:
        """Pending join requests of an approval-required group."""
        request = ListJoinRequestsRequest(group_id=group_id)
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    async def approve_join_requests(self, group_id: str, join_requests: Iterable[str]) -> JoinRequestsResult:
        """Let the users behind these join-request ids into the group."""
        return await self._client._call(
            ApproveJoinRequestsRequest(group_id=group_id, join_requests=join_requests)
        )

    async def reject_join_requests(self, group_id: str, join_requests: Iterable[str]) -> JoinRequestsResult:
        """Turn down these join requests."""
        return await self._client._call(
            RejectJoinRequestsRequest(group_id=group_id, join_requests=join_requests)
        )

    async def add_participants(self, group_id: str, users: Iterable[str]) -> dict[str, Any]:
        """Add up to 8 users (phone numbers or WhatsApp ids)."""
        return await self._client._call(AddParticipantsRequest(group_id=group_id, participants=users))

    async def remove_participants(self, group_id: str, users: Iterable[str]) -> dict[str, Any]:
        """Remove up to 8 users."""
        return await self._client._call(RemoveParticipantsRequest(group_id=group_id, participants=users))
