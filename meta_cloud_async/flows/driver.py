"""Meta's side of the data-exchange channel: call a Flow endpoint exactly as the WhatsApp client does.

For tests and the sandbox. :class:`MetaFlowClient` encrypts the payload with
the registered public key, signs the raw body with the app secret, POSTs it
(to a URL with aiohttp, or straight into a :class:`FlowEndpoint`), opens the
answer with the flipped IV and, on a 421, fetches the public key again and
retries once, as Meta documents.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Union

import attrs

from .crypto import decrypt_response, encrypt_request
from .endpoint import FlowEndpoint, signature_header

if TYPE_CHECKING:
    import aiohttp

__all__ = ["FlowReply", "MetaFlowClient"]

KeySource = Union[str, bytes, Callable[[], Union[str, bytes, Awaitable[Union[str, bytes]]]]]


@attrs.frozen(kw_only=True)
class FlowReply:
    """What the endpoint answered: ``data`` is the decrypted JSON on a 200, else the plain error body."""

    status: int
    data: dict[str, Any] | None
    body: bytes = attrs.field(repr=False)
    attempts: int = 1


class MetaFlowClient:
    """Drive a Flow endpoint with requests encrypted and signed as Meta sends them.

    ``public_key`` is the PEM registered for the number, or a callable
    returning it (sync or async): called again after a 421, like Meta
    refreshing the key.
    """

    def __init__(self, *, public_key: KeySource, app_secret: str | bytes) -> None:
        self._key_source = public_key
        self._secret = app_secret
        self._key: str | bytes | None = None

    def __repr__(self) -> str:
        return "MetaFlowClient()"

    async def _public_key(self, refresh: bool = False) -> str | bytes:
        if self._key is None or refresh:
            source = self._key_source
            if callable(source):
                value = source()
                self._key = await value if inspect.isawaitable(value) else value
            else:
                self._key = source
        assert self._key is not None
        return self._key

    async def call(
        self,
        target: FlowEndpoint | str,
        payload: Mapping[str, Any],
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> FlowReply:
        """Send ``payload`` (``{"version", "action", "screen", "data", "flow_token"}``) to ``target``."""
        reply = await self._once(target, payload, session, await self._public_key())
        if reply.status == 421:
            reply = await self._once(target, payload, session, await self._public_key(refresh=True))
            reply = attrs.evolve(reply, attempts=2)
        return reply

    async def ping(
        self, target: FlowEndpoint | str, *, session: aiohttp.ClientSession | None = None
    ) -> FlowReply:
        """Meta's health check."""
        return await self.call(target, {"version": "3.0", "action": "ping"}, session=session)

    async def _once(
        self,
        target: FlowEndpoint | str,
        payload: Mapping[str, Any],
        session: aiohttp.ClientSession | None,
        public_key: str | bytes,
    ) -> FlowReply:
        body, aes_key, iv = encrypt_request(public_key, payload)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature_header(self._secret, body),
        }
        if isinstance(target, FlowEndpoint):
            status, _, content = await target.handle("POST", headers, body)
        else:
            status, content = await _post(target, headers, body, session)
        data = decrypt_response(content, aes_key, iv) if status == 200 else _maybe_json(content)
        return FlowReply(status=status, data=data, body=content)


async def _post(
    url: str, headers: dict[str, str], body: bytes, session: aiohttp.ClientSession | None
) -> tuple[int, bytes]:
    import aiohttp

    if session is not None:
        async with session.post(url, data=body, headers=headers) as resp:
            return resp.status, await resp.read()
    async with aiohttp.ClientSession() as own, own.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.read()


def _maybe_json(content: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
