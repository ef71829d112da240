"""``wa.waba``: the WhatsApp Business Account, its webhook subscriptions, users, schedules and intents."""

from __future__ import annotations

from collections.abc import Iterable

from ..pagination import AsyncPaginator
from ..types.waba import (
    AddAssignedUserRequest,
    AssignedUser,
    CreateOboMobilityIntentRequest,
    CreatePhoneNumberRequest,
    CreateScheduleRequest,
    GetAccountNumberRequest,
    GetBotRequest,
    GetBusinessAccountRequest,
    GetMigrationIntentRequest,
    GetOboMobilityIntentRequest,
    ListActivitiesRequest,
    ListAssignedUsersRequest,
    ListOnBehalfOfRequestsRequest,
    ListSchedulesRequest,
    ListSolutionsRequest,
    ListSubscribedAppsRequest,
    RemoveAssignedUserRequest,
    SetOboMobilityIntentRequest,
    SetSolutionMigrationIntentRequest,
    SubscribeAppRequest,
    SubscribedAppsResponse,
    SubscribeResult,
    UnsubscribeAppRequest,
    UpdateBusinessAccountRequest,
)
from ._base import Resource, endpoint
from ._paged import paged_endpoint

__all__ = ["Waba"]


class Waba(Resource):
    """The client's WABA (``business_account_id``); a ``with_options`` copy targets another."""

    get = endpoint(
        GetBusinessAccountRequest,
        doc="The WABA, with the ``fields`` asked for (Meta's default set otherwise).",
    )
    update = endpoint(
        UpdateBusinessAccountRequest, doc="Rename the WABA (``name``) or set its ``timezone_id``."
    )

    # -- webhook subscriptions of this WABA ---------------------------------------------
    async def subscribed_apps(self) -> SubscribedAppsResponse:
        """The apps subscribed to this WABA's webhooks (and any callback URL they override)."""
        return await self._client._call(ListSubscribedAppsRequest())

    async def subscribe_app(
        self, *, override_callback_uri: str | None = None, verify_token: str | None = None
    ) -> SubscribeResult:
        """Subscribe the token's app to this WABA's webhooks.

        ``override_callback_uri`` (https, with the ``verify_token`` Meta echoes
        in its verification GET) sends this WABA's events to another receiver
        than the app's default. Idempotent.
        """
        return await self._client._call(
            SubscribeAppRequest(override_callback_uri=override_callback_uri, verify_token=verify_token)
        )

    async def unsubscribe_app(self) -> SubscribeResult:
        """Stop the token's app receiving this WABA's webhooks."""
        return await self._client._call(UnsubscribeAppRequest())

    # -- people, history, schedules --------------------------------------------------------
    def assigned_users(
        self,
        *,
        business: str,
        fields: Iterable[str] | str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[AssignedUser]:
        """Users with access to the WABA (``business`` = the owning portfolio's id); paginated.

        ``await`` gives the first page, an ``AssignedUsersPage`` with Meta's ``summary.total_count``.
        """
        request = ListAssignedUsersRequest(
            business=business, fields=fields, limit=limit, after=after, before=before
        )
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    add_assigned_user = endpoint(
        AddAssignedUserRequest, doc="Grant ``user`` the ``tasks`` (1-16 permission tasks)."
    )
    remove_assigned_user = endpoint(RemoveAssignedUserRequest, doc="Revoke ``user``'s access to the WABA.")
    activities = paged_endpoint(
        ListActivitiesRequest, doc="The WABA's activity log (who changed what); paginated."
    )
    schedules = paged_endpoint(ListSchedulesRequest, doc="The WABA's schedules; paginated.")
    create_schedule = endpoint(
        CreateScheduleRequest, doc="Create a schedule (``HH:MM`` times); answers its id."
    )
    get_bot = endpoint(GetBotRequest, doc="A WABA bot's prompts, commands and welcome-message switch.")

    # -- partners, solutions, intents -----------------------------------------------------
    on_behalf_of_requests = paged_endpoint(
        ListOnBehalfOfRequestsRequest, doc="On-behalf-of access requests still in progress; paginated."
    )
    solutions = paged_endpoint(
        ListSolutionsRequest, doc="The Multi-Partner Solutions this WABA is part of; paginated."
    )
    create_obo_mobility_intent = endpoint(CreateOboMobilityIntentRequest)
    get_obo_mobility_intent = endpoint(GetOboMobilityIntentRequest)
    set_obo_mobility_intent = endpoint(SetOboMobilityIntentRequest)
    set_solution_migration_intent = endpoint(SetSolutionMigrationIntentRequest)
    get_migration_intent = endpoint(GetMigrationIntentRequest)

    # -- numbers ------------------------------------------------------------------------
    create_phone_number = endpoint(
        CreatePhoneNumberRequest,
        doc="Add ``phone_number`` (digits, no '+') with its ``verified_name`` to the WABA; answers its id.",
    )
    get_account_number = endpoint(GetAccountNumberRequest)
