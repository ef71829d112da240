"""``wa.analytics``: messaging, conversation, pricing and template analytics of the WABA as typed series.

Not in Meta's spec: these are field expansions of ``GET /{waba_id}``
documented at https://developers.facebook.com/docs/whatsapp/business-management-api/analytics
(see :mod:`meta_cloud_async.types.analytics`). Each method validates its
arguments, writes the expansion, and answers a response whose ``.points`` is
the flat list of typed data points.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ..types.analytics import (
    ConversationAnalyticsRequest,
    ConversationAnalyticsResponse,
    ConversationCategory,
    ConversationDimension,
    ConversationDirection,
    ConversationGranularity,
    ConversationMetric,
    ConversationType,
    MessagingAnalyticsRequest,
    MessagingAnalyticsResponse,
    MessagingGranularity,
    PricingAnalyticsRequest,
    PricingAnalyticsResponse,
    PricingCategory,
    PricingDimension,
    PricingMetric,
    PricingType,
    TemplateAnalyticsRequest,
    TemplateAnalyticsResponse,
    TemplateMetric,
)
from ._base import Resource

__all__ = ["Analytics"]


class Analytics(Resource):
    """``start``/``end`` are UNIX seconds; Meta looks back one year (templates: 90 days)."""

    async def messaging(
        self,
        *,
        start: int,
        end: int,
        granularity: MessagingGranularity,
        phone_numbers: Iterable[str] | None = None,
        country_codes: Iterable[str] | None = None,
        product_types: Iterable[int] | None = None,
    ) -> MessagingAnalyticsResponse:
        """Messages sent and delivered per bucket (``analytics`` field; granularity HALF_HOUR, DAY or MONTH)."""
        request = MessagingAnalyticsRequest.build(
            start=start,
            end=end,
            granularity=granularity,
            phone_numbers=phone_numbers,
            country_codes=country_codes,
            product_types=product_types,
        )
        return await self._client._call(request)

    async def conversations(
        self,
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
    ) -> ConversationAnalyticsResponse:
        """Conversations and their cost (``conversation_analytics``; granularity HALF_HOUR, DAILY or MONTHLY)."""
        request = ConversationAnalyticsRequest.build(
            start=start,
            end=end,
            granularity=granularity,
            phone_numbers=phone_numbers,
            metric_types=metric_types,
            conversation_categories=conversation_categories,
            conversation_types=conversation_types,
            conversation_directions=conversation_directions,
            dimensions=dimensions,
        )
        return await self._client._call(request)

    async def pricing(
        self,
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
    ) -> PricingAnalyticsResponse:
        """Per-message pricing volume and cost (``pricing_analytics``, the pricing model since July 2025)."""
        request = PricingAnalyticsRequest.build(
            start=start,
            end=end,
            granularity=granularity,
            phone_numbers=phone_numbers,
            country_codes=country_codes,
            metric_types=metric_types,
            pricing_types=pricing_types,
            pricing_categories=pricing_categories,
            dimensions=dimensions,
        )
        return await self._client._call(request)

    async def templates(
        self,
        *,
        start: int,
        end: int,
        template_ids: Iterable[str],
        metric_types: Iterable[TemplateMetric] | None = None,
        granularity: Literal["DAILY"] = "DAILY",
    ) -> TemplateAnalyticsResponse:
        """Sends, deliveries, reads, button clicks and cost per template (``template_analytics``, 1-10 ids)."""
        request = TemplateAnalyticsRequest.build(
            start=start,
            end=end,
            template_ids=template_ids,
            metric_types=metric_types,
            granularity=granularity,
        )
        return await self._client._call(request)
