"""Answer a customer inside the 24-hour window, and see Meta's rule refuse a late free-form reply.

Runs offline against the embedded sandbox on a virtual clock: a user writes in
(the sandbox's admin door injects the inbound message), we mark it read with a
typing indicator and reply within the window, jump 25 hours ahead, get Meta's
131047 for a free-form message, send an approved template instead, and read
the sandbox's log of what was sent and each message's status.

    python examples/messaging_sandbox.py
"""

from __future__ import annotations

import asyncio

from meta_cloud_async import GraphAPIError, WhatsApp
from meta_cloud_async.sandbox import Sandbox, VirtualClock

CUSTOMER = "15551234567"


async def main() -> int:
    clock = VirtualClock()
    sandbox = Sandbox(phone_numbers=1, clock=clock)
    number = sandbox.phone_number_ids[0]
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=number,
        base_url="http://sandbox.invalid",
        transport=sandbox.transport(),
        clock=clock,
        sleep=clock.sleep,
    ) as wa:
        inbound = sandbox.inbound(number, CUSTOMER, "text", {"body": "Hi, where is my order?"})
        await wa.messages.mark_as_read(inbound, typing_indicator=True)
        reply = await wa.messages.send_text(CUSTOMER, "It ships today!", reply_to=inbound)
        print(f"replied inside the window: {reply.id[:18]}...")

        clock.advance(25 * 3600)
        try:
            await wa.messages.send_text(CUSTOMER, "Anything else?")
        except GraphAPIError as exc:
            print(f"25 h later a free-form message is refused: code {exc.code}")
        template = await wa.messages.send_template(CUSTOMER, "hello_world", "en_US")
        print(f"an approved template is allowed: {template.message_status}")

    for record in sandbox.messages():
        print(f"  {record.type:<8} to {record.to}: {record.status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
