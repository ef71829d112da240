"""Calling: check permission, then connect, pre-accept, accept, reject or terminate a call."""

from __future__ import annotations

from ..types.calling import (
    CallActionRequest,
    CallPermissions,
    CallPermissionsRequest,
    InitiateCallRequest,
    ManageCallResponse,
)
from ._base import Resource

__all__ = ["Calling"]


class Calling(Resource):
    """``wa.calling``: SDP strings are passed through untouched (RFC 8866)."""

    async def permissions(self, user_wa_id: str) -> CallPermissions:
        """May the business call ``user_wa_id`` now, and how many requests/calls are left."""
        return await self._client._call(CallPermissionsRequest(user_wa_id=user_wa_id))

    async def initiate(
        self, to: str, sdp: str, *, biz_opaque_callback_data: str | None = None
    ) -> ManageCallResponse:
        """Ring ``to`` with an SDP offer; the answer's ``calls[0].id`` is the call id. Never repeated."""
        return await self._client._call(
            InitiateCallRequest(
                to=to,
                session={"sdp_type": "offer", "sdp": sdp},
                biz_opaque_callback_data=biz_opaque_callback_data,
            )
        )

    async def pre_accept(self, call_id: str, sdp: str) -> ManageCallResponse:
        """Start media setup for a user-initiated call before accepting it (SDP answer)."""
        return await self._client._call(
            CallActionRequest(
                call_id=call_id, action="pre_accept", session={"sdp_type": "answer", "sdp": sdp}
            )
        )

    async def accept(
        self, call_id: str, sdp: str, *, biz_opaque_callback_data: str | None = None
    ) -> ManageCallResponse:
        """Accept a user-initiated call with an SDP answer."""
        return await self._client._call(
            CallActionRequest(
                call_id=call_id,
                action="accept",
                session={"sdp_type": "answer", "sdp": sdp},
                biz_opaque_callback_data=biz_opaque_callback_data,
            )
        )

    async def reject(self, call_id: str) -> ManageCallResponse:
        """Decline an incoming call; idempotent (a second reject changes nothing)."""
        return await self._client._call(CallActionRequest(call_id=call_id, action="reject"))

    async def terminate(self, call_id: str) -> ManageCallResponse:
        """Hang up a call in progress; idempotent."""
        return await self._client._call(CallActionRequest(call_id=call_id, action="terminate"))
