"""wa.business: the portfolio, its WABAs and pre-verified numbers."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.types.business import VerifyPreVerifiedCodeRequest

BASE = "https://graph.facebook.com/v23.0/"


async def test_portfolio_and_wabas(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "506914307656634", "name": "Lucky Shrub", "timezone_id": 0})
    portfolio = await wa.business.get(business_id="506914307656634", fields=["id", "name", "timezone_id"])
    assert portfolio.timezone_id == 0
    recorder.reply(
        {
            "data": [{"id": "104996122399160", "name": "Lucky Shrub"}],
            "paging": {"next": BASE + "506914307656634/owned_whatsapp_business_accounts?after=X"},
        }
    )
    recorder.reply({"data": [{"id": "102290129340398"}]})
    ids = [w.id async for w in wa.business.owned_wabas(business_id="506914307656634", first=1)]
    assert ids == ["104996122399160", "102290129340398"]
    assert recorder.requests[1].url == BASE + "506914307656634/owned_whatsapp_business_accounts?first=1"
    await wa.business.client_wabas(business_id="1", find="Shop")
    assert recorder.last.url == BASE + "1/client_whatsapp_business_accounts?find=Shop"
    await wa.business.assigned_wabas(user_id="42")
    assert recorder.last.url == BASE + "42/assigned_whatsapp_business_accounts"
    recorder.reply({"data": [{"id": "1972385232742146", "legal_entity_name": "Lucky Shrub"}]})
    lines = await wa.business.credit_lines(business_id="1")
    assert lines.data[0].legal_entity_name == "Lucky Shrub"
    recorder.reply({"request_id": "9"})
    onboarding = await wa.business.onboard_partners_to_mm_lite(business_id="1", solution_id="5")
    assert (
        onboarding.request_id == "9"
        and recorder.last.url == BASE + "1/onboard_partners_to_mm_lite?solution_id=5"
    )
    assert recorder.last.content == b""


async def test_preverified_numbers(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "77"})
    added = await wa.business.add_phone_numbers(business_id="1", phone_number="+1 (631) 555-1000")
    assert added.id == "77" and recorder.body() == {"phone_number": "+1 (631) 555-1000"}
    await wa.business.preverified_numbers(business_id="1", availability_status="AVAILABLE", country_code="IN")
    assert recorder.last.url == BASE + "1/preverified_numbers?availability_status=AVAILABLE&country_code=IN"
    await wa.business.share_preverified_number(business_id="1", preverified_id="77", partner_business_id="88")
    assert recorder.body() == {"preverified_id": "77", "partner_business_id": "88"}
    recorder.reply({"is_input_id_valid": True, "display_phone_number": "+1 631-555-1000"})
    details = await wa.business.get_preverified_number(preverified_id="77")
    assert details.is_input_id_valid
    await wa.business.delete_preverified_number(preverified_id="77")
    assert recorder.last.method == "DELETE" and recorder.last.url == BASE + "77"
    await wa.business.preverified_number_partners(preverified_id="77")
    assert recorder.last.url == BASE + "77/partners"
    await wa.business.request_preverified_code(preverified_id="77")
    assert recorder.body() == {"code_method": "SMS", "language": "en_US"}
    assert not recorder.last.meta.idempotent
    await wa.business.verify_preverified_code(preverified_id="77", code="123456")
    assert recorder.body() == {"code": "123456"} and not recorder.last.meta.idempotent
    assert "123456" not in repr(VerifyPreVerifiedCodeRequest(preverified_id="77", code="123456"))


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("add_phone_numbers", {"business_id": "1", "phone_number": "call me"}),
        ("preverified_numbers", {"business_id": "1", "country_code": "usa"}),
        ("preverified_numbers", {"business_id": "1", "verification_status": "MAYBE"}),
        ("verify_preverified_code", {"preverified_id": "77", "code": "12345"}),
        ("request_preverified_code", {"preverified_id": "77", "code_method": "FAX"}),
        ("request_preverified_code", {"preverified_id": "77", "language": "english"}),
        ("get", {"business_id": "abc"}),
        ("owned_wabas", {"business_id": "1", "business_type": ["GIANT"]}),
    ],
)
async def test_refusals_send_nothing(wa: WhatsApp, recorder: Any, method: str, kwargs: Any) -> None:
    with pytest.raises(ValueError):
        result = getattr(wa.business, method)(**kwargs)
        await result
    assert recorder.requests == []
