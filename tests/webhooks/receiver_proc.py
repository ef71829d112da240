"""A receiver process for the multi-process test: aiohttp adapter + RedisDedupe.

Usage: ``python -m tests.webhooks.receiver_proc REDIS_URL APP_SECRET``. Prints its port, then
serves until SIGTERM, when aiohttp's cleanup drains the router before exiting.
"""

from __future__ import annotations

import socket
import sys

import redis.asyncio as aioredis
from aiohttp import web

from meta_cloud_async.webhooks import RedisDedupe, WebhookContext, WebhookRouter


def main() -> None:
    url, secret = sys.argv[1], sys.argv[2]
    store = aioredis.Redis.from_url(url)
    router = WebhookRouter(app_secret=secret, dedupe=RedisDedupe(store), concurrency=16)

    @router.on_message()
    async def record(event: object, ctx: WebhookContext) -> None:
        await store.rpush("handled", getattr(event, "id", ""))

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # Listening before the port is announced: early connections wait in the backlog.
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    web.run_app(router.aiohttp_app("/webhook"), sock=sock, print=None, handle_signals=True)


if __name__ == "__main__":
    main()
