"""The support bot of ``support_bot.py`` as a FastAPI application under uvicorn.

Same handlers (``meta_cloud_async.cli.support_bot``), same sandbox conversation and the same
environment; only the web layer differs: the router's ASGI app is served by FastAPI at
``/webhook`` (as a route next to the application's own routes), and FastAPI's lifespan drains the
router on shutdown so events already acknowledged to Meta are still handled.

    python examples/fastapi_bot.py --sandbox

    CLOUD_API_ACCESS_TOKEN=EAAG... WA_PHONE_NUMBER_ID=1234 \\
    META_APP_SECRET=... META_VERIFY_TOKEN=... python examples/fastapi_bot.py --port 8080

Needs ``pip install fastapi uvicorn``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support_bot import run  # the sibling example: one conversation, one set of settings

from meta_cloud_async.webhooks import WebhookRouter


def create_app(router: WebhookRouter) -> FastAPI:
    """A FastAPI app with the webhook under ``/webhook`` and a health check."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await router.aclose()  # a mounted ASGI app gets no lifespan of its own

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, int]:
        return {"backlog": router.backlog}

    # A plain route, not app.mount(): a mount answers /webhook with a redirect to /webhook/,
    # which Meta does not follow. Starlette runs a non-function endpoint as a raw ASGI app.
    app.router.routes.append(Route("/webhook", router.asgi_app(path=None), methods=["GET", "POST"]))
    return app


@contextlib.asynccontextmanager
async def uvicorn_receiver(router: WebhookRouter, host: str, port: int) -> AsyncIterator[str]:
    """uvicorn serving :func:`create_app` on ``host:port`` (0: a free port); yields the webhook URL."""
    config = uvicorn.Config(create_app(router), host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # the server failed to start: raise its error
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{bound}/webhook"
    finally:
        server.should_exit = True
        await task


if __name__ == "__main__":
    raise SystemExit(run(uvicorn_receiver, None, __doc__))
