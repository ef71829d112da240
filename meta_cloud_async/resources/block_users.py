"""Block users: stop WhatsApp users from messaging the number, undo it, list who is blocked."""

from __future__ import annotations

from collections.abc import Iterable

from ..pagination import AsyncPaginator
from ..types.block_users import (
    BlockedUser,
    BlockUsersRequest,
    BlockUsersResponse,
    ListBlockedUsersRequest,
    UnblockUsersRequest,
)
from ._base import Resource

__all__ = ["BlockUsers"]


class BlockUsers(Resource):
    """``wa.block_users``: at most 1,000 users a call; Meta only blocks users who wrote in the last 24 h."""

    async def block(self, users: Iterable[str] | str) -> BlockUsersResponse:
        """Block ``users`` (phone numbers or WhatsApp ids); per-user failures are in ``failed_users``."""
        return await self._client._call(BlockUsersRequest(block_users=users))

    async def unblock(self, users: Iterable[str] | str) -> BlockUsersResponse:
        """Unblock ``users`` (``DELETE`` with a JSON body, as Meta's API takes it)."""
        return await self._client._call(UnblockUsersRequest(block_users=users))

    def list(
        self, *, limit: int | None = None, after: str | None = None, before: str | None = None
    ) -> AsyncPaginator[BlockedUser]:
        """The blocked users: ``await`` it for one page, ``async for`` for all."""
        request = ListBlockedUsersRequest(limit=limit, after=after, before=before)
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))
