"""Conformance cases: messages and marketing messages.

Meta's ``sendMessage`` request schema rejects every body, its own examples included
(its second ``allOf`` branch sets ``additionalProperties: false``), so the body check is
skipped here; tests/types/test_messages.py validates the envelope against
``BaseMessageProperties`` and each type object against its own schema instead.
"""

from __future__ import annotations

from meta_cloud_async.types.messages import (
    MarkAsReadRequest,
    SendEncryptedMessageRequest,
    SendMarketingMessageRequest,
    SendMessageRequest,
)

from . import Case

SENT = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "1555", "wa_id": "1555"}],
    "messages": [{"id": "wamid.X"}],
}
DEFECT = {"body": "sendMessage's schema rejects every body (allOf with additionalProperties: false)"}

JWE = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkExMjhDQkMtSFMyNTYifQ.a2V5.aXY.Y2lwaGVy.dGFn"

CASES = [
    Case("send_encrypted", SendEncryptedMessageRequest, lambda wa: wa.messages.send_encrypted(JWE), {"x": 1}),
    Case(
        "send_text",
        SendMessageRequest,
        lambda wa: wa.messages.send_text("15551234567", "hi"),
        SENT,
        skip=DEFECT,
    ),
    Case(
        "send_template",
        SendMessageRequest,
        lambda wa: wa.messages.send_template("15551234567", "hello_world", "en_US"),
        SENT,
        skip=DEFECT,
    ),
    Case(
        "mark_as_read",
        MarkAsReadRequest,
        lambda wa: wa.messages.mark_as_read("wamid.X"),
        {"success": True},
        skip=DEFECT,
    ),
    Case(
        "marketing_template",
        SendMarketingMessageRequest,
        lambda wa: wa.marketing_messages.send_template("15551234567", "spring_sale", "en_US"),
        SENT,
        skip={"body": "the spec requires template.language.policy, which Meta's docs call deprecated"},
    ),
]
