"""wa.two_step_verification: the exact request Meta documents, and the answer decoded."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import SuccessResponse, WhatsApp
from meta_cloud_async.errors import PinMismatchError, RateLimitError


async def test_set_pin_request(wa: WhatsApp, recorder: Any) -> None:
    result = await wa.two_step_verification.set_pin("428915")
    assert result == SuccessResponse(success=True)
    request = recorder.last
    assert request.method == "POST"
    assert request.url == "https://graph.facebook.com/v23.0/1234"
    assert request.content == b'{"pin":"428915"}'
    assert recorder.body() == {"pin": "428915"}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"].startswith("Bearer ")


async def test_leading_zeros_survive(wa: WhatsApp, recorder: Any) -> None:
    await wa.two_step_verification.set_pin("007139")
    assert recorder.body() == {"pin": "007139"}


async def test_other_number_via_with_options(wa: WhatsApp, recorder: Any) -> None:
    await wa.with_options(phone_number_id="9999").two_step_verification.set_pin("428915")
    assert recorder.last.url == "https://graph.facebook.com/v23.0/9999"


async def test_custom_base_url_and_version(recorder: Any) -> None:
    from meta_cloud_async import MockTransport

    async with WhatsApp(
        access_token="t",
        phone_number_id="42",
        base_url="http://127.0.0.1:8123/graph/",
        api_version="v21.0",
        transport=MockTransport(recorder),
    ) as wa:
        await wa.two_step_verification.set_pin("428915")
    assert recorder.last.url == "http://127.0.0.1:8123/graph/v21.0/42"


async def test_success_false_is_returned_not_hidden(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"success": False})
    assert await wa.two_step_verification.set_pin("428915") == SuccessResponse(success=False)


@pytest.mark.parametrize("pin", ["", "12345", "1234567", "abcdef", "12 345", "١٢٣٤٥٦"])
async def test_bad_pins_never_leave(wa: WhatsApp, recorder: Any, pin: str) -> None:
    with pytest.raises(ValueError, match="pin must be"):
        await wa.two_step_verification.set_pin(pin)
    assert recorder.requests == []


async def test_graph_errors_surface_typed(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(
        {
            "error": {
                "message": "(#133005) PIN mismatch",
                "type": "OAuthException",
                "code": 133005,
                "error_data": {"details": "wrong PIN"},
            }
        },
        status=400,
    )
    with pytest.raises(PinMismatchError) as info:
        await wa.two_step_verification.set_pin("428915")
    assert info.value.details == "wrong PIN"
    recorder.reply(
        {"error": {"message": "(#4) Too many calls", "type": "OAuthException", "code": 4}}, status=429
    )
    with pytest.raises(RateLimitError):
        await wa.two_step_verification.set_pin("428915")
