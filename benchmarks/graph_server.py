"""A minimal Graph-shaped HTTP server, run as its own process by the benchmark runner.

It answers ``POST /{version}/{id}`` and ``POST /{version}/{id}/register`` with
``{"success": true}`` after reading the body, and 404 for anything else. It
does as little as it can, so that the client is what the benchmark measures;
it lives in a separate process so its CPU never lands in the client's
``getrusage`` figures.

Run: ``python -m benchmarks.graph_server [--port 0]``. The first line on
stdout is the base URL; the server stops on SIGTERM/SIGINT or when stdin
closes (so it never outlives a crashed runner).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import signal
import socket
import sys
import threading
from typing import Any

from aiohttp import web

__all__ = ["build_app", "main", "run_on"]

_BODY = b'{"success":true}'
_SENT = (
    b'{"messaging_product":"whatsapp","contacts":[{"input":"15551234567","wa_id":"15551234567"}],'
    b'"messages":[{"id":"wamid.HBgLMTU1NTEyMzQ1NjcVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}'
)
_JSON = "application/json"


def _is_graph_id(segment: str) -> bool:
    return segment.isdigit()


async def _handle(request: web.BaseRequest) -> web.Response:
    """Route by hand: a router and per-route handlers would cost the server CPU for nothing."""
    if request.method != "POST":
        return web.Response(status=405, body=b'{"error":{"message":"method","code":100}}', content_type=_JSON)
    await request.read()
    parts = request.path.strip("/").split("/")
    if len(parts) == 3 and parts[2] == "messages" and _is_graph_id(parts[1]):
        return web.Response(body=_SENT, content_type=_JSON)
    ok = (len(parts) == 2 or (len(parts) == 3 and parts[2] == "register")) and _is_graph_id(parts[1])
    if not ok:
        return web.Response(
            status=404, body=b'{"error":{"message":"unknown path","code":100}}', content_type=_JSON
        )
    return web.Response(body=_BODY, content_type=_JSON)


def build_app() -> web.Server:
    """The low-level aiohttp server (no router, no middleware, no access log)."""
    return web.Server(_handle, access_log=None)


async def _serve(host: str, port: int) -> None:
    server = build_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(server, sock=sock, backlog=1024)
    bound = sock.getsockname()
    print(f"http://{bound[0]}:{bound[1]}", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    # Stop when the parent goes away: its end of our stdin closes.
    def watch_stdin() -> None:
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    await stop.wait()
    srv.close()
    await srv.wait_closed()
    await server.shutdown(timeout=1.0)


def run_on(loop: str, coro: Any) -> Any:
    """Run ``coro`` on asyncio's default loop or on uvloop (the ``bench`` extra, imported only then,
    so nothing else needs it to type-check or run)."""
    if loop == "uvloop":
        return importlib.import_module("uvloop").run(coro)
    return asyncio.run(coro)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio", help="event loop")
    args = parser.parse_args(argv)
    run_on(args.loop, _serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
