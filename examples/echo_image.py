"""Receive an image in a webhook handler, download it (hash-checked) and send it back.

Runs offline: the embedded sandbox delivers signed webhooks to a receiver on
127.0.0.1, as Meta would. A user sends an image (the sandbox stores its bytes
and injects the inbound message); the handler downloads it with
``ctx.download()``, uploads it again and replies with it; the script then checks
the sandbox's log and that the bytes came back unchanged.

    python examples/echo_image.py
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import tempfile
from pathlib import Path

from aiohttp import web

from meta_cloud_async import WhatsApp
from meta_cloud_async.sandbox import Sandbox
from meta_cloud_async.webhooks import ImageMessage, WebhookContext, WebhookRouter

CUSTOMER = "15551234567"
# A tiny valid PNG (1x1 pixel), as the customer's photo.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def main() -> int:
    app_secret = secrets.token_hex(16)
    done = asyncio.Event()
    echoed: list[str] = []

    # The receiver: an aiohttp app on a free local port.
    router = WebhookRouter(app_secret=app_secret, verify_token="sandbox-verify")
    runner = web.AppRunner(router.aiohttp_app(path="/webhook"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    sandbox = Sandbox(webhook_url=f"http://127.0.0.1:{port}/webhook", app_secret=app_secret)
    number = sandbox.phone_number_ids[0]
    async with (
        sandbox.serve() as base_url,
        WhatsApp(access_token=sandbox.access_token, phone_number_id=number, base_url=base_url) as wa,
    ):
        router.client = wa

        @router.on_message(type="image")
        async def echo(message: ImageMessage, ctx: WebhookContext) -> None:
            photo = await ctx.download()  # bytes, sha256-checked as they arrive
            again = await ctx.client.media.upload(
                photo, mime_type=message.media_object.mime_type or "image/png"
            )
            sent = await ctx.client.messages.send_image(
                message.sender, media_id=again.id, caption="Here is your photo back", reply_to=message.id
            )
            echoed.append(sent.id)
            done.set()

        # The customer's photo lives in Meta's media store; then their message arrives.
        uploaded = await wa.media.upload(PHOTO, mime_type="image/png")
        sandbox.inbound(number, CUSTOMER, "image", {"id": uploaded.id, "mime_type": "image/png"})
        await asyncio.wait_for(done.wait(), 30)

        reply = sandbox.messages()[-1]
        media_id = reply.body["image"]["id"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "echoed.png"
            await wa.media.download(media_id, to=path)
            same = hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(PHOTO).digest()
        print(
            f"the handler sent the photo back to {reply.to}: {reply.type}, caption {reply.body['image']['caption']!r}"
        )
        print(f"the bytes that came back are the customer's: {same}")
    await router.aclose()
    await runner.cleanup()
    return 0 if echoed and same else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
