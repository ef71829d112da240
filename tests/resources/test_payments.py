"""wa.payments: payment configurations (not in Meta's spec; shapes from its payments onboarding docs)."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp

BASE = "https://graph.facebook.com/v23.0/"
CONFIG = {
    "configuration_name": "shop-upi",
    "merchant_category_code": {"code": "0000", "description": "Test MCC"},
    "purpose_code": {"code": "00", "description": "Test purpose"},
    "status": "Active",
    "provider_name": "upi_vpa",
    "merchant_vpa": "shop@upi",
    "created_timestamp": 1720248881,
    "updated_timestamp": 1720248881,
}


async def test_list_get_create_update_link_delete(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": [{"payment_configurations": [CONFIG, {**CONFIG, "configuration_name": "b"}]}]})
    configs = await wa.payments.list()
    assert [c.configuration_name for c in configs.configurations] == ["shop-upi", "b"]
    assert (
        configs.configurations[0].merchant_vpa == "shop@upi"
        and recorder.last.url == BASE + "5678/payment_configurations"
    )
    recorder.reply({"data": [CONFIG]})
    await wa.payments.get("shop-upi")
    assert recorder.last.url == BASE + "5678/payment_configuration/shop-upi"
    recorder.reply({"success": True})
    await wa.payments.create(
        configuration_name="shop-upi",
        provider_name="upi_vpa",
        merchant_vpa="shop@upi",
        purpose_code="00",
        merchant_category_code="0000",
    )
    assert recorder.body() == {
        "configuration_name": "shop-upi",
        "provider_name": "upi_vpa",
        "purpose_code": "00",
        "merchant_category_code": "0000",
        "merchant_vpa": "shop@upi",
    }
    assert not recorder.last.meta.idempotent
    recorder.reply({"success": True, "oauth_url": "https://razorpay.example/oauth", "expiration": 1720000000})
    created = await wa.payments.create(
        configuration_name="shop-rzp",
        provider_name="razorpay",
        purpose_code="0000",
        merchant_category_code="0000",
        redirect_url="https://shop.example.com/done",
    )
    assert created.oauth_url == "https://razorpay.example/oauth"
    recorder.reply({"success": True})
    await wa.payments.update(configuration_name="shop-upi", merchant_vpa="new@upi")
    assert recorder.last.url == BASE + "5678/payment_configuration/shop-upi" and recorder.body() == {
        "merchant_vpa": "new@upi"
    }
    (recorder.reply({"oauth_url": "https://razorpay.example/oauth2", "expiration": 1}),)
    link = await wa.payments.generate_oauth_link(configuration_name="shop-rzp")
    assert link.oauth_url.endswith("oauth2")
    assert recorder.last.url == BASE + "5678/generate_payment_configuration_oauth_link"
    await wa.payments.delete(configuration_name="shop-rzp")
    assert recorder.last.method == "DELETE" and recorder.body() == {"configuration_name": "shop-rzp"}
    assert recorder.last.url == BASE + "5678/payment_configuration"


@pytest.mark.parametrize(
    "kwargs",
    [
        {
            "configuration_name": "bad name",
            "provider_name": "payu",
            "purpose_code": "0000",
            "merchant_category_code": "0000",
        },
        {
            "configuration_name": "x",
            "provider_name": "upi_vpa",
            "purpose_code": "0000",
            "merchant_category_code": "0000",
        },
        {
            "configuration_name": "x",
            "provider_name": "payu",
            "merchant_vpa": "a@upi",
            "purpose_code": "0000",
            "merchant_category_code": "0000",
        },
        {
            "configuration_name": "x",
            "provider_name": "paypal",
            "purpose_code": "0000",
            "merchant_category_code": "0000",
        },
        {
            "configuration_name": "x",
            "provider_name": "payu",
            "purpose_code": "1",
            "merchant_category_code": "000",
        },
        {
            "configuration_name": "x",
            "provider_name": "payu",
            "purpose_code": "0000",
            "merchant_category_code": "0000",
            "redirect_url": "http://insecure.example.com",
        },
    ],
)
async def test_create_refusals_send_nothing(wa: WhatsApp, recorder: Any, kwargs: Any) -> None:
    with pytest.raises(ValueError):
        await wa.payments.create(**kwargs)
    assert recorder.requests == []


async def test_update_needs_a_change_and_get_a_safe_name(wa: WhatsApp, recorder: Any) -> None:
    with pytest.raises(ValueError):
        await wa.payments.update(configuration_name="x")
    with pytest.raises(ValueError):
        await wa.payments.get("../x")
    assert recorder.requests == []
