"""The data-exchange endpoint Meta calls while a user is inside a Flow.

One framework-free core, :meth:`FlowEndpoint.handle` (method, headers, raw
body in; status, headers, body out), and two thin doors over it: an
``aiohttp.web`` application and a plain ASGI callable.

Order of checks, and what Meta is told (its documented codes):

1. not a POST → 405;
2. ``X-Hub-Signature-256`` is not the HMAC-SHA256 of the raw body under the
   **app secret** (compared in constant time) → 432;
3. the body is not Meta's JSON envelope → 400;
4. the envelope does not decrypt with our private key → 421, so the WhatsApp
   client fetches the public key again and retries;
5. the payload is routed: a health check (``action: "ping"``) answers
   ``{"data": {"status": "active"}}``; an error notification (``data.error``)
   goes to the ``on_error`` handler or is acknowledged; anything else goes to
   the handler registered for its action and screen. A handler raising
   :class:`FlowTokenInvalid` answers 427 (the client closes the flow and shows
   the message); no handler, or a handler failing, answers 500.

The answer is encrypted with the request's AES key and the flipped IV and sent
as a base64 text body. Keys and the app secret never reach a log line, repr or
exception message.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

import attrs

from .crypto import DecryptionError, decrypt_request, encrypt_response, load_private_key

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "FlowEndpoint",
    "FlowEndpointError",
    "FlowRequest",
    "FlowTokenInvalid",
    "complete",
    "next_screen",
    "signature_header",
]

logger = logging.getLogger("meta_cloud_async.flows")

Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
HandlerResult = Union[Mapping[str, Any], Awaitable[Mapping[str, Any]]]
Handler = Callable[["FlowRequest"], HandlerResult]
Answer = tuple[int, dict[str, str], bytes]

PING_ANSWER: Mapping[str, Any] = {"data": {"status": "active"}}
ACKNOWLEDGED: Mapping[str, Any] = {"data": {"acknowledged": True}}

STATUS_BAD_SIGNATURE = 432
STATUS_CANNOT_DECRYPT = 421
STATUS_FLOW_TOKEN_INVALID = 427


@attrs.frozen(kw_only=True)
class FlowRequest:
    """One decrypted request: what the Flow sent (``raw`` is the whole payload)."""

    action: str
    version: str | None = None
    screen: str | None = None
    data: dict[str, Any] = attrs.field(factory=dict)
    flow_token: str | None = attrs.field(default=None, repr=False)
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def is_error_notification(self) -> bool:
        """Meta reports a client-side problem with the previous answer (``data.error``)."""
        return "error" in self.data


class FlowEndpointError(Exception):
    """Raise from a handler to answer with ``status`` and ``{"error_msg": message}``."""

    status = 500

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class FlowTokenInvalid(FlowEndpointError):
    """The flow token is expired or already used: 427, the client closes the flow with ``message``."""

    status = STATUS_FLOW_TOKEN_INVALID


def next_screen(screen: str, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The answer that moves the user to ``screen`` with ``data`` for it."""
    return {"screen": screen, "data": dict(data or {})}


def complete(flow_token: str, **params: Any) -> dict[str, Any]:
    """The answer that closes the flow and sends the completion message with ``params``."""
    return {
        "screen": "SUCCESS",
        "data": {"extension_message_response": {"params": {"flow_token": flow_token, **params}}},
    }


def signature_header(app_secret: str | bytes, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body`` (for tests and the sandbox)."""
    secret = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _header(headers: Headers, name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key.lower() == name:
            return value
    return None


def _plain(status: int, message: str) -> Answer:
    return status, {"content-type": "text/plain; charset=utf-8"}, message.encode()


class FlowEndpoint:
    """A Flow data-exchange endpoint: verify, decrypt, route, encrypt.

    ``private_key`` is the PEM of the pair whose public half is registered for
    the number; ``app_secret`` is the Meta app's secret (App settings → Basic),
    **not** the webhook verify token.
    """

    def __init__(
        self,
        *,
        private_key: str | bytes,
        passphrase: str | bytes | None = None,
        app_secret: str | bytes,
        max_body_size: int = 1 << 20,
    ) -> None:
        if not app_secret:
            raise ValueError("app_secret: required; it signs every request Meta sends (X-Hub-Signature-256)")
        self._key = load_private_key(private_key, passphrase)
        self._secret = app_secret.encode() if isinstance(app_secret, str) else bytes(app_secret)
        self.max_body_size = max_body_size
        self._routes: dict[tuple[str, str | None], Handler] = {}
        self._on_error: Handler | None = None
        self._on_ping: Handler | None = None

    def __repr__(self) -> str:
        routes = ", ".join(f"{a}/{s or '*'}" for a, s in self._routes)
        return f"FlowEndpoint(routes=[{routes}])"

    # -- registration ------------------------------------------------------------------

    def on(self, action: str, screen: str | None = None) -> Callable[[Handler], Handler]:
        """Register a handler for ``action`` (``INIT``, ``data_exchange``, ``BACK``) and optional screen.

        A handler for the exact screen wins over one registered without a screen.
        """
        key = (action.lower(), screen)

        def register(handler: Handler) -> Handler:
            if key in self._routes:
                raise ValueError(f"a handler for action={action!r} screen={screen!r} is already registered")
            self._routes[key] = handler
            return handler

        return register

    def on_init(self, handler: Handler) -> Handler:
        """Register the handler of the ``INIT`` action (the Flow was opened); use as a decorator."""
        return self.on("INIT")(handler)

    def on_data_exchange(self, screen: str | None = None) -> Callable[[Handler], Handler]:
        """Register a handler of ``data_exchange`` (a screen submitted data), for one ``screen`` or every screen."""
        return self.on("data_exchange", screen)

    def on_back(self, screen: str | None = None) -> Callable[[Handler], Handler]:
        """Register a handler of the ``BACK`` action, for one ``screen`` or (None) every screen."""
        return self.on("BACK", screen)

    def on_error(self, handler: Handler) -> Handler:
        """Handle Meta's error notifications (default: acknowledge them)."""
        self._on_error = handler
        return handler

    def on_ping(self, handler: Handler) -> Handler:
        """Replace the default health-check answer (``{"data": {"status": "active"}}``)."""
        self._on_ping = handler
        return handler

    # -- the core --------------------------------------------------------------------------

    async def handle(self, method: str, headers: Headers, body: bytes) -> Answer:
        """Answer one HTTP request: ``(status, headers, body)``."""
        if method.upper() != "POST":
            status, out, text = _plain(405, "method not allowed")
            out["allow"] = "POST"
            return status, out, text
        if len(body) > self.max_body_size:
            return _plain(413, "request body too large")
        signature = _header(headers, "x-hub-signature-256")
        expected = signature_header(self._secret, body)
        if signature is None or not hmac.compare_digest(signature.strip().encode(), expected.encode()):
            logger.warning("flow request refused: missing or wrong X-Hub-Signature-256")
            return _plain(STATUS_BAD_SIGNATURE, "invalid signature")
        try:
            envelope = json.loads(body)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            return _plain(400, "the body is not a JSON object")
        try:
            payload, aes_key, iv = decrypt_request(envelope, self._key)
        except DecryptionError as exc:
            logger.warning("flow request cannot be decrypted (%s); answering 421", exc)
            return _plain(STATUS_CANNOT_DECRYPT, "cannot decrypt")
        request = _request(payload)
        try:
            answer = await self._dispatch(request)
        except FlowEndpointError as exc:
            return (
                exc.status,
                {"content-type": "application/json"},
                json.dumps({"error_msg": exc.message}).encode(),
            )
        except _NoHandler:
            logger.warning("no flow handler for action=%r screen=%r", request.action, request.screen)
            return _plain(500, "no handler")
        except Exception:
            logger.exception("flow handler failed for action=%r screen=%r", request.action, request.screen)
            return _plain(500, "handler failed")
        if not isinstance(answer, Mapping):
            logger.error("flow handler returned %s, not a mapping", type(answer).__name__)
            return _plain(500, "handler failed")
        return (
            200,
            {"content-type": "text/plain; charset=utf-8"},
            encrypt_response(answer, aes_key, iv).encode(),
        )

    async def _dispatch(self, request: FlowRequest) -> Mapping[str, Any]:
        action = request.action.lower()
        if action == "ping":
            return await _call(self._on_ping, request) if self._on_ping else PING_ANSWER
        if request.is_error_notification:
            return await _call(self._on_error, request) if self._on_error else ACKNOWLEDGED
        handler = self._routes.get((action, request.screen)) or self._routes.get((action, None))
        if handler is None:
            raise _NoHandler
        return await _call(handler, request)

    # -- doors -----------------------------------------------------------------------------

    def aiohttp_app(self, path: str = "/flow") -> web.Application:
        """An ``aiohttp.web.Application`` serving the endpoint at ``path``."""
        from aiohttp import web

        async def view(request: web.Request) -> web.StreamResponse:
            if request.content_length is not None and request.content_length > self.max_body_size:
                return web.Response(status=413, text="request body too large")
            body = await request.read()
            status, headers, content = await self.handle(request.method, request.headers.items(), body)
            return web.Response(status=status, body=content, headers=headers)

        app = web.Application(client_max_size=self.max_body_size + 1)
        app.router.add_route("*", path, view)
        return app

    def asgi_app(self, path: str = "/flow") -> Callable[..., Awaitable[None]]:
        """A plain ASGI 3 application serving the endpoint at ``path`` (404 elsewhere)."""

        async def app(
            scope: dict[str, Any],
            receive: Callable[[], Awaitable[dict[str, Any]]],
            send: Callable[[dict[str, Any]], Awaitable[None]],
        ) -> None:
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            if scope["type"] != "http":
                return
            if scope.get("path") != path:
                answer = _plain(404, "not found")
            else:
                chunks: list[bytes] = []
                size = 0
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size <= self.max_body_size:
                        chunks.append(chunk)
                    more = bool(message.get("more_body", False))
                if size > self.max_body_size:
                    answer = _plain(413, "request body too large")
                else:
                    headers = [
                        (k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])
                    ]
                    answer = await self.handle(scope["method"], headers, b"".join(chunks))
            status, headers_out, content = answer
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers_out.items()]
                    + [(b"content-length", str(len(content)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": content})

        return app


class _NoHandler(Exception):
    pass


async def _call(handler: Handler | None, request: FlowRequest) -> Mapping[str, Any]:
    assert handler is not None
    result = handler(request)
    if inspect.isawaitable(result):
        result = await result
    return result


def _request(payload: dict[str, Any]) -> FlowRequest:
    data = payload.get("data")
    return FlowRequest(
        action=str(payload.get("action", "")),
        version=payload.get("version") if isinstance(payload.get("version"), str) else None,
        screen=payload.get("screen") if isinstance(payload.get("screen"), str) else None,
        data=data if isinstance(data, dict) else {},
        flow_token=payload.get("flow_token") if isinstance(payload.get("flow_token"), str) else None,
        raw=payload,
    )
