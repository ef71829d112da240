"""The WhatsApp Business Account itself: details, webhook subscriptions, users, schedules, intents.

Every path here hangs off ``{business_account_id}`` (the client's WABA unless a
``with_options`` copy names another) or off an id Meta returned (a bot, an
intent, an account number). Enumerations are ``Literal`` types on the request
side, so mypy refuses a wrong value; response models keep strings, because
Meta adds values without notice and a new one must not break a read.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

from ._checks import digits, digits_or_none, limit, max_len, one_of, tuple_of_str
from .shared import ApiRequest, Page, SuccessResponse, fields_param

__all__ = [
    "AddAssignedUserRequest",
    "AssignedUser",
    "BotDetails",
    "BusinessAccount",
    "CreateOboMobilityIntentRequest",
    "CreatePhoneNumberRequest",
    "CreateScheduleRequest",
    "CreatedObject",
    "DayOfWeek",
    "GetAccountNumberRequest",
    "GetBotRequest",
    "GetBusinessAccountRequest",
    "GetMigrationIntentRequest",
    "GetOboMobilityIntentRequest",
    "ListActivitiesRequest",
    "ListAssignedUsersRequest",
    "ListOnBehalfOfRequestsRequest",
    "ListSchedulesRequest",
    "ListSolutionsRequest",
    "ListSubscribedAppsRequest",
    "MigrationIntent",
    "MobilityIntentType",
    "OboMobilityIntent",
    "OboMobilityIntentResult",
    "OnBehalfOfRequest",
    "PermissionTask",
    "RemoveAssignedUserRequest",
    "ScheduleType",
    "SetOboMobilityIntentRequest",
    "SetOboMobilityIntentResult",
    "SetSolutionMigrationIntentRequest",
    "Solution",
    "SolutionMigrationIntent",
    "SolutionMigrationResult",
    "SubscribeAppRequest",
    "SubscribedApp",
    "SubscribedAppsResponse",
    "UnsubscribeAppRequest",
    "UpdateBusinessAccountRequest",
    "WabaActivity",
    "WabaSchedule",
]

#: Tasks a user can be granted on a WABA (``WhatsAppBusinessAccountPermissionTask`` in Meta's spec).
PermissionTask = Literal[
    "MANAGE",
    "DEVELOP",
    "MANAGE_TEMPLATES",
    "MANAGE_PHONE",
    "VIEW_COST",
    "MANAGE_EXTENSIONS",
    "VIEW_PHONE_ASSETS",
    "MANAGE_PHONE_ASSETS",
    "VIEW_TEMPLATES",
    "VIEW_INSIGHTS",
    "RECEIVE_INCOMING_MESSAGES",
    "MANAGE_BILLING",
    "MANAGE_USERS",
    "MESSAGING",
    "FULL_CONTROL",
]
PERMISSION_TASKS: frozenset[str] = frozenset(PermissionTask.__args__)  # type: ignore[attr-defined]

ScheduleType = Literal[
    "BUSINESS_HOURS", "AUTOMATED_RESPONSE", "MESSAGE_CAMPAIGN", "MAINTENANCE_WINDOW", "CUSTOM"
]
DayOfWeek = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
ScheduleSort = Literal["created_time.asc", "created_time.desc", "updated_time.asc", "updated_time.desc"]
MobilityIntentType = Literal[
    "INITIATE_TRANSFER",
    "CONFIRM_TRANSFER",
    "CANCEL_TRANSFER",
    "REQUEST_HANDOVER",
    "APPROVE_HANDOVER",
    "REJECT_HANDOVER",
]
SolutionMigrationIntent = Literal[
    "INITIATE_MIGRATION", "CANCEL_MIGRATION", "CONFIRM_MIGRATION", "SCHEDULE_MIGRATION"
]

_SCHEDULE_TYPES = frozenset(ScheduleType.__args__)  # type: ignore[attr-defined]
_DAYS = frozenset(DayOfWeek.__args__)  # type: ignore[attr-defined]
_SORTS = frozenset(ScheduleSort.__args__)  # type: ignore[attr-defined]
_MOBILITY = frozenset(MobilityIntentType.__args__)  # type: ignore[attr-defined]
_MIGRATION = frozenset(SolutionMigrationIntent.__args__)  # type: ignore[attr-defined]


def _hhmm(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if (
        not isinstance(value, str)
        or len(value) != 5
        or value[2] != ":"
        or not (value[:2] + value[3:]).isdigit()
    ):
        raise ValueError(f"{attribute.name} must be 'HH:MM', got {value!r}")
    if int(value[:2]) > 23 or int(value[3:]) > 59:
        raise ValueError(f"{attribute.name} must be a time of day 00:00-23:59, got {value!r}")


def _https(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.startswith("https://")):
        raise ValueError(f"{attribute.name} must be an https:// URL (Meta calls only TLS endpoints)")


def _tasks(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not 1 <= len(value) <= 16:
        raise ValueError(f"{attribute.name} must name 1 to 16 tasks")
    for task in value:
        if task not in PERMISSION_TASKS:
            raise ValueError(f"{attribute.name}: {task!r} is not a WABA permission task")


# -- models -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BusinessAccount:
    """A WABA; every field but ``id`` depends on ``fields=``."""

    id: str
    name: str | None = None
    timezone_id: str | None = None
    message_template_namespace: str | None = None
    currency: str | None = None
    account_review_status: str | None = None
    business_verification_status: str | None = None
    country: str | None = None
    ownership_type: str | None = None
    primary_business_location: str | None = None
    purchase_order_number: str | None = None
    is_enabled_for_insights: bool | None = None


@attrs.frozen(kw_only=True)
class CreatedObject:
    """Meta's ``{"id": ...}`` answer to a create."""

    id: str


@attrs.frozen(kw_only=True)
class SubscribedAppData:
    id: str | None = None
    name: str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True)
class SubscribedApp:
    """One app subscribed to the WABA's webhooks; ``override_callback_uri`` when it overrides the app's URL."""

    whatsapp_business_api_data: SubscribedAppData | None = None
    override_callback_uri: str | None = None


@attrs.frozen(kw_only=True)
class SubscribedAppsResponse:
    """The apps subscribed to the WABA's webhooks (``wa.waba.subscribed_apps()``)."""

    data: list[SubscribedApp] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class SubscribeResult:
    success: bool
    data: list[SubscribedApp] | None = None


@attrs.frozen(kw_only=True)
class NamedObject:
    id: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class AssignedUser:
    """A user assigned to the WABA and their tasks (``wa.waba.assigned_users()``)."""

    id: str
    name: str | None = None
    business: NamedObject | None = None
    user_type: str | None = None
    tasks: list[str] | None = None


@attrs.frozen(kw_only=True)
class AssignedUsersSummary:
    total_count: int | None = None


@attrs.frozen(kw_only=True)
class AssignedUsersPage(Page[AssignedUser]):
    summary: AssignedUsersSummary | None = None


@attrs.frozen(kw_only=True)
class WabaActivity:
    """One audit record (who did what to the WABA, when)."""

    id: str
    activity_type: str | None = None
    timestamp: str | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    actor_name: str | None = None
    description: str | None = None
    details: dict[str, Any] | None = None
    ip_address: str | None = None


@attrs.frozen(kw_only=True)
class RecurrencePattern:
    frequency: Literal["DAILY", "WEEKLY", "MONTHLY", "YEARLY"] | None = None
    interval: int | None = None
    end_date: str | None = None


@attrs.frozen(kw_only=True)
class WabaSchedule:
    """A schedule of the WABA (``wa.waba.schedules()``)."""

    id: str
    name: str | None = None
    status: str | None = None
    schedule_type: str | None = None
    description: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    timezone: str | None = None
    days_of_week: list[str] | None = None
    created_time: str | None = None
    updated_time: str | None = None
    is_active: bool | None = None
    recurrence_pattern: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class BotCommand:
    command_name: str
    command_description: str | None = None


@attrs.frozen(kw_only=True)
class BotDetails:
    """A WABA bot: its ice breakers (``prompts``), commands and welcome-message switch."""

    id: str
    prompts: list[str] | None = None
    commands: list[BotCommand] | None = None
    enable_welcome_message: bool | None = None


@attrs.frozen(kw_only=True)
class OnBehalfOfRequest:
    """A request to manage a business object on behalf of another business."""

    id: str
    status: str | None = None
    business_owned_object: str | None = None
    receiving_business: NamedObject | None = None
    requesting_business: NamedObject | None = None


@attrs.frozen(kw_only=True)
class SolutionRef:
    id: str
    name: str | None = None
    status: str | None = None
    partner_id: str | None = None


@attrs.frozen(kw_only=True)
class OboMobilityIntent:
    """An On-Behalf-Of mobility intent: moving the WABA between solutions."""

    id: str
    waba: dict[str, Any] | None = None
    solution: SolutionRef | None = None
    status: str | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class OboMobilityIntentResult:
    """Meta's answer to creating an On-Behalf-Of mobility intent."""

    success: bool
    mobility_intent_id: str | None = None
    status: str | None = None
    estimated_completion_time: str | None = None
    approval_required: bool | None = None
    next_steps: list[str] | None = None


@attrs.frozen(kw_only=True)
class SetOboMobilityIntentResult:
    """Meta's answer to approving or rejecting an On-Behalf-Of mobility intent."""

    success: bool
    intent_id: str | None = None
    client_mutation_id: str | None = None
    error_msg: str | None = None


@attrs.frozen(kw_only=True)
class SolutionMigrationResult:
    """Meta's answer to a solution migration intent."""

    success: bool
    migration_intent_id: str | None = None
    status: str | None = None
    estimated_completion_time: str | None = None


@attrs.frozen(kw_only=True)
class MigrationIntent:
    """A solution migration intent and its status."""

    id: str
    status: str | None = None


@attrs.frozen(kw_only=True)
class AccountNumber:
    """A WhatsApp account number (a number's record as the WABA's partner sees it)."""

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    status: str | None = None
    quality_rating: str | None = None
    country_code: str | None = None
    country_dial_code: str | None = None
    code_verification_status: str | None = None
    name_status: str | None = None
    messaging_limit_tier: str | None = None
    account_mode: str | None = None
    is_official_business_account: bool | None = None


@attrs.frozen(kw_only=True)
class Solution:
    """A Multi-Partner Solution (shared by ``wa.solutions`` and ``wa.app``)."""

    id: str
    name: str | None = None
    status: str | None = None
    status_for_pending_request: str | None = None
    owner_app: NamedObject | None = None
    owner_permissions: list[str] | None = None
    partner_app: NamedObject | None = None
    partner_permissions: list[str] | None = None


def _recurrence(value: RecurrencePattern | dict[str, Any] | None) -> dict[str, Any] | None:
    """A :class:`RecurrencePattern` (or its dict) as sent: unset keys left out."""
    if value is None:
        return None
    if isinstance(value, RecurrencePattern):
        value = attrs.asdict(value)
    if not isinstance(value, dict):
        raise TypeError("recurrence_pattern must be a RecurrencePattern or a dict")
    out = {k: v for k, v in value.items() if v is not None}
    if out.get("frequency") not in (None, "DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise ValueError(
            f"recurrence_pattern.frequency: {out['frequency']!r} is not DAILY/WEEKLY/MONTHLY/YEARLY"
        )
    interval = out.get("interval")
    if interval is not None and (isinstance(interval, bool) or not isinstance(interval, int) or interval < 1):
        raise ValueError("recurrence_pattern.interval must be an int >= 1")
    return out


# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GetBusinessAccountRequest(ApiRequest[BusinessAccount]):
    """``GET /{business_account_id}?fields=...``."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessAccountDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class UpdateBusinessAccountRequest(ApiRequest[SuccessResponse]):
    """``POST /{business_account_id}``: rename the WABA or change its time zone (a repeat sets the same)."""

    operation_id: ClassVar[str | None] = "updateWhatsAppBusinessAccount"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    name: str | None = attrs.field(default=None, validator=max_len(100, min_len=1))
    timezone_id: str | None = attrs.field(default=None, validator=digits_or_none)

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.timezone_id is None:
            raise ValueError("update needs name or timezone_id")


@attrs.frozen(kw_only=True)
class ListSubscribedAppsRequest(ApiRequest[SubscribedAppsResponse]):
    """``GET /{business_account_id}/subscribed_apps``: the apps that receive this WABA's webhooks."""

    operation_id: ClassVar[str | None] = "getAllSubscriptionsForAWaba"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/subscribed_apps"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class SubscribeAppRequest(ApiRequest[SubscribeResult]):
    """``POST /{business_account_id}/subscribed_apps``: subscribe the token's app to the WABA's webhooks.

    With ``override_callback_uri`` (and the ``verify_token`` Meta will echo in
    its verification GET) this WABA's events go to that URL instead of the
    app's default. Idempotent: subscribing twice leaves one subscription.
    """

    operation_id: ClassVar[str | None] = "subscribeToWabaWebhooks"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/subscribed_apps"
    idempotent: ClassVar[bool] = True

    override_callback_uri: str | None = attrs.field(default=None, validator=_https)
    verify_token: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if (self.override_callback_uri is None) != (self.verify_token is None):
            raise ValueError("override_callback_uri and verify_token go together")
        if self.verify_token is not None and not self.verify_token:
            raise ValueError("verify_token must be a non-empty string")


@attrs.frozen(kw_only=True)
class UnsubscribeAppRequest(ApiRequest[SubscribeResult]):
    """``DELETE /{business_account_id}/subscribed_apps``: stop the token's app receiving this WABA's webhooks."""

    operation_id: ClassVar[str | None] = "unsubscribeFromWabaWebhooks"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{business_account_id}/subscribed_apps"
    idempotent: ClassVar[bool] = True


@attrs.frozen(kw_only=True)
class ListAssignedUsersRequest(ApiRequest[AssignedUsersPage]):
    """``GET /{business_account_id}/assigned_users?business=...``: who may act on the WABA, and how."""

    operation_id: ClassVar[str | None] = "getAssignedUsers"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/assigned_users"
    idempotent: ClassVar[bool] = True

    business: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class AddAssignedUserRequest(ApiRequest[SuccessResponse]):
    """``POST /{business_account_id}/assigned_users`` (form): grant a user tasks; a repeat grants the same."""

    operation_id: ClassVar[str | None] = "addAssignedUser"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/assigned_users"
    encoding: ClassVar[Any] = "form"
    idempotent: ClassVar[bool] = True

    user: str = attrs.field(validator=digits)
    tasks: tuple[PermissionTask, ...] = attrs.field(converter=tuple_of_str, validator=_tasks)


@attrs.frozen(kw_only=True)
class RemoveAssignedUserRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{business_account_id}/assigned_users`` (form body ``user``)."""

    operation_id: ClassVar[str | None] = "removeAssignedUser"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{business_account_id}/assigned_users"
    encoding: ClassVar[Any] = "form"
    idempotent: ClassVar[bool] = True

    user: str = attrs.field(validator=digits)


@attrs.frozen(kw_only=True)
class ListActivitiesRequest(ApiRequest[Page[WabaActivity]]):
    """``GET /{business_account_id}/activities``: the WABA's audit trail, newest first."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessAccountActivities"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/activities"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None
    since: str | None = None
    until: str | None = None
    activity_type: str | None = None


@attrs.frozen(kw_only=True)
class ListSchedulesRequest(ApiRequest[Page[WabaSchedule]]):
    """``GET /{business_account_id}/schedules``."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessAccountSchedules"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/schedules"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    filtering: str | None = None
    sort: ScheduleSort | None = attrs.field(default=None, validator=one_of(_SORTS))
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class CreateScheduleRequest(ApiRequest[CreatedObject]):
    """``POST /{business_account_id}/schedules``; not idempotent (a repeat creates a second schedule)."""

    operation_id: ClassVar[str | None] = "createWhatsAppBusinessAccountSchedule"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/schedules"

    name: str = attrs.field(validator=max_len(100, min_len=1))
    schedule_type: ScheduleType = attrs.field(validator=one_of(_SCHEDULE_TYPES))
    start_time: str = attrs.field(validator=_hhmm)
    end_time: str = attrs.field(validator=_hhmm)
    description: str | None = attrs.field(default=None, validator=max_len(500))
    timezone: str | None = None
    days_of_week: tuple[DayOfWeek, ...] | None = attrs.field(
        default=None, converter=tuple_of_str, validator=one_of(_DAYS)
    )
    is_active: bool | None = None
    recurrence_pattern: dict[str, Any] | None = attrs.field(default=None, converter=_recurrence)


@attrs.frozen(kw_only=True)
class GetBotRequest(ApiRequest[BotDetails]):
    """``GET /{bot_id}``: a WABA bot's prompts and commands."""

    operation_id: ClassVar[str | None] = "getWhatsAppBusinessBotDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{bot_id}"
    idempotent: ClassVar[bool] = True

    bot_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class ListOnBehalfOfRequestsRequest(ApiRequest[Page[OnBehalfOfRequest]]):
    """``GET /{business_account_id}/in_progress_onbehalf_request``: partner access requests not yet settled."""

    operation_id: ClassVar[str | None] = "getInProgressOnBehalfRequests"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/in_progress_onbehalf_request"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class CreateOboMobilityIntentRequest(ApiRequest[OboMobilityIntentResult]):
    """``POST /{business_account_id}/obo_mobility_intent``: start, confirm or cancel moving the WABA between solutions."""

    operation_id: ClassVar[str | None] = "createOBOMobilityIntent"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/obo_mobility_intent"

    solution_id: str = attrs.field(validator=digits)
    intent_type: MobilityIntentType = attrs.field(validator=one_of(_MOBILITY))
    target_solution_id: str | None = attrs.field(default=None, validator=digits_or_none)
    mobility_reason: str | None = attrs.field(default=None, validator=max_len(500))
    scheduled_execution_time: str | None = None
    metadata: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class GetOboMobilityIntentRequest(ApiRequest[OboMobilityIntent]):
    """``GET /{intent_id}``: an OBO mobility intent's state."""

    operation_id: ClassVar[str | None] = "getOBOMobilityIntent"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{intent_id}"
    idempotent: ClassVar[bool] = True

    intent_id: str
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class SetOboMobilityIntentRequest(ApiRequest[SetOboMobilityIntentResult]):
    """``POST /{business_account_id}/set_obo_mobility_intent``; the body names the WABA again (``waba_id``)."""

    operation_id: ClassVar[str | None] = "setOBOMobilityIntent"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/set_obo_mobility_intent"

    waba_id: str = attrs.field(validator=digits)
    solution_id: str | None = attrs.field(default=None, validator=digits_or_none)
    app_id: str | None = attrs.field(default=None, validator=digits_or_none)
    actor_id: str | None = attrs.field(default=None, validator=digits_or_none)
    client_mutation_id: str | None = attrs.field(default=None, validator=max_len(255))


@attrs.frozen(kw_only=True)
class SetSolutionMigrationIntentRequest(ApiRequest[SolutionMigrationResult]):
    """``POST /{business_account_id}/set_solution_migration_intent``."""

    operation_id: ClassVar[str | None] = "setSolutionMigrationIntent"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/set_solution_migration_intent"

    solution_id: str = attrs.field(validator=digits)
    migration_intent: SolutionMigrationIntent = attrs.field(validator=one_of(_MIGRATION))
    target_solution_id: str | None = attrs.field(default=None, validator=digits_or_none)
    migration_reason: str | None = attrs.field(default=None, validator=max_len(500))
    scheduled_migration_time: str | None = None


@attrs.frozen(kw_only=True)
class ListSolutionsRequest(ApiRequest[Page[Solution]]):
    """``GET /{business_account_id}/solutions``: the Multi-Partner Solutions this WABA belongs to."""

    operation_id: ClassVar[str | None] = "listWabaSolutions"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/solutions"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None


def _e164_digits(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or not 7 <= len(value) <= 15:
        raise ValueError(f"{attribute.name} must be 7 to 15 digits without '+', got {value!r}")
    if value[0] == "0":
        raise ValueError(f"{attribute.name} must not start with 0 (international format, no '+')")


def _cc(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.isdigit() or not 1 <= len(value) <= 3):
        raise ValueError(f"{attribute.name} must be a 1-3 digit country calling code, got {value!r}")


@attrs.frozen(kw_only=True)
class CreatePhoneNumberRequest(ApiRequest[CreatedObject]):
    """``POST /{business_account_id}/phone_numbers``: add a number to the WABA (then verify it by code)."""

    operation_id: ClassVar[str | None] = "createWhatsAppBusinessAccountPhoneNumber"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/phone_numbers"

    phone_number: str = attrs.field(validator=_e164_digits)
    verified_name: str = attrs.field(validator=max_len(75, min_len=2))
    cc: str | None = attrs.field(default=None, validator=_cc)
    migrate_phone_number: bool | None = None
    preverified_id: str | None = None


@attrs.frozen(kw_only=True)
class GetAccountNumberRequest(ApiRequest[AccountNumber]):
    """``GET /{account_number_id}``."""

    operation_id: ClassVar[str | None] = "getWhatsAppAccountNumberDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{account_number_id}"
    idempotent: ClassVar[bool] = True

    account_number_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class GetMigrationIntentRequest(ApiRequest[MigrationIntent]):
    """``GET /{migration_intent_id}``: where a WABA migration stands."""

    operation_id: ClassVar[str | None] = "getMigrationIntentDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{migration_intent_id}"
    idempotent: ClassVar[bool] = True

    migration_intent_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)
