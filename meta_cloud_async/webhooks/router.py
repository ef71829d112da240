"""``WebhookRouter``: verify, parse, dedupe, enqueue, answer; handlers run in the background.

The router works on bytes, a query mapping and headers only, so one core serves aiohttp,
ASGI (uvicorn, Starlette, FastAPI) and anything else through :meth:`WebhookRouter.handle`.

Ack first: a POST is answered as soon as its events are verified, parsed, deduplicated and
queued (or handed to a Redis stream). Handlers run on ``concurrency`` worker tasks; one
handler's failure is logged with the event id and affects nothing else. When more than
``max_queue`` events wait, the POST is answered 503 so Meta redelivers later instead of this
process growing without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import io
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs

from meta_cloud_async.webhooks import events as ev
from meta_cloud_async.webhooks import filters as flt
from meta_cloud_async.webhooks.dedupe import Dedupe, MemoryDedupe
from meta_cloud_async.webhooks.errors import InvalidSignatureError, WebhookPayloadError
from meta_cloud_async.webhooks.parse import parse_webhook
from meta_cloud_async.webhooks.signature import check_signature

if TYPE_CHECKING:
    from aiohttp import web

    from meta_cloud_async.webhooks.adapters import AsgiApp
    from meta_cloud_async.webhooks.streams import RedisStreamHandoff

__all__ = ["WebhookContext", "WebhookResponse", "WebhookRouter"]

logger = logging.getLogger("meta_cloud_async.webhooks")

SIGNATURE_HEADER = "X-Hub-Signature-256"
DEFAULT_MAX_BODY = 4 * 1024 * 1024

E = TypeVar("E", bound=ev.Event)
Handler = Callable[[Any, "WebhookContext"], Awaitable[Any]]
Predicate = Callable[[Any], bool]
HandlerT = TypeVar("HandlerT", bound=Handler)


@attrs.frozen
class WebhookResponse:
    """What to answer Meta: adapters turn this into their framework's response."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


_OK = WebhookResponse(200, b"OK")


class WebhookContext:
    """What a handler gets besides the event: the client bound to the receiving number.

    ``client`` is ``router_client.with_options(phone_number_id=event.phone_number_id)``, so a
    reply always leaves from the number the user wrote to.
    """

    __slots__ = ("_client", "event", "router")

    def __init__(self, event: ev.Event, router: WebhookRouter) -> None:
        self.event = event
        self.router = router
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The client for the event's phone number: the router's, or its ``with_options`` copy for that number."""
        if self._client is None:
            self._client = self.router.client_for(self.event.phone_number_id)
        return self._client

    def _message(self) -> ev.MessageEvent:
        if not isinstance(self.event, ev.MessageEvent):
            raise TypeError(f"this needs a message event, not {type(self.event).__name__}")
        return self.event

    async def reply_text(self, body: str, **kwargs: Any) -> Any:
        """Answer the sender with text, quoting their message."""
        msg = self._message()
        return await self.client.messages.send_text(msg.sender, body, reply_to=msg.id, **kwargs)

    async def react(self, emoji: str) -> Any:
        """React to the message (an empty string removes the reaction)."""
        msg = self._message()
        return await self.client.messages.send_reaction(msg.sender, msg.id, emoji)

    async def mark_as_read(self, typing_indicator: bool = False) -> Any:
        """Mark the inbound message read (blue ticks), with a typing indicator if asked; TypeError on a non-message event."""
        msg = self._message()
        return await self.client.messages.mark_as_read(msg.id, typing_indicator=typing_indicator)

    def _media_id(self) -> str:
        media = self._message().media
        if media is None:
            raise TypeError(f"a {self._message().type} message has no media to download")
        return media.id

    async def download(self, to: Any = None) -> Any:
        """The message's media, hash-checked: written to ``to`` (a path or binary file), or returned as bytes."""
        if to is None:
            buffer = io.BytesIO()
            await self.client.media.download(self._media_id(), to=buffer)
            return buffer.getvalue()
        return await self.client.media.download(self._media_id(), to=to)

    def stream(self) -> Any:
        """The message's media as a stream (``async with ctx.stream() as s``)."""
        return self.client.media.stream(self._media_id())


@attrs.frozen
class _Route:
    event_type: type[Any] | tuple[type[Any], ...]
    filters: tuple[Predicate, ...]
    func: Handler

    def matches(self, event: ev.Event) -> bool:
        if not isinstance(event, self.event_type):
            return False
        return all(f(event) for f in self.filters)


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    if isinstance(headers, Mapping):
        value = headers.get(name)
        if value is None:
            value = headers.get(name.lower())
        if value is None and type(headers) is dict:
            lname = name.lower()
            for k, v in headers.items():
                if k.lower() == lname:
                    return str(v)
        return None if value is None else str(value)
    lname = name.lower()
    for k, v in headers:
        if str(k).lower() == lname:
            return str(v)
    return None


def _query(query: Any, key: str) -> str | None:
    if query is None:
        return None
    if isinstance(query, Mapping):
        v = query.get(key)
        return None if v is None else str(v)
    for k, v in query:
        if k == key:
            return str(v)
    return None


class WebhookRouter:
    """Receive Meta's webhooks: ``@router.on_message(...)``, then mount an adapter.

    Fails closed: without ``app_secret`` it refuses to construct unless
    ``insecure_skip_signature=True`` (for local experiments; logged as a warning).
    """

    def __init__(
        self,
        *,
        app_secret: str | None,
        verify_token: str | None = None,
        client: Any = None,
        dedupe: Dedupe | None = None,
        insecure_skip_signature: bool = False,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        max_queue: int = 10_000,
        concurrency: int = 32,
        handoff: RedisStreamHandoff | None = None,
    ) -> None:
        if app_secret is not None and not isinstance(app_secret, str):
            raise TypeError("app_secret must be a string")
        if not app_secret:
            if not insecure_skip_signature:
                raise ValueError(
                    "app_secret is required: webhook signatures are checked unless "
                    "insecure_skip_signature=True is passed explicitly"
                )
            logger.warning("WebhookRouter: signature checks are OFF (insecure_skip_signature=True)")
        if verify_token is not None and not isinstance(verify_token, str):
            raise TypeError("verify_token must be a string")
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        # Encoded once here rather than on every POST; name-mangled, never in a repr.
        self.__key = app_secret.encode() if app_secret else None
        self.__token = verify_token.encode() if verify_token else None
        self.client = client
        self.dedupe: Dedupe = dedupe if dedupe is not None else MemoryDedupe()
        self.max_body_bytes = max_body_bytes
        self.max_queue = max_queue
        self.concurrency = concurrency
        self.handoff = handoff
        self._routes: list[_Route] = []
        self._bound: dict[str, Any] = {}
        self._queue: asyncio.Queue[ev.Event] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._backlog = 0
        self._closing = False

    def __repr__(self) -> str:
        return (
            f"WebhookRouter(routes={len(self._routes)}, signed={self.__key is not None}, "
            f"backlog={self._backlog})"
        )

    def client_for(self, phone_number_id: str | None) -> Any:
        """The client bound to a receiving number (one light copy per number, reused)."""
        if self.client is None:
            raise RuntimeError("WebhookRouter(client=...) is needed to reply from a handler")
        if not phone_number_id:
            return self.client
        bound = self._bound.get(phone_number_id)
        if bound is None:
            bound = self._bound[phone_number_id] = self.client.with_options(phone_number_id=phone_number_id)
        return bound

    # -- registration ---------------------------------------------------------------------

    def _register(
        self, event_type: type[Any] | tuple[type[Any], ...], filters: Sequence[Predicate]
    ) -> Callable[[HandlerT], HandlerT]:
        for f in filters:
            if not callable(f):
                raise TypeError(f"filters must be callables, got {type(f).__name__}")

        def decorator(func: HandlerT) -> HandlerT:
            if not inspect.iscoroutinefunction(func):
                raise TypeError("webhook handlers must be async functions (event, ctx)")
            self._routes.append(_Route(event_type, tuple(filters), func))
            return cast(HandlerT, func)

        return decorator

    def on(
        self,
        event_type: type[Any] | tuple[type[Any], ...] = ev.Event,
        *filters: Predicate,
        phone_number_id: str | Iterable[str] | None = None,
    ) -> Callable[[HandlerT], HandlerT]:
        """Handle events of ``event_type`` (any event class, or a tuple) passing every filter."""
        types = event_type if isinstance(event_type, tuple) else (event_type,)
        for t in types:
            if not (isinstance(t, type) and issubclass(t, ev.Event)):
                raise TypeError("event_type must be an Event class (or a tuple of them)")
        fs = list(filters)
        if phone_number_id is not None:
            fs.append(flt.phone_number(*_strs(phone_number_id, "phone_number_id")))
        return self._register(event_type, fs)

    def on_message(
        self,
        *filters: Predicate,
        type: str | Iterable[str] | None = None,
        text: str | None = None,
        regex: str | re.Pattern[str] | None = None,
        sender: str | Iterable[str] | None = None,
        phone_number_id: str | Iterable[str] | None = None,
    ) -> Callable[[HandlerT], HandlerT]:
        """Handle inbound messages; keyword shortcuts add the matching filters."""
        fs = list(filters)
        if type is not None:
            fs.append(flt.message_type(*_strs(type, "type")))
        if text is not None:
            fs.append(flt.text(text))
        if regex is not None:
            fs.append(flt.regex(regex))
        if sender is not None:
            fs.append(flt.sender(*_strs(sender, "sender")))
        if phone_number_id is not None:
            fs.append(flt.phone_number(*_strs(phone_number_id, "phone_number_id")))
        return self._register(ev.MessageEvent, fs)

    def on_status(
        self,
        *filters: Predicate,
        status: str | Iterable[str] | None = None,
        recipient: str | Iterable[str] | None = None,
        phone_number_id: str | Iterable[str] | None = None,
    ) -> Callable[[HandlerT], HandlerT]:
        """Handle statuses of sent messages (and call statuses)."""
        fs = list(filters)
        if status is not None:
            fs.append(flt.status(*_strs(status, "status")))
        if recipient is not None:
            wanted = frozenset(_strs(recipient, "recipient"))
            fs.append(flt.Filter(lambda e: e.recipient_id in wanted, "recipient"))
        if phone_number_id is not None:
            fs.append(flt.phone_number(*_strs(phone_number_id, "phone_number_id")))
        return self._register((ev.StatusEvent, ev.CallStatusEvent), fs)

    # -- the request path -----------------------------------------------------------------

    async def handle(self, method: str, query: Any, headers: Any, body: bytes) -> WebhookResponse:
        """Answer one request: GET is the subscription handshake, POST a delivery."""
        method = method.upper()
        if method == "GET":
            return self._handshake(query)
        if method != "POST":
            return WebhookResponse(405, b"method not allowed")
        if len(body) > self.max_body_bytes:
            return WebhookResponse(413, b"payload too large")
        if self.__key is not None:
            try:
                check_signature(body, _header(headers, SIGNATURE_HEADER), self.__key)
            except InvalidSignatureError as exc:
                return WebhookResponse(401 if exc.missing else 403, b"invalid signature")
        try:
            payload = parse_webhook(body)
        except WebhookPayloadError as exc:
            logger.warning("webhook POST rejected: %s", exc)
            return WebhookResponse(400, b"not a webhook")
        return await self.accept(payload.events, body)

    def _handshake(self, query: Any) -> WebhookResponse:
        mode = _query(query, "hub.mode")
        token = _query(query, "hub.verify_token")
        challenge = _query(query, "hub.challenge")
        if (
            self.__token is None
            or mode != "subscribe"
            or token is None
            or challenge is None
            or not hmac.compare_digest(token.encode(), self.__token)
        ):
            return WebhookResponse(403, b"forbidden")
        return WebhookResponse(200, challenge.encode())

    async def accept(self, events: Sequence[ev.Event], body: bytes | None = None) -> WebhookResponse:
        """Dedupe and queue (or hand off) already verified events; the answer for Meta."""
        if self._closing:
            return WebhookResponse(503, b"shutting down")
        if not events:
            return _OK
        if self.handoff is None and self._backlog + len(events) > self.max_queue:
            return WebhookResponse(503, b"busy")
        reserved = len(events) if self.handoff is None else 0
        self._backlog += reserved
        keys = [e.dedupe_key for e in events]
        try:
            fresh = await self.dedupe.claim(keys)
        except Exception:
            self._backlog -= reserved
            logger.exception("webhook dedupe store failed; answering 503 so Meta redelivers")
            return WebhookResponse(503, b"dedupe unavailable")
        picked = [i for i, new in enumerate(fresh) if new]
        if self.handoff is not None:
            if picked:
                try:
                    await self.handoff.publish(body if body is not None else b"", picked)
                except Exception:
                    await _quiet_release(self.dedupe, [keys[i] for i in picked])
                    logger.exception("webhook hand-off failed; answering 503 so Meta redelivers")
                    return WebhookResponse(503, b"hand-off unavailable")
            return _OK
        self._backlog -= len(events) - len(picked)
        if picked:
            queue = self._ensure_workers()
            for i in picked:
                queue.put_nowait(events[i])
        return _OK

    # -- background handling --------------------------------------------------------------

    def _ensure_workers(self) -> asyncio.Queue[ev.Event]:
        if self._queue is None:
            self._queue = asyncio.Queue()
        if not self._workers:
            self._workers = [
                asyncio.ensure_future(self._worker(self._queue)) for _ in range(self.concurrency)
            ]
        return self._queue

    async def _worker(self, queue: asyncio.Queue[ev.Event]) -> None:
        while True:
            event = await queue.get()
            try:
                await self.dispatch(event)
            finally:
                self._backlog -= 1
                queue.task_done()

    async def dispatch(self, event: ev.Event) -> int:
        """Run every matching handler for one event, now; returns how many ran.

        A failing handler is logged with the event id and does not stop the others.
        """
        ran = 0
        for route in self._routes:
            try:
                if not route.matches(event):
                    continue
            except Exception:
                logger.exception("webhook filter failed for event %s", _event_id(event))
                continue
            ran += 1
            try:
                await route.func(event, WebhookContext(event, self))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception(
                    "webhook handler %s failed for event %s",
                    getattr(route.func, "__qualname__", route.func),
                    _event_id(event),
                )
        return ran

    @property
    def backlog(self) -> int:
        """Events accepted but not yet handled."""
        return self._backlog

    async def join(self) -> None:
        """Wait until every accepted event has been handled (the router keeps accepting)."""
        if self._queue is not None:
            await self._queue.join()

    async def aclose(self, timeout: float | None = None) -> None:
        """Stop accepting (503), let queued events finish (up to ``timeout``), stop workers."""
        self._closing = True
        if self._queue is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout)
        workers, self._workers = self._workers, []
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- adapters -------------------------------------------------------------------------

    def aiohttp_app(self, path: str = "/webhook", *, app: web.Application | None = None) -> web.Application:
        """An ``aiohttp.web.Application`` serving GET and POST on ``path``.

        Pass ``app=`` to add the routes to an existing application instead; either way the
        router is drained on the application's cleanup.
        """
        from meta_cloud_async.webhooks.adapters import aiohttp_app

        return aiohttp_app(self, path, app=app)

    def asgi_app(self, path: str | None = "/webhook") -> AsgiApp:
        """A plain ASGI application (uvicorn; or ``app.mount(...)`` in Starlette/FastAPI).

        ``path=None`` answers on every path (useful under a mount).
        """
        from meta_cloud_async.webhooks.adapters import AsgiApp

        return AsgiApp(self, path)


def _strs(value: str | Iterable[str], name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    out = tuple(value)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"{name} must be a string or an iterable of strings")
    return out


def _event_id(event: ev.Event) -> str:
    eid = getattr(event, "id", None)
    return eid if isinstance(eid, str) else event.dedupe_key


async def _quiet_release(dedupe: Dedupe, keys: list[str]) -> None:
    try:
        await dedupe.release(keys)
    except Exception:
        logger.exception("webhook dedupe release failed")
