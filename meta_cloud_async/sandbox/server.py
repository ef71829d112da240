"""The network door: a low-level aiohttp server in front of the same router.

No aiohttp router, middleware or access log: one handler splits the raw
path and calls ``Router.process``, as the in-process door does. Reset faults close the socket with no
answer (before or after the change was applied); slow bodies are written in
chunks with a pause between them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .core import Sandbox

__all__ = ["MAX_BODY", "make_handler", "serve"]

#: The largest request body the door reads (a 100 MB document plus multipart framing).
MAX_BODY = 101 * 1024 * 1024


def make_handler(sandbox: Sandbox) -> web.Server:
    """The low-level aiohttp server for ``sandbox`` (``handler_cancellation``: a dropped client stops its handler)."""
    origins: dict[str, str] = {}

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413)
        parts = bytearray()
        async for chunk in request.content.iter_any():
            parts += chunk
            if len(parts) > MAX_BODY:
                return web.Response(status=413)
        body = bytes(parts)
        del parts
        path, _, query = request.raw_path.partition("?")
        host = request.host
        origin = origins.get(host)
        if origin is None:
            origin = origins[host] = f"{request.scheme}://{host}"
            if len(origins) > 64:
                origins.clear()
        router = sandbox.router
        result = await router.process(
            request.method, path, query, request.headers, body, origin, sandbox.sleep
        )
        if result.reset:
            transport = request.transport
            if transport is not None:
                transport.abort()
            # aiohttp finds the transport closing and writes nothing of this.
            return web.Response(status=500)
        if result.cut_at is not None:
            cut = web.StreamResponse(status=result.status, headers=result.headers)
            cut.content_length = len(result.body)
            await cut.prepare(request)
            await cut.write(result.body[: result.cut_at])
            if request.transport is not None:
                request.transport.abort()
            return cut
        if not result.slow_chunks:
            return web.Response(status=result.status, headers=result.headers, body=result.body)
        response = web.StreamResponse(status=result.status, headers=result.headers)
        response.content_length = len(result.body)
        await response.prepare(request)
        size = -(-len(result.body) // result.slow_chunks) or 1
        for start in range(0, len(result.body), size):
            await sandbox.sleep(result.slow_chunk_delay)
            await response.write(result.body[start : start + size])
        await response.write_eof()
        return response

    return web.Server(handle, access_log=None, handler_cancellation=True)


@contextlib.asynccontextmanager
async def serve(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve until the block exits; yields the base URL (``http://host:port``)."""
    server = make_handler(sandbox)
    runner = web.ServerRunner(server, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024, reuse_address=True)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    try:
        yield f"http://{shown}:{bound_port}"
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await runner.cleanup()
