"""Commerce settings: the cart and the catalog icon in the chat."""

from __future__ import annotations

from ..types.commerce import (
    CommerceSettings,
    GetCommerceSettingsRequest,
    UpdateCommerceSettingsRequest,
)
from ._base import Resource, endpoint

__all__ = ["Commerce"]


class Commerce(Resource):
    """``wa.commerce``."""

    async def get(self) -> CommerceSettings:
        """The number's settings (Meta wraps them in ``data``; an empty list reads as all unset)."""
        page = await self._client._call(GetCommerceSettingsRequest())
        return page.data[0] if page.data else CommerceSettings()

    update = endpoint(
        UpdateCommerceSettingsRequest,
        doc="``is_cart_enabled=`` and/or ``is_catalog_visible=`` (sent in the query, as Meta takes them).",
    )
