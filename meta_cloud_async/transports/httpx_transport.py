"""An optional transport on ``httpx.AsyncClient`` (``pip install 'meta-cloud-async[httpx]'``).

httpx's exceptions are mapped to ours here and nowhere else, most specific
first, chained ``from`` the original unless the URL's query holds a secret:

- ``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``, ``ProxyError``:
  :class:`ConnectError` (nothing was sent);
- any other ``TimeoutException``: :class:`APITimeoutError`;
- ``RemoteProtocolError``, ``ReadError``, ``WriteError`` and any other
  transport or decoding failure: ``APIConnectionError(request_sent=True)``;
- ``UnsupportedProtocol`` and ``InvalidURL``: ``ValueError`` (programming errors).

Bodies are streamed (decoded as they arrive) and reading stops once more
than ``max_response_bytes`` arrived: :class:`ResponseTooLargeError`.

:class:`asyncio.CancelledError` is never caught.
"""

from __future__ import annotations

try:
    import httpx
except ImportError as exc:  # pragma: no cover - exercised by a test that hides httpx
    raise ImportError(
        "HttpxTransport needs httpx, an optional extra: pip install 'meta-cloud-async[httpx]'"
    ) from exc

from collections.abc import AsyncIterator

from .._checks import check_int
from .._http import MAX_ERROR_BODY, HeaderView, Request, Response, open_content
from ..errors import APIConnectionError, APITimeoutError, ConnectError, ResponseTooLargeError
from ._mapping import safe_cause
from .base import DEFAULT_MAX_RESPONSE_BYTES

__all__ = ["HttpxTransport"]

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0)


def _map_error(exc: Exception, method: str) -> Exception:
    """Our error for an httpx failure, most specific match first."""
    name = type(exc).__name__
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return ValueError(f"{method} request has an invalid URL ({name})")
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ConnectError(f"{method} could not connect in time ({name})")
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{method} timed out ({name})")
    if isinstance(exc, (httpx.ConnectError, httpx.ProxyError)):
        return ConnectError(f"{method} could not connect: {name}")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        return APIConnectionError(f"{method} connection lost: {name}", request_sent=True)
    return APIConnectionError(f"{method} transport error: {name}", request_sent=True)


class HttpxTransport:
    """Send requests through one ``httpx.AsyncClient`` and its connection pool.

    Pass ``client`` to share one you own: it is used as is (its own limits,
    proxies, HTTP/2 setting) and never closed here. Otherwise a client is
    created on first use, inside the running loop, with ``limits`` (default:
    100 connections, 20 kept alive for 30 s) and closed by :meth:`aclose`.
    Redirects are never followed; each request's ``timeout`` applies to
    connect, read, write and pool waits alike (None: no timeout). A body
    larger than ``max_response_bytes`` (after decoding) is not read past the cap.
    """

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        limits: httpx.Limits = DEFAULT_LIMITS,
        http2: bool = False,
        trust_env: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        self.max_response_bytes = max_response_bytes
        self._client = client
        self._owns_client = client is None
        self._limits = limits
        self._http2 = http2
        self._trust_env = trust_env

    @property
    def client(self) -> httpx.AsyncClient | None:
        """The client in use, or None before the first request of an owned client."""
        return self._client

    def _get_client(self) -> httpx.AsyncClient:
        client = self._client
        if client is None or (self._owns_client and client.is_closed):
            client = httpx.AsyncClient(
                limits=self._limits, http2=self._http2, trust_env=self._trust_env, follow_redirects=False
            )
            self._client = client
        return client

    async def send(self, request: Request) -> Response:
        """Send ``request`` on the httpx client (made on first use); httpx's errors are mapped to ours."""
        client = self._get_client()
        content = open_content(request.content)
        try:
            built = client.build_request(
                request.method,
                request.url,
                headers=request.headers,
                content=content or None,
                timeout=request.timeout,
            )
            resp = await client.send(built, follow_redirects=False, stream=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _map_error(exc, request.method) from safe_cause(exc, request.url)
        if not request.stream:
            try:
                content = await self._read(resp)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise _map_error(exc, request.method) from safe_cause(exc, request.url)
            finally:
                await resp.aclose()
            return Response._received(resp.status_code, HeaderView(resp.headers), content, request)
        if resp.status_code >= 300:
            body = bytearray()
            try:
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) >= MAX_ERROR_BODY:
                        break
            except httpx.HTTPError as exc:
                raise _map_error(exc, request.method) from safe_cause(exc, request.url)
            finally:
                await resp.aclose()
            return Response(
                status_code=resp.status_code,
                headers=HeaderView(resp.headers),
                content=bytes(body),
                request=request,
            )
        return Response(
            status_code=resp.status_code,
            headers=HeaderView(resp.headers),
            request=request,
            stream=_HttpxStream(resp, request),
        )

    async def _read(self, resp: httpx.Response) -> bytes:
        cap = self.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise ResponseTooLargeError(
                    f"HTTP {resp.status_code} response body exceeds max_response_bytes={cap}; "
                    "not read further",
                    http_status=resp.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        """Close the client if this transport created it; a client passed in is left open."""
        client = self._client
        if self._owns_client and client is not None and not client.is_closed:
            await client.aclose()


class _HttpxStream:
    """A streamed httpx body; :meth:`aclose` releases (or drops) its connection."""

    def __init__(self, resp: httpx.Response, request: Request) -> None:
        self._resp = resp
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.aiter_raw():
                yield chunk
        except httpx.HTTPError as exc:
            await self._resp.aclose()
            raise _map_error(exc, self._request.method) from safe_cause(exc, self._request.url)

    async def aclose(self) -> None:
        await self._resp.aclose()
