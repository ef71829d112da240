"""wa.solutions: one Multi-Partner Solution's calls."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp

BASE = "https://graph.facebook.com/v23.0/"
SOLUTION = {"id": "111", "name": "Joint", "status": "ACTIVE", "status_for_pending_request": "NONE"}


async def test_get_accept_reject(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(SOLUTION)
    solution = await wa.solutions.get(solution_id="111", fields=["id", "status"])
    assert solution.status == "ACTIVE" and recorder.last.url == BASE + "111?fields=id%2Cstatus"
    recorder.reply({"solution_id": "111", "partner_status": "ACCEPTED", "success": True})
    accepted = await wa.solutions.accept(solution_id="111", partner_app_id="222")
    assert accepted.partner_status == "ACCEPTED" and recorder.body() == {"partner_app_id": "222"}
    recorder.reply({"success": True, "rejected_request_type": "DEACTIVATION_REQUEST"})
    await wa.solutions.reject(
        solution_id="111", request_type="DEACTIVATION_REQUEST", rejection_reason="still used"
    )
    assert recorder.body() == {"request_type": "DEACTIVATION_REQUEST", "rejection_reason": "still used"}
    with pytest.raises(ValueError, match="partner_app_id"):
        await wa.solutions.reject(solution_id="111", request_type="PARTNERSHIP_REQUEST")
    with pytest.raises(ValueError, match="partner_app_id"):
        await wa.solutions.reject(solution_id="111", request_type="DEACTIVATION_REQUEST", partner_app_id="2")
    with pytest.raises(ValueError, match="solution_id"):
        await wa.solutions.get(solution_id="../me")
    assert len(recorder.requests) == 3


async def test_deactivation_requests(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"success": True, "message": "submitted", "request_id": "d1"})
    sent = await wa.solutions.send_deactivation_request(solution_id="111")
    assert sent.request_id == "d1" and recorder.last.content == b""
    assert not recorder.last.meta.idempotent
    recorder.reply(SOLUTION)
    await wa.solutions.accept_deactivation_request(solution_id="111", fields=["id"])
    assert recorder.last.url == BASE + "111/accept_deactivation_request?fields=id"
    recorder.reply(SOLUTION)
    await wa.solutions.reject_deactivation_request(solution_id="111")
    assert recorder.body() == {"reject_deactivation_request": True}


async def test_access_token_is_never_in_a_repr(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"access_token": "BISU-very-secret", "expires_at": 1735689600})
    token = await wa.solutions.access_token(solution_id="111", business_id="333")
    assert token.access_token == "BISU-very-secret"
    assert "BISU-very-secret" not in repr(token)
    assert recorder.last.url == BASE + "111/access_token?business_id=333"
