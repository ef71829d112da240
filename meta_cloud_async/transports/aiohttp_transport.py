"""The default transport: one pooled aiohttp session.

aiohttp's exceptions are mapped to ours here and nowhere else, most specific
first, each raised ``from`` the original where that is safe:

- no connection (refused, DNS, TLS handshake, proxy, connect timeout):
  :class:`ConnectError`, the request certainly never left;
- a timeout after the connection was made: :class:`APITimeoutError`;
- a connection lost or a body cut short: ``APIConnectionError(request_sent=True)``;
- a malformed URL stays a ``ValueError`` (a programming error, not the network's).

The original is chained as ``__cause__`` unless the URL's query holds a
secret (see ``_mapping.safe_cause``).

Bodies are read in chunks (decompressed as they arrive) and reading stops
once more than ``max_response_bytes`` arrived: :class:`ResponseTooLargeError`,
the connection closed, so a gzip bomb is never inflated in full.

:class:`asyncio.CancelledError` is never caught.
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp

from .._checks import check_int
from .._http import MAX_ERROR_BODY, HeaderView, Request, Response, open_content
from ..errors import APIConnectionError, APITimeoutError, ConnectError, ResponseTooLargeError
from ._mapping import safe_cause
from .base import DEFAULT_MAX_RESPONSE_BYTES

__all__ = ["AiohttpTransport"]

# aiohttp >= 3.10 tells a connect timeout apart from a read timeout.
_ConnectTimeout: type[BaseException] = getattr(
    aiohttp, "ConnectionTimeoutError", aiohttp.ClientConnectorError
)
# aiohttp >= 3.10 raises NonHttpUrlClientError (not an InvalidURL) for an ftp:// or relative URL.
_BAD_URL: tuple[type[BaseException], ...] = (
    aiohttp.InvalidURL,
    getattr(aiohttp, "NonHttpUrlClientError", aiohttp.InvalidURL),
)
_NO_TIMEOUT = aiohttp.ClientTimeout(total=None)
# aiohttp writes a bytes body in one go (and warns past 1 MiB); a BytesIO is written in chunks.
_LARGE_BODY = 1 << 20


def _payload(content: Any) -> Any:
    """What aiohttp is handed for one attempt's body (plain bytes, every JSON call, pass as they are)."""
    if type(content) is not bytes:
        content = open_content(content)
    if isinstance(content, bytes) and len(content) > _LARGE_BODY:
        return io.BytesIO(content)
    return content or None


@functools.lru_cache(maxsize=32)
def _timeout_for(seconds: float | None) -> aiohttp.ClientTimeout:
    """One ``ClientTimeout`` per distinct value, not one per request."""
    return _NO_TIMEOUT if seconds is None else aiohttp.ClientTimeout(total=seconds)


def _map_error(exc: BaseException, method: str) -> Exception:
    """Our error for an aiohttp (or socket) failure, most specific match first."""
    name = type(exc).__name__
    if isinstance(exc, _BAD_URL):
        return ValueError(f"{method} request has an invalid URL ({name})")
    if isinstance(exc, _ConnectTimeout):
        return ConnectError(f"{method} could not connect in time")
    if isinstance(exc, asyncio.TimeoutError):  # ServerTimeoutError subclasses it
        return APITimeoutError(f"{method} timed out")
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ClientHttpProxyError)):
        return ConnectError(f"{method} could not connect: {name}")
    if isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)):
        return APIConnectionError(f"{method} connection lost: {name}", request_sent=True)
    return APIConnectionError(f"{method} transport error: {name}", request_sent=True)


def _too_large(status: int, cap: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"HTTP {status} response body exceeds max_response_bytes={cap}; not read further", http_status=status
    )


class AiohttpTransport:
    """Send requests through one ``aiohttp.ClientSession`` and its connection pool.

    Pass ``session`` to share one you own: it is used as is and never closed
    here. Otherwise a session is created on first use, inside the running loop
    (aiohttp binds a session to its loop), and closed by :meth:`aclose`.
    ``limit`` and ``limit_per_host`` size the pool (0 means unlimited);
    idle connections are kept for ``keepalive_timeout`` seconds. A body larger
    than ``max_response_bytes`` (after decompression) is not read past the cap.
    Use one transport within one event loop.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 30.0,
        ttl_dns_cache: int | None = 300,
        trust_env: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        self.max_response_bytes = max_response_bytes
        if limit < 0 or limit_per_host < 0:
            raise ValueError("limit and limit_per_host must be >= 0 (0 means unlimited)")
        if keepalive_timeout < 0:
            raise ValueError("keepalive_timeout must be >= 0")
        self._session = session
        self._owns_session = session is None
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive_timeout = keepalive_timeout
        self._ttl_dns_cache = ttl_dns_cache
        self._trust_env = trust_env

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use; None before the first request of an owned session and after ``aclose``."""
        return self._session

    def _get_session(self) -> aiohttp.ClientSession:
        # An owned session is made on first use, and anew after aclose (which forgets it). One a
        # caller closes behind our back is aiohttp's RuntimeError, not silently replaced: asking
        # aiohttp's ``closed`` property on every request costs two frames.
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                limit_per_host=self._limit_per_host,
                keepalive_timeout=self._keepalive_timeout,
                ttl_dns_cache=self._ttl_dns_cache,
            )
            # No skip_auto_headers: the client always sends its own user-agent, and
            # skipping sends every request down aiohttp's slower header-merging path.
            session = aiohttp.ClientSession(connector=connector, trust_env=self._trust_env)
            self._session = session
        return session

    async def send(self, request: Request) -> Response:
        """Send ``request`` on the shared aiohttp session (made on first use); aiohttp's errors are mapped to ours."""
        session = self._get_session()
        timeout = _timeout_for(request.timeout)
        content = _payload(request.content)
        if request.stream:
            return await self._send_streamed(session, request, content, timeout)
        try:
            async with session.request(
                request.method,
                request.url,
                headers=request.headers,
                data=content,
                timeout=timeout,
                allow_redirects=False,
            ) as resp:
                body = await self._read(resp)
                return Response._received(resp.status, HeaderView(resp.headers), body, request)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise _map_error(exc, request.method) from safe_cause(exc, request.url)

    def _read(self, resp: aiohttp.ClientResponse) -> Awaitable[bytes]:
        # A plain function: the common Graph answer is aiohttp's own read, with no frame of ours.
        cap = self.max_response_bytes
        declared = resp.content_length
        if declared is not None and "content-encoding" not in resp.headers:
            # The body is exactly ``declared`` bytes: refuse it unread, or read it in one go
            # (the common Graph answer, and as fast as before the cap existed).
            if declared > cap:
                resp.close()
                raise _too_large(resp.status, cap)
            return resp.read()
        return self._read_chunks(resp, cap)

    async def _read_chunks(self, resp: aiohttp.ClientResponse, cap: int) -> bytes:
        """A body of unknown size (chunked or compressed), read up to ``cap``."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > cap:
                resp.close()  # drop the connection: the rest is never read
                raise _too_large(resp.status, cap)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _send_streamed(
        self,
        session: aiohttp.ClientSession,
        request: Request,
        content: object,
        timeout: aiohttp.ClientTimeout,
    ) -> Response:
        resp: aiohttp.ClientResponse | None = None
        try:
            resp = await session.request(
                request.method,
                request.url,
                headers=request.headers,
                data=content,
                timeout=timeout,
                allow_redirects=False,
            )
            if resp.status >= 300:
                parts = bytearray()
                while len(parts) < MAX_ERROR_BODY:
                    chunk = await resp.content.read(MAX_ERROR_BODY - len(parts))
                    if not chunk:
                        break
                    parts += chunk
                body = bytes(parts)
                if resp.content.at_eof():
                    resp.release()
                else:
                    resp.close()
                return Response(
                    status_code=resp.status, headers=HeaderView(resp.headers), content=body, request=request
                )
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            if resp is not None:
                resp.close()
            raise _map_error(exc, request.method) from safe_cause(exc, request.url)
        except BaseException:  # cancelled while reading an error body: drop the connection
            if resp is not None:
                resp.close()
            raise
        return Response(
            status_code=resp.status,
            headers=HeaderView(resp.headers),
            request=request,
            stream=_AiohttpStream(resp, request),
        )

    async def aclose(self) -> None:
        """Close the session if this transport created it; a session passed in is left open."""
        session = self._session
        if self._owns_session and session is not None:
            self._session = None
            if not session.closed:
                await session.close()


class _AiohttpStream:
    """A streamed aiohttp body: chunks as they arrive, the connection released at the end.

    Closed before the end (a break, an error, a cancellation), the connection is
    dropped, not returned to the pool: its unread rest must never reach the next request.
    """

    def __init__(self, resp: aiohttp.ClientResponse, request: Request) -> None:
        self._resp = resp
        self._request = request
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        resp = self._resp
        try:
            # Each piece as it was received, never joined with the next: joining (what
            # iter_any and iter_chunked do) copies every byte once more on the loop.
            async for chunk, _ in resp.content.iter_chunks():
                if chunk:
                    yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            await self.aclose()
            raise _map_error(exc, self._request.method) from safe_cause(exc, self._request.url)
        if resp.content.at_eof() and not self._closed:
            self._closed = True
            resp.release()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._resp.content.at_eof():
            self._resp.release()
        else:
            self._resp.close()
