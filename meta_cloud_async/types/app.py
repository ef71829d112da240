"""App-level calls: the app's webhook callback registration, its client businesses and solutions.

``/{app_id}/subscriptions`` is not in Meta's WhatsApp spec (it is the Graph
API's app node, https://developers.facebook.com/docs/graph-api/reference/application/subscriptions/):
it needs an *app* access token (``"{app_id}|{app_secret}"``), so call it on a
copy, ``wa.with_options(access_token=app_token)``, and it travels form-encoded
as Meta documents it. With it a service points Meta at its webhook receiver
from code instead of the App Dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal

import attrs

from ._checks import digits, limit, max_len, one_of
from .shared import ApiRequest, Page, SuccessResponse, fields_param
from .waba import Solution

__all__ = [
    "AppSubscription",
    "AppSubscriptionField",
    "AppSubscriptionsResponse",
    "ClientBusiness",
    "CreateSolutionRequest",
    "CreateSolutionResponse",
    "DeleteAppSubscriptionRequest",
    "ListAppSolutionsRequest",
    "ListAppSubscriptionsRequest",
    "ListConnectedClientBusinessesRequest",
    "SubscribeAppWebhooksRequest",
    "SubscriptionObject",
]

#: The Graph objects an app can subscribe to; WhatsApp's is ``whatsapp_business_account``.
SubscriptionObject = Literal[
    "whatsapp_business_account", "application", "page", "user", "permissions", "payments", "instagram"
]
_OBJECTS = frozenset(SubscriptionObject.__args__)  # type: ignore[attr-defined]
#: Solution permissions an owner or partner app can be given (only ``MESSAGING`` today).
ConfigurablePermission = Literal["MESSAGING"]
SolutionRole = Literal["OWNER", "PARTNER"]


def _fields_csv(value: Iterable[str] | str | None) -> str | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if not isinstance(item, str) or not item or "," in item or not item.isascii():
            raise ValueError(f"fields: each webhook field must be a name like 'messages', got {item!r}")
    return ",".join(items) or None


def _callback(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.startswith("https://") or len(value) > 2048:
        raise ValueError(f"{attribute.name} must be an https:// URL (Meta delivers webhooks over TLS only)")


def _verify_token(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value or not value.isascii() or any(c.isspace() for c in value):
        raise ValueError(f"{attribute.name} must be a non-empty ASCII string without spaces")


def _permissions(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or len(value) > 1 or any(v != "MESSAGING" for v in value):
        raise ValueError(f"{attribute.name} must be () or ('MESSAGING',)")


@attrs.frozen(kw_only=True)
class AppSubscriptionField:
    """A webhook field the app is subscribed to, and its Graph version."""

    name: str
    version: str | None = None


@attrs.frozen(kw_only=True)
class AppSubscription:
    """One object the app is subscribed to: where Meta calls and which fields."""

    object: str
    callback_url: str | None = None
    active: bool | None = None
    fields: list[AppSubscriptionField] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class AppSubscriptionsResponse:
    """The app's webhook subscriptions (``wa.app.webhook_subscriptions()``)."""

    data: list[AppSubscription] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class SubscribeAppWebhooksRequest(ApiRequest[SuccessResponse]):
    """``POST /{app_id}/subscriptions`` (form; app token): register the app's callback URL and fields.

    Meta verifies ``callback_url`` at once with a GET carrying ``verify_token``;
    the receiver must be up. Idempotent: the same registration twice is one.
    """

    operation_id: ClassVar[str | None] = None
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{app_id}/subscriptions"
    encoding: ClassVar[Any] = "form"
    idempotent: ClassVar[bool] = True
    budget: ClassVar[Any] = "app"

    object: SubscriptionObject = attrs.field(default="whatsapp_business_account", validator=one_of(_OBJECTS))
    callback_url: str = attrs.field(validator=_callback)
    verify_token: str = attrs.field(validator=_verify_token, repr=False)
    fields: str | None = attrs.field(default=None, converter=_fields_csv)
    include_values: bool | None = None


@attrs.frozen(kw_only=True)
class ListAppSubscriptionsRequest(ApiRequest[AppSubscriptionsResponse]):
    """``GET /{app_id}/subscriptions`` (app token): what the app is subscribed to, and where."""

    operation_id: ClassVar[str | None] = None
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{app_id}/subscriptions"
    idempotent: ClassVar[bool] = True
    budget: ClassVar[Any] = "app"


@attrs.frozen(kw_only=True)
class DeleteAppSubscriptionRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{app_id}/subscriptions`` (form; app token): drop fields, or the whole object when none named."""

    operation_id: ClassVar[str | None] = None
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{app_id}/subscriptions"
    encoding: ClassVar[Any] = "form"
    idempotent: ClassVar[bool] = True
    budget: ClassVar[Any] = "app"

    object: SubscriptionObject = attrs.field(default="whatsapp_business_account", validator=one_of(_OBJECTS))
    fields: str | None = attrs.field(default=None, converter=_fields_csv)


@attrs.frozen(kw_only=True)
class ClientBusiness:
    """A business connected to the app as a client (``wa.app.connected_client_businesses()``)."""

    id: str
    name: str | None = None
    verification_status: str | None = None
    business_status: str | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class ListConnectedClientBusinessesRequest(ApiRequest[Page[ClientBusiness]]):
    """``GET /{app_id}/connected_client_businesses``: businesses that onboarded through this app."""

    operation_id: ClassVar[str | None] = "getConnectedClientBusinesses"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{app_id}/connected_client_businesses"
    idempotent: ClassVar[bool] = True

    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class CreateSolutionResponse:
    """The id of a Multi-Partner Solution just created (``wa.app.create_solution()``)."""

    solution_id: str


@attrs.frozen(kw_only=True)
class CreateSolutionRequest(ApiRequest[CreateSolutionResponse]):
    """``POST /{app_id}/whatsapp_business_solution``: create a Multi-Partner Solution with a partner app."""

    operation_id: ClassVar[str | None] = "createWhatsAppBusinessSolution"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{app_id}/whatsapp_business_solution"

    solution_name: str = attrs.field(validator=max_len(75, min_len=2))
    partner_app_id: str = attrs.field(validator=digits)
    owner_permissions: tuple[ConfigurablePermission, ...] = attrs.field(
        default=(), converter=tuple, validator=_permissions
    )
    partner_permissions: tuple[ConfigurablePermission, ...] = attrs.field(
        default=(), converter=tuple, validator=_permissions
    )


@attrs.frozen(kw_only=True)
class ListAppSolutionsRequest(ApiRequest[Page[Solution]]):
    """``GET /{app_id}/whatsapp_business_solutions``, as owner or partner."""

    operation_id: ClassVar[str | None] = "getApplicationWhatsAppBusinessSolutions"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{app_id}/whatsapp_business_solutions"
    idempotent: ClassVar[bool] = True

    role: SolutionRole | None = attrs.field(default=None, validator=one_of({"OWNER", "PARTNER"}))
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=limit)
    after: str | None = None
    before: str | None = None
