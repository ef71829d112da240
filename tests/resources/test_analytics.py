"""wa.analytics: the field expansions Meta documents, and the typed series they come back as."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.types.analytics import MessagingDataPoint


def fields(url: str) -> str:
    assert url.split("?", 1)[0] == "https://graph.facebook.com/v23.0/5678"
    return parse_qs(urlsplit(url).query)["fields"][0]


async def test_messaging(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "analytics": {
                "phone_numbers": ["16505551234"],
                "granularity": "DAY",
                "data_points": [
                    {"start": 1647327600, "end": 1647414000, "sent": 4, "delivered": 3},
                    {"start": 1647414000, "end": 1647500400, "sent": 1, "delivered": 1},
                ],
            },
            "id": "5678",
        }
    )
    result = await wa.analytics.messaging(
        start=1647327600,
        end=1647500400,
        granularity="DAY",
        phone_numbers=["16505551234"],
        country_codes=["US"],
    )
    assert result.points[0] == MessagingDataPoint(start=1647327600, end=1647414000, sent=4, delivered=3)
    assert sum(p.sent or 0 for p in result.points) == 5
    assert fields(recorder.last.url) == (
        'analytics.start(1647327600).end(1647500400).granularity(DAY).phone_numbers(["16505551234"])'
        '.country_codes(["US"])'
    )
    assert recorder.last.method == "GET" and recorder.last.meta.idempotent


async def test_conversations(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "conversation_analytics": {
                "data": [
                    {
                        "data_points": [
                            {
                                "start": 1685602800,
                                "end": 1685689200,
                                "conversation": 12,
                                "cost": 0.6,
                                "conversation_category": "MARKETING",
                            }
                        ]
                    }
                ]
            },
            "id": "5678",
        }
    )
    result = await wa.analytics.conversations(
        start=1685602800,
        end=1688194800,
        granularity="DAILY",
        metric_types=["COST", "CONVERSATION"],
        dimensions=["CONVERSATION_CATEGORY"],
    )
    assert result.points[0].conversation == 12 and result.points[0].cost == pytest.approx(0.6)
    assert fields(recorder.last.url) == (
        "conversation_analytics.start(1685602800).end(1688194800).granularity(DAILY)"
        '.metric_types(["COST","CONVERSATION"]).dimensions(["CONVERSATION_CATEGORY"])'
    )


async def test_pricing(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "pricing_analytics": {
                "data": [
                    {
                        "data_points": [
                            {
                                "start": 1751356800,
                                "end": 1751443200,
                                "volume": 40,
                                "cost": 1.2,
                                "pricing_category": "UTILITY",
                                "pricing_type": "REGULAR",
                            }
                        ]
                    }
                ]
            },
            "id": "5678",
        }
    )
    result = await wa.analytics.pricing(
        start=1751356800,
        end=1751443200,
        granularity="DAILY",
        pricing_categories=["UTILITY"],
        dimensions=["PRICING_CATEGORY", "PRICING_TYPE"],
    )
    assert result.points[0].volume == 40 and result.points[0].pricing_type == "REGULAR"
    assert fields(recorder.last.url).startswith("pricing_analytics.start(1751356800).end(1751443200)")


async def test_templates(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "template_analytics": {
                "data": [
                    {
                        "granularity": "DAILY",
                        "product_type": "cloud_api",
                        "data_points": [
                            {
                                "template_id": "1234",
                                "start": 1689379200,
                                "end": 1689465600,
                                "sent": 10,
                                "delivered": 9,
                                "read": 7,
                                "clicked": [
                                    {"type": "quick_reply_button", "button_content": "Yes", "count": 3}
                                ],
                                "cost": [{"type": "amount_spent", "value": 0.25}],
                            }
                        ],
                    }
                ]
            },
            "id": "5678",
        }
    )
    result = await wa.analytics.templates(start=1689379200, end=1689465600, template_ids=["1234"])
    point = result.points[0]
    assert point.read == 7 and point.clicked is not None and point.clicked[0].count == 3
    assert fields(recorder.last.url) == (
        'template_analytics.start(1689379200).end(1689465600).granularity(DAILY).template_ids(["1234"])'
    )


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("messaging", {"start": 10, "end": 5, "granularity": "DAY"}),
        ("messaging", {"start": 1.5, "end": 5, "granularity": "DAY"}),
        ("messaging", {"start": 1, "end": 5, "granularity": "DAILY"}),
        ("messaging", {"start": 1, "end": 5, "granularity": "DAY", "phone_numbers": ["+1650"]}),
        ("conversations", {"start": 1, "end": 5, "granularity": "DAY"}),
        ("conversations", {"start": 1, "end": 5, "granularity": "DAILY", "dimensions": ["COLOUR"]}),
        ("pricing", {"start": 1, "end": 5, "granularity": "MONTHLY", "pricing_types": ["PAID"]}),
        ("pricing", {"start": 1, "end": 5, "granularity": "MONTHLY", "country_codes": ["usa"]}),
        ("templates", {"start": 1, "end": 5, "template_ids": []}),
        ("templates", {"start": 1, "end": 5, "template_ids": [str(i) for i in range(11)]}),
        ("templates", {"start": 1, "end": 5, "template_ids": ["1"], "metric_types": ["LIKED"]}),
    ],
)
async def test_refusals_send_nothing(wa: WhatsApp, recorder: Any, method: str, kwargs: Any) -> None:
    with pytest.raises(ValueError):
        await getattr(wa.analytics, method)(**kwargs)
    assert recorder.requests == []
