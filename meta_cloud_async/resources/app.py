"""``wa.app``: the app's webhook callback registration, client businesses and solutions.

The subscription calls need an app access token: use
``wa.with_options(access_token=f"{app_id}|{app_secret}").app.subscribe_webhooks(...)``;
``app_id`` comes from the client's options (``META_APP_ID``) unless given.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..types.app import (
    AppSubscriptionsResponse,
    CreateSolutionRequest,
    DeleteAppSubscriptionRequest,
    ListAppSolutionsRequest,
    ListAppSubscriptionsRequest,
    ListConnectedClientBusinessesRequest,
    SubscribeAppWebhooksRequest,
    SubscriptionObject,
)
from ..types.shared import SuccessResponse
from ._base import Resource, endpoint
from ._paged import paged_endpoint

__all__ = ["App"]


class App(Resource):
    """Calls on the app node ``/{app_id}``."""

    async def subscribe_webhooks(
        self,
        callback_url: str,
        verify_token: str,
        *,
        fields: Iterable[str] | str | None = ("messages",),
        object: SubscriptionObject = "whatsapp_business_account",
        include_values: bool | None = None,
    ) -> SuccessResponse:
        """Point Meta at ``callback_url`` for ``object``'s webhook ``fields`` (app token).

        Meta calls the URL at once with ``hub.verify_token=verify_token``; the
        receiver must already answer it. Registering the same again is harmless.
        """
        return await self._client._call(
            SubscribeAppWebhooksRequest(
                object=object,
                callback_url=callback_url,
                verify_token=verify_token,
                fields=fields,
                include_values=include_values,
            )
        )

    async def webhook_subscriptions(self) -> AppSubscriptionsResponse:
        """The app's subscriptions: object, callback URL, fields (app token)."""
        return await self._client._call(ListAppSubscriptionsRequest())

    async def unsubscribe_webhooks(
        self,
        *,
        object: SubscriptionObject = "whatsapp_business_account",
        fields: Iterable[str] | str | None = None,
    ) -> SuccessResponse:
        """Drop ``fields`` of ``object`` (all of the object when none are named) (app token)."""
        return await self._client._call(DeleteAppSubscriptionRequest(object=object, fields=fields))

    connected_client_businesses = paged_endpoint(
        ListConnectedClientBusinessesRequest, doc="Businesses that onboarded through this app; paginated."
    )
    create_solution = endpoint(
        CreateSolutionRequest, doc="Create a Multi-Partner Solution with ``partner_app_id``."
    )
    solutions = paged_endpoint(
        ListAppSolutionsRequest, doc="The app's solutions (``role='OWNER'|'PARTNER'``); paginated."
    )
