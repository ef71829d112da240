"""The business profile of the client's number: read it, change it (by number or by profile id)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import UnexpectedResponseError
from ..types.business_profile import (
    BusinessProfile as BusinessProfileModel,
)
from ..types.business_profile import (
    GetBusinessProfileByIdRequest,
    GetBusinessProfileRequest,
    UpdateBusinessProfileByIdRequest,
    UpdateBusinessProfileRequest,
)
from ._base import Resource, endpoint

__all__ = ["BusinessProfile"]


class BusinessProfile(Resource):
    """``wa.business_profile``: what customers see about the business in WhatsApp."""

    async def get(self, *, fields: Iterable[str] | str | None = None) -> BusinessProfileModel:
        """The number's profile (Meta wraps it in ``data``; this returns the one item)."""
        page = await self._client._call(GetBusinessProfileRequest(fields=fields))
        if not page.data:
            raise UnexpectedResponseError("the business profile answer has no data item")
        return page.data[0]

    update = endpoint(
        UpdateBusinessProfileRequest,
        doc=(
            "Change the fields given (about <= 139, description <= 512, websites <= 2, ``vertical`` one of"
            " Meta's industries, ``profile_picture_handle`` from a resumable upload); the rest stay."
        ),
    )
    get_by_id = endpoint(
        GetBusinessProfileByIdRequest, doc="A profile read by its node id (``profile_id=``)."
    )
    update_by_id = endpoint(
        UpdateBusinessProfileByIdRequest,
        doc="The same update as :meth:`update`, addressed by ``profile_id=``.",
    )
