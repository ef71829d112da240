"""``wa.analytics``: messaging, conversation, pricing and template analytics of the WABA as typed series.

Not in Meta's spec: these are field expansions of ``GET /{waba_id}``
documented at https://developers.facebook.com/docs/whatsapp/business-management-api/analytics
(see :mod:`meta_cloud_async.types.analytics`). Each method validates its
arguments, writes the expansion, and answers a response whose ``.points`` is
the flat list of typed data points.
"""

from __future__ import annotations

from ..types.analytics import (
    ConversationAnalyticsRequest,
    MessagingAnalyticsRequest,
    PricingAnalyticsRequest,
    TemplateAnalyticsRequest,
)
from ._base import Resource, endpoint

__all__ = ["Analytics"]


class Analytics(Resource):
    """``start``/``end`` are UNIX seconds; Meta looks back one year (templates: 90 days).

    Each method is the ``build`` of its request class: the signature (and its checks) live there once.
    """

    messaging = endpoint(
        MessagingAnalyticsRequest.build,
        doc="Messages sent and delivered per bucket (``analytics`` field; granularity HALF_HOUR, DAY or MONTH).",
    )
    conversations = endpoint(
        ConversationAnalyticsRequest.build,
        doc="Conversations and their cost (``conversation_analytics``; granularity HALF_HOUR, DAILY or MONTHLY).",
    )
    pricing = endpoint(
        PricingAnalyticsRequest.build,
        doc="Per-message pricing volume and cost (``pricing_analytics``, the pricing model since July 2025).",
    )
    templates = endpoint(
        TemplateAnalyticsRequest.build,
        doc="Sends, deliveries, reads, button clicks and cost per template (``template_analytics``, 1-10 ids).",
    )
