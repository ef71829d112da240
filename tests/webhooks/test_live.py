"""Live on 127.0.0.1: the aiohttp and ASGI (uvicorn) adapters under concurrent signed deliveries."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from meta_cloud_async.webhooks import TextMessage, WebhookContext, WebhookRouter, sign

SECRET = "live-secret"
TOKEN = "live-token"
CAP = 64 * 1024


def delivery(i: int) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "1555", "phone_number_id": "42"},
                                "messages": [
                                    {
                                        "from": "16465550100",
                                        "id": f"wamid.live-{i}",
                                        "timestamp": "1760000000",
                                        "type": "text",
                                        "text": {"body": f"message {i} ção"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        ensure_ascii=i % 2 == 0,  # half escaped like Meta, half raw UTF-8
    ).encode()


def make_router() -> tuple[WebhookRouter, Counter[str]]:
    router = WebhookRouter(app_secret=SECRET, verify_token=TOKEN, max_body_bytes=CAP, concurrency=16)
    handled: Counter[str] = Counter()

    @router.on_message()
    async def always_fails(event: TextMessage, ctx: WebhookContext) -> None:
        raise RuntimeError("a broken handler")

    @router.on_message(type="text")
    async def count(event: TextMessage, ctx: WebhookContext) -> None:
        await asyncio.sleep(0)
        handled[event.id] += 1

    return router, handled


async def scenario(base: str, router: WebhookRouter, handled: Counter[str]) -> None:
    url = base + "/webhook"
    async with aiohttp.ClientSession() as http:
        async with http.get(
            url, params={"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "987"}
        ) as r:
            assert (r.status, await r.text()) == (200, "987")
        async with http.get(
            url, params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "987"}
        ) as r:
            assert r.status == 403
        body = delivery(-1)
        async with http.post(url, data=body) as r:
            assert r.status == 401
        async with http.post(url, data=body, headers={"X-Hub-Signature-256": sign(body, "nope")}) as r:
            assert r.status == 403
        big = b"{" + b" " * CAP + b"}"
        async with http.post(url, data=big, headers={"X-Hub-Signature-256": sign(big, SECRET)}) as r:
            assert r.status == 413

        async def post(i: int) -> int:
            b = delivery(i)
            async with http.post(
                url,
                data=b,
                headers={"X-Hub-Signature-256": sign(b, SECRET), "Content-Type": "application/json"},
            ) as resp:
                return resp.status

        statuses = await asyncio.gather(*(post(i) for i in range(200)))
        assert statuses == [200] * 200
        assert await post(7) == 200  # Meta redelivers one
    await router.join()
    assert set(handled) == {f"wamid.live-{i}" for i in range(200)}
    assert set(handled.values()) == {1}


async def test_aiohttp_adapter_live(
    serve_app: Callable[[web.Application], contextlib.AbstractAsyncContextManager[str]],
) -> None:
    router, handled = make_router()
    async with serve_app(router.aiohttp_app(path="/webhook")) as base:
        await scenario(base, router, handled)


async def test_aiohttp_routes_on_an_existing_app(
    serve_app: Callable[[web.Application], contextlib.AbstractAsyncContextManager[str]],
) -> None:
    router, handled = make_router()
    app = web.Application()

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="up")

    app.router.add_get("/health", health)
    assert router.aiohttp_app(path="/webhook", app=app) is app
    async with serve_app(app) as base:
        async with aiohttp.ClientSession() as http, http.get(base + "/health") as r:
            assert await r.text() == "up"
        await scenario(base, router, handled)


@contextlib.asynccontextmanager
async def serve_asgi(app: Callable[..., Any]) -> AsyncIterator[str]:
    uvicorn = pytest.importorskip("uvicorn")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)  # connections wait in the backlog until uvicorn accepts: no start-up polling
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_asgi_adapter_live_under_uvicorn() -> None:
    router, handled = make_router()
    async with serve_asgi(router.asgi_app(path="/webhook")) as base:
        await scenario(base, router, handled)
        async with aiohttp.ClientSession() as http, http.get(base + "/elsewhere") as r:
            assert r.status == 404


async def test_asgi_routed_in_fastapi_live() -> None:
    fastapi = pytest.importorskip("fastapi")
    router, handled = make_router()
    app = fastapi.FastAPI()
    app.add_route("/webhook", router.asgi_app(path=None), methods=["GET", "POST"])
    async with serve_asgi(app) as base:
        await scenario(base, router, handled)
        # No redirect on the exact path (Meta does not follow redirects).
        async with aiohttp.ClientSession() as http, http.get(base + "/webhook", allow_redirects=False) as r:
            assert r.status == 403
    await router.aclose()
