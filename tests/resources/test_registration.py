"""wa.registration: register and deregister build exactly what Meta documents."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import SuccessResponse, WhatsApp
from meta_cloud_async.errors import RegistrationLimitError
from meta_cloud_async.types.registration import DATA_LOCALIZATION_REGIONS


async def test_register_with_region(wa: WhatsApp, recorder: Any) -> None:
    assert await wa.registration.register("428915", data_localization_region="DE") == SuccessResponse(
        success=True
    )
    request = recorder.last
    assert request.method == "POST"
    assert request.url == "https://graph.facebook.com/v23.0/1234/register"
    assert recorder.body() == {
        "messaging_product": "whatsapp",
        "pin": "428915",
        "data_localization_region": "DE",
    }
    assert request.headers["content-type"] == "application/json"


async def test_register_without_region_sends_no_region_key(wa: WhatsApp, recorder: Any) -> None:
    await wa.registration.register("428915")
    assert recorder.body() == {"messaging_product": "whatsapp", "pin": "428915"}
    assert b"data_localization_region" not in recorder.last.content
    assert b"null" not in recorder.last.content


@pytest.mark.parametrize("region", sorted(DATA_LOCALIZATION_REGIONS))
async def test_every_spec_region_is_accepted(wa: WhatsApp, recorder: Any, region: str) -> None:
    await wa.registration.register("428915", data_localization_region=region)
    assert recorder.body()["data_localization_region"] == region


def test_regions_are_the_specs_fourteen() -> None:
    assert sorted(DATA_LOCALIZATION_REGIONS) == [
        "AE",
        "AU",
        "BH",
        "BR",
        "CA",
        "CH",
        "DE",
        "GB",
        "ID",
        "IN",
        "JP",
        "KR",
        "SG",
        "ZA",
    ]


@pytest.mark.parametrize("region", ["de", "US", "DEU", "", "EU", 49])
async def test_bad_region_never_leaves(wa: WhatsApp, recorder: Any, region: Any) -> None:
    with pytest.raises(ValueError, match="data_localization_region"):
        await wa.registration.register("428915", data_localization_region=region)
    assert recorder.requests == []


@pytest.mark.parametrize("pin", ["12345", 428915, None, "4289150"])
async def test_bad_pin_never_leaves(wa: WhatsApp, recorder: Any, pin: Any) -> None:
    with pytest.raises(ValueError, match="pin"):
        await wa.registration.register(pin)
    assert recorder.requests == []


async def test_deregister_has_no_body(wa: WhatsApp, recorder: Any) -> None:
    assert await wa.registration.deregister() == SuccessResponse(success=True)
    request = recorder.last
    assert request.method == "POST"
    assert request.url == "https://graph.facebook.com/v23.0/1234/deregister"
    assert request.content == b""
    assert "content-type" not in request.headers


async def test_registration_limit_error(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "error": {
                "message": "(#133016) Account register deregister rate limit exceeded",
                "type": "OAuthException",
                "code": 133016,
                "fbtrace_id": "T1",
            }
        },
        status=400,
    )
    with pytest.raises(RegistrationLimitError) as info:
        await wa.registration.register("428915")
    assert info.value.fbtrace_id == "T1"
    assert len(recorder.requests) == 1
