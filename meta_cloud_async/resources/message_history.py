"""Message history: what happened to the messages a number sent."""

from __future__ import annotations

from collections.abc import Iterable

from ..pagination import AsyncPaginator
from ..types.message_history import (
    DeliveryStatus,
    GetMessageHistoryEventsRequest,
    GetMessageHistoryRequest,
    MessageHistoryEntry,
    MessageHistoryEventEdge,
)
from ._base import Resource

__all__ = ["MessageHistory"]


class MessageHistory(Resource):
    """``wa.message_history``: both lists are paginators (``await`` one page, ``async for`` all)."""

    def list(
        self,
        *,
        message_id: str | None = None,
        fields: Iterable[str] | str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[MessageHistoryEntry]:
        """History entries of the number's messages (``message_id=`` narrows to one WAMID)."""
        request = GetMessageHistoryRequest(
            message_id=message_id, fields=fields, limit=limit, after=after, before=before
        )
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    def events(
        self,
        message_history_id: str,
        *,
        status_filter: DeliveryStatus | None = None,
        fields: Iterable[str] | str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[MessageHistoryEventEdge]:
        """The delivery-status events of one history entry."""
        request = GetMessageHistoryEventsRequest(
            message_history_id=message_history_id,
            status_filter=status_filter,
            fields=fields,
            limit=limit,
            after=after,
            before=before,
        )
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))
