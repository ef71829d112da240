"""The default transport: one pooled aiohttp session.

aiohttp's exceptions are mapped to ours here and nowhere else, most specific
first, each raised ``from`` the original. Cancellation is never caught.
"""

from __future__ import annotations

import asyncio

import aiohttp

from .._http import Request, Response
from ..errors import APIConnectionError, APITimeoutError, ConnectError

__all__ = ["AiohttpTransport"]


class AiohttpTransport:
    """Send requests through an ``aiohttp.ClientSession``.

    Pass ``session`` to share one you own (it is never closed here);
    otherwise a session is created on first use inside the running loop and
    closed by :meth:`aclose`. ``limit`` and ``limit_per_host`` size the pool.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        limit: int = 100,
        limit_per_host: int = 0,
        keepalive_timeout: float = 30.0,
        trust_env: bool = False,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._keepalive_timeout = keepalive_timeout
        self._trust_env = trust_env

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or (session.closed and self._owns_session):
            connector = aiohttp.TCPConnector(
                limit=self._limit, limit_per_host=self._limit_per_host, keepalive_timeout=self._keepalive_timeout
            )
            session = aiohttp.ClientSession(
                connector=connector,
                trust_env=self._trust_env,
                auto_decompress=True,
                skip_auto_headers=("User-Agent",),
            )
            self._session = session
        return session

    async def send(self, request: Request) -> Response:
        session = self._get_session()
        timeout = aiohttp.ClientTimeout(total=request.timeout) if request.timeout is not None else None
        try:
            async with session.request(
                request.method,
                request.url,
                headers=request.headers,
                data=request.content or None,
                timeout=timeout if timeout is not None else aiohttp.ClientTimeout(total=None),
                allow_redirects=False,
            ) as resp:
                content = await resp.read()
                return Response(status_code=resp.status, headers=resp.headers, content=content, request=request)
        except asyncio.TimeoutError as exc:  # aiohttp's ServerTimeoutError subclasses it
            raise APITimeoutError(f"{request.method} timed out") from exc
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(f"could not connect: {type(exc).__name__}") from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
            raise APIConnectionError(f"connection lost: {type(exc).__name__}", request_sent=True) from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(f"transport error: {type(exc).__name__}", request_sent=True) from exc

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
