"""WABA analytics: messaging, conversation, pricing and template series (not in Meta's spec).

Meta serves analytics as *field expansions* of the WABA node, documented at
https://developers.facebook.com/docs/whatsapp/business-management-api/analytics
(and the Graph reference pages ``waba-analytics``,
``whats-app-business-account/pricing_analytics``, ``.../template_analytics``)::

    GET /{waba_id}?fields=analytics.start(1693526400).end(1696118400).granularity(DAY).phone_numbers(["16505551234"])

Each request class here holds the one ``fields`` expansion a builder method
(``messaging()``, ``conversation()``, ``pricing()``, ``template()``) writes
from typed, validated arguments; timestamps are UNIX seconds; lists are JSON
arrays inside the parentheses, as Meta's examples write them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal

import attrs

from .._facts import is_ascii_digits
from .shared import ApiRequest

__all__ = [
    "ConversationAnalyticsRequest",
    "ConversationDataPoint",
    "ConversationDimension",
    "ConversationGranularity",
    "MessagingAnalytics",
    "MessagingAnalyticsRequest",
    "MessagingDataPoint",
    "MessagingGranularity",
    "PricingAnalyticsRequest",
    "PricingDataPoint",
    "PricingDimension",
    "TemplateAnalyticsRequest",
    "TemplateDataPoint",
    "TemplateMetric",
]

MessagingGranularity = Literal["HALF_HOUR", "DAY", "MONTH"]
ConversationGranularity = Literal["HALF_HOUR", "DAILY", "MONTHLY"]
ConversationMetric = Literal["COST", "CONVERSATION"]
ConversationCategory = Literal[
    "AUTHENTICATION", "MARKETING", "SERVICE", "UTILITY", "AUTHENTICATION_INTERNATIONAL"
]
ConversationType = Literal["FREE_ENTRY", "FREE_TIER", "REGULAR"]
ConversationDirection = Literal["BUSINESS_INITIATED", "USER_INITIATED"]
ConversationDimension = Literal[
    "CONVERSATION_CATEGORY", "CONVERSATION_DIRECTION", "CONVERSATION_TYPE", "COUNTRY", "PHONE"
]
PricingMetric = Literal["COST", "VOLUME"]
PricingType = Literal["FREE_CUSTOMER_SERVICE", "FREE_ENTRY_POINT", "REGULAR"]
PricingCategory = Literal[
    "AUTHENTICATION", "AUTHENTICATION_INTERNATIONAL", "MARKETING", "MARKETING_LITE", "SERVICE", "UTILITY"
]
PricingDimension = Literal["COUNTRY", "PHONE", "PRICING_CATEGORY", "PRICING_TYPE", "TIER"]
TemplateMetric = Literal["CLICKED", "COST", "DELIVERED", "READ", "SENT"]


def _values(literal: Any) -> frozenset[str]:
    return frozenset(literal.__args__)


def _timestamp(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a UNIX timestamp in seconds (a non-negative int), got {value!r}")
    return value


def _enum(name: str, value: Any, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}: {value!r} is not one of {sorted(allowed)}")
    return str(value)


def _enums(name: str, values: Iterable[str] | None, allowed: frozenset[str]) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [_enum(name, v, allowed) for v in values]


def _strings(name: str, values: Iterable[str] | None, check: Any = None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values:
        if not isinstance(value, str) or not value or (check is not None and not check(value)):
            raise ValueError(f"{name}: {value!r} is not valid")
        out.append(value)
    return out


def _phone(value: str) -> bool:
    return is_ascii_digits(value) and 7 <= len(value) <= 15


def _country(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isupper()


def expansion(field: str, parts: Sequence[tuple[str, Any]]) -> str:
    """``field.name(value).name(value)``; lists as JSON arrays, enums and numbers bare."""
    out = [field]
    for name, value in parts:
        if value is None:
            continue
        text = json.dumps(value, separators=(",", ":")) if isinstance(value, list) else str(value)
        out.append(f"{name}({text})")
    return ".".join(out)


def _range(start: Any, end: Any) -> tuple[int, int]:
    s, e = _timestamp("start", start), _timestamp("end", end)
    if e <= s:
        raise ValueError("end must be after start")
    return s, e


# -- responses -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class MessagingDataPoint:
    """One bucket of messaging analytics: ``start`` to ``end`` (Unix seconds), ``sent`` and ``delivered``."""

    start: int
    end: int
    sent: int | None = None
    delivered: int | None = None


@attrs.frozen(kw_only=True)
class MessagingAnalytics:
    """Messages sent and delivered per time bucket, for the numbers and countries asked for."""

    granularity: str | None = None
    phone_numbers: list[str] | None = None
    country_codes: list[str] | None = None
    data_points: list[MessagingDataPoint] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class MessagingAnalyticsResponse:
    id: str
    analytics: MessagingAnalytics | None = None

    @property
    def points(self) -> list[MessagingDataPoint]:
        return self.analytics.data_points if self.analytics else []


@attrs.frozen(kw_only=True)
class ConversationDataPoint:
    """One bucket; the dimension fields are set only for the ``dimensions`` asked for."""

    start: int
    end: int
    conversation: int | None = None
    cost: float | None = None
    phone_number: str | None = None
    country: str | None = None
    conversation_type: str | None = None
    conversation_direction: str | None = None
    conversation_category: str | None = None


@attrs.frozen(kw_only=True)
class ConversationSeries:
    data_points: list[ConversationDataPoint] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ConversationAnalytics:
    data: list[ConversationSeries] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ConversationAnalyticsResponse:
    id: str
    conversation_analytics: ConversationAnalytics | None = None

    @property
    def points(self) -> list[ConversationDataPoint]:
        series = self.conversation_analytics.data if self.conversation_analytics else []
        return [p for s in series for p in s.data_points]


@attrs.frozen(kw_only=True)
class PricingDataPoint:
    """One bucket of pricing analytics: message ``volume`` and ``cost``, split by the dimensions asked for."""

    start: int
    end: int
    volume: int | None = None
    cost: float | None = None
    phone_number: str | None = None
    country: str | None = None
    pricing_type: str | None = None
    pricing_category: str | None = None
    tier: str | None = None


@attrs.frozen(kw_only=True)
class PricingSeries:
    data_points: list[PricingDataPoint] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class PricingAnalytics:
    data: list[PricingSeries] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class PricingAnalyticsResponse:
    id: str
    pricing_analytics: PricingAnalytics | None = None

    @property
    def points(self) -> list[PricingDataPoint]:
        series = self.pricing_analytics.data if self.pricing_analytics else []
        return [p for s in series for p in s.data_points]


@attrs.frozen(kw_only=True)
class TemplateClicks:
    type: str
    button_content: str | None = None
    count: int | None = None


@attrs.frozen(kw_only=True)
class TemplateCost:
    type: str
    value: float | None = None


@attrs.frozen(kw_only=True)
class TemplateDataPoint:
    """One bucket of a template's analytics: sent, delivered, read, clicked and cost."""

    template_id: str
    start: int
    end: int
    sent: int | None = None
    delivered: int | None = None
    read: int | None = None
    clicked: list[TemplateClicks] | None = None
    cost: list[TemplateCost] | None = None


@attrs.frozen(kw_only=True)
class TemplateSeries:
    granularity: str | None = None
    product_type: str | None = None
    data_points: list[TemplateDataPoint] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class TemplateAnalytics:
    data: list[TemplateSeries] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class TemplateAnalyticsResponse:
    id: str
    template_analytics: TemplateAnalytics | None = None

    @property
    def points(self) -> list[TemplateDataPoint]:
        series = self.template_analytics.data if self.template_analytics else []
        return [p for s in series for p in s.data_points]


# -- requests ------------------------------------------------------------------------------


def _check_expansion(prefix: str) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not value.startswith(prefix + "."):
            raise ValueError(f"{attribute.name} must be a {prefix}.* expansion; build it with .build(...)")

    return check


@attrs.frozen(kw_only=True)
class MessagingAnalyticsRequest(ApiRequest[MessagingAnalyticsResponse]):
    """``GET /{business_account_id}?fields=analytics...``: messages sent and delivered per bucket."""

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    fields: str = attrs.field(validator=_check_expansion("analytics"))

    @classmethod
    def build(
        cls,
        *,
        start: int,
        end: int,
        granularity: MessagingGranularity,
        phone_numbers: Iterable[str] | None = None,
        country_codes: Iterable[str] | None = None,
        product_types: Iterable[int] | None = None,
    ) -> MessagingAnalyticsRequest:
        """Check the arguments (a ValueError naming the bad one) and encode them as Meta's field expansion."""
        s, e = _range(start, end)
        types = None if product_types is None else [int(t) for t in product_types]
        if types is not None and any(t not in (0, 2) for t in types):
            raise ValueError("product_types: 0 (notification messages) or 2 (customer support messages)")
        return cls(
            fields=expansion(
                "analytics",
                [
                    ("start", s),
                    ("end", e),
                    ("granularity", _enum("granularity", granularity, _values(MessagingGranularity))),
                    ("phone_numbers", _strings("phone_numbers", phone_numbers, _phone)),
                    ("product_types", types),
                    ("country_codes", _strings("country_codes", country_codes, _country)),
                ],
            )
        )


@attrs.frozen(kw_only=True)
class ConversationAnalyticsRequest(ApiRequest[ConversationAnalyticsResponse]):
    """``GET /{business_account_id}?fields=conversation_analytics...``: conversations and their cost."""

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    fields: str = attrs.field(validator=_check_expansion("conversation_analytics"))

    @classmethod
    def build(
        cls,
        *,
        start: int,
        end: int,
        granularity: ConversationGranularity,
        phone_numbers: Iterable[str] | None = None,
        metric_types: Iterable[ConversationMetric] | None = None,
        conversation_categories: Iterable[ConversationCategory] | None = None,
        conversation_types: Iterable[ConversationType] | None = None,
        conversation_directions: Iterable[ConversationDirection] | None = None,
        dimensions: Iterable[ConversationDimension] | None = None,
    ) -> ConversationAnalyticsRequest:
        """Check the arguments (a ValueError naming the bad one) and encode them as Meta's field expansion."""
        s, e = _range(start, end)
        return cls(
            fields=expansion(
                "conversation_analytics",
                [
                    ("start", s),
                    ("end", e),
                    ("granularity", _enum("granularity", granularity, _values(ConversationGranularity))),
                    ("phone_numbers", _strings("phone_numbers", phone_numbers, _phone)),
                    ("metric_types", _enums("metric_types", metric_types, _values(ConversationMetric))),
                    (
                        "conversation_categories",
                        _enums(
                            "conversation_categories", conversation_categories, _values(ConversationCategory)
                        ),
                    ),
                    (
                        "conversation_types",
                        _enums("conversation_types", conversation_types, _values(ConversationType)),
                    ),
                    (
                        "conversation_directions",
                        _enums(
                            "conversation_directions", conversation_directions, _values(ConversationDirection)
                        ),
                    ),
                    ("dimensions", _enums("dimensions", dimensions, _values(ConversationDimension))),
                ],
            )
        )


@attrs.frozen(kw_only=True)
class PricingAnalyticsRequest(ApiRequest[PricingAnalyticsResponse]):
    """``GET /{business_account_id}?fields=pricing_analytics...``: per-message pricing volume and cost."""

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    fields: str = attrs.field(validator=_check_expansion("pricing_analytics"))

    @classmethod
    def build(
        cls,
        *,
        start: int,
        end: int,
        granularity: ConversationGranularity,
        phone_numbers: Iterable[str] | None = None,
        country_codes: Iterable[str] | None = None,
        metric_types: Iterable[PricingMetric] | None = None,
        pricing_types: Iterable[PricingType] | None = None,
        pricing_categories: Iterable[PricingCategory] | None = None,
        dimensions: Iterable[PricingDimension] | None = None,
    ) -> PricingAnalyticsRequest:
        """Check the arguments (a ValueError naming the bad one) and encode them as Meta's field expansion."""
        s, e = _range(start, end)
        return cls(
            fields=expansion(
                "pricing_analytics",
                [
                    ("start", s),
                    ("end", e),
                    ("granularity", _enum("granularity", granularity, _values(ConversationGranularity))),
                    ("phone_numbers", _strings("phone_numbers", phone_numbers, _phone)),
                    ("country_codes", _strings("country_codes", country_codes, _country)),
                    ("metric_types", _enums("metric_types", metric_types, _values(PricingMetric))),
                    ("pricing_types", _enums("pricing_types", pricing_types, _values(PricingType))),
                    (
                        "pricing_categories",
                        _enums("pricing_categories", pricing_categories, _values(PricingCategory)),
                    ),
                    ("dimensions", _enums("dimensions", dimensions, _values(PricingDimension))),
                ],
            )
        )


@attrs.frozen(kw_only=True)
class TemplateAnalyticsRequest(ApiRequest[TemplateAnalyticsResponse]):
    """``GET /{business_account_id}?fields=template_analytics...``: per-template sends, reads, clicks, cost.

    Meta keeps 90 days and takes at most 10 template ids per call; granularity is ``DAILY``.
    """

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}"
    idempotent: ClassVar[bool] = True

    fields: str = attrs.field(validator=_check_expansion("template_analytics"))

    @classmethod
    def build(
        cls,
        *,
        start: int,
        end: int,
        template_ids: Iterable[str],
        metric_types: Iterable[TemplateMetric] | None = None,
        granularity: Literal["DAILY"] = "DAILY",
    ) -> TemplateAnalyticsRequest:
        """Check the arguments (a ValueError naming the bad one) and encode them as Meta's field expansion."""
        s, e = _range(start, end)
        ids = _strings("template_ids", template_ids, is_ascii_digits) or []
        if not 1 <= len(ids) <= 10:
            raise ValueError("template_ids must name 1 to 10 templates")
        return cls(
            fields=expansion(
                "template_analytics",
                [
                    ("start", s),
                    ("end", e),
                    ("granularity", _enum("granularity", granularity, frozenset({"DAILY"}))),
                    ("metric_types", _enums("metric_types", metric_types, _values(TemplateMetric))),
                    ("template_ids", ids),
                ],
            )
        )
