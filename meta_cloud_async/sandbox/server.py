"""The network door: a low-level aiohttp server in front of the same router.

No aiohttp router, middleware or access log: one handler splits the raw
path and calls ``Router.process``, as the in-process door does. Reset faults close the socket with no
answer (before or after the change was applied); slow bodies are written in
chunks with a pause between them.

Built to be exposed: a client gets ``header_timeout`` seconds to deliver a
request's headers (the connection is closed otherwise; aiohttp's idle timer
also covers a request that never completes) and ``body_timeout`` seconds for
its body (408). A body that cannot be decoded (bad ``Content-Encoding``) or
is too large is a Graph error envelope, not aiohttp's plain text. aiohttp's
own error log lines ("Error handling request") keep only the exception type:
their text can quote the first bytes of an over-long ``Authorization``
header, that is, a token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._checks import check_number
from .envelope import GraphError, render_error

if TYPE_CHECKING:
    from .core import Sandbox

__all__ = ["DEFAULT_BODY_TIMEOUT", "DEFAULT_HEADER_TIMEOUT", "MAX_BODY", "make_handler", "serve"]

#: Longer than a client's usual keep-alive (aiohttp's 15 s, ours 30 s), so a pooled connection
#: is dropped by the client first and never races a request against the server's close.
DEFAULT_HEADER_TIMEOUT = 60.0
DEFAULT_BODY_TIMEOUT = 30.0
#: Content encodings aiohttp decodes for us; anything else is refused, not parsed as JSON.
_ENCODINGS = frozenset({"", "identity", "gzip", "deflate", "x-gzip"})
_JSON = "application/json; charset=UTF-8"
#: The largest request body the door reads (a 100 MB document plus multipart framing).
MAX_BODY = 101 * 1024 * 1024


class _TypeOnlyLogger(logging.Logger):
    """``aiohttp.server`` records with the exception's type in place of its text and traceback.

    aiohttp logs a header it could not parse by quoting its first bytes;
    for ``Authorization`` that is a bearer token. Records keep their name, so
    handlers and levels configured for ``aiohttp.server`` still apply.
    """

    def makeRecord(
        self,
        name: str,
        level: int,
        fn: str,
        lno: int,
        msg: object,
        args: Any,
        exc_info: Any,
        func: str | None = None,
        extra: Any = None,
        sinfo: str | None = None,
    ) -> logging.LogRecord:
        if exc_info:
            if exc_info is True:
                exc_info = sys.exc_info()
            exc = exc_info if isinstance(exc_info, BaseException) else exc_info[1]
            if exc is not None:
                msg = f"{msg} ({type(exc).__name__}; details withheld, they may quote request headers)"
        return super().makeRecord(name, level, fn, lno, msg, args, None, func, extra, None)

    def isEnabledFor(self, level: int) -> bool:
        # Not registered with the logging manager, so its level cache would never be cleared.
        return not self.manager.disable >= level and level >= self.getEffectiveLevel()


def _server_logger() -> logging.Logger:
    logger = _TypeOnlyLogger("aiohttp.server")
    logger.parent = logging.getLogger("aiohttp.server")
    return logger


def _envelope(error: GraphError) -> web.Response:
    response = web.Response(
        status=error.status, body=render_error(error, "ASbxServer"), headers={"content-type": _JSON}
    )
    response.force_close()  # the request's body was not read to its end: the connection is unusable
    return response


async def _read_bounded(request: web.BaseRequest, limit: int) -> bytes:
    """The body up to ``limit`` bytes (aiohttp's ``read()`` stops at 1 MiB; media uploads are larger)."""
    # Read up to one byte past the cap before refusing, so a body just over it is answered
    # rather than reset mid-upload; a far larger one stops being read at the cap.
    parts = bytearray()
    async for chunk in request.content.iter_any():
        parts += chunk
        if len(parts) > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(parts))
    return bytes(parts)


async def _read_body(request: web.BaseRequest, body_timeout: float, limit: int) -> bytes | web.Response:
    """The decoded body, or the Graph error to answer instead."""
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in _ENCODINGS:
        return _envelope(
            GraphError.invalid_parameter("Unsupported Content-Encoding; send identity, gzip or deflate.")
        )
    try:
        return await asyncio.wait_for(_read_bounded(request, limit), body_timeout)
    except asyncio.TimeoutError:
        return _envelope(
            GraphError(408, 100, f"(#100) The request body did not arrive within {body_timeout:g} s")
        )
    except web.HTTPRequestEntityTooLarge:
        return _envelope(GraphError(413, 100, "(#100) The request body is too large"))
    except Exception:  # a body aiohttp could not decode (ContentEncodingError, cut short, ...)
        return _envelope(GraphError.invalid_parameter("The request body could not be decoded."))


def make_handler(
    sandbox: Sandbox,
    *,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    max_body: int = MAX_BODY,
) -> web.Server:
    """The low-level aiohttp server for ``sandbox`` (``handler_cancellation``: a dropped client stops its handler)."""
    for name, value in (("header_timeout", header_timeout), ("body_timeout", body_timeout)):
        check_number(name, value, minimum=0, exclusive=True)
    origins: dict[str, str] = {}

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        body = await _read_body(request, body_timeout, max_body)
        if isinstance(body, web.Response):
            return body
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

    # aiohttp's idle timer runs from the connection's start (and from each answer) until a
    # request's headers are complete: with it set to header_timeout, a client dribbling
    # headers (or sending none) is cut off then.
    return web.Server(
        handle,
        access_log=None,
        handler_cancellation=True,
        keepalive_timeout=header_timeout,
        lingering_time=0,  # a body we refused is not drained (nor its decoding error logged): just close
        logger=_server_logger(),
    )


@contextlib.asynccontextmanager
async def serve(
    sandbox: Sandbox,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    max_body: int = MAX_BODY,
) -> AsyncIterator[str]:
    """Serve until the block exits; yields the base URL (``http://host:port``)."""
    server = make_handler(
        sandbox, header_timeout=header_timeout, body_timeout=body_timeout, max_body=max_body
    )
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
