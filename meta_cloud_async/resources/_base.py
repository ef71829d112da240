"""What every namespace shares: a reference to the client that sends for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import WhatsApp

__all__ = ["Resource"]


class Resource:
    """A namespace of calls; its methods validate input and hand one request object to the client."""

    __slots__ = ("_client",)

    def __init__(self, client: WhatsApp) -> None:
        self._client = client
