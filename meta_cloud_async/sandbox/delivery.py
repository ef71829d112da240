"""The sandbox calls your backend back: signed webhook POSTs, delivered the way Meta delivers them.

What is delivered: every inbound message injected through ``Sandbox.inbound`` or
``POST /_sandbox/inbound`` (field ``messages``, with ``contacts`` and ``messages``), every
status transition of a message sent through the sandbox (``sent``, ``delivered``, ``read``,
``failed`` with 131026; field ``messages``, with ``statuses``), and template events when the
sandbox's business carries a templates state with ``events(now)``.

The payload is built here from Meta's documented envelope, on purpose independent of the
client's parser (``meta_cloud_async.webhooks``): a receiver test against the sandbox then
checks the parser too. Bodies are compact JSON with non-ASCII escaped as ``\\uXXXX``, as Meta
sends them, and ``X-Hub-Signature-256`` is the HMAC-SHA256 of those exact bytes.

Meta's behaviour is reproduced from :class:`~.faults.WebhookFaults`, seeded: items batched
into one POST (entries by WABA x changes by number x items), duplicated POSTs, items out of
order, and retries with doubling backoff while the receiver answers non-2xx, times out or
cannot be reached. Every wait (status progression, backoff) runs on the sandbox's clock and
sleep, so on a ``VirtualClock`` a day of retries takes no time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
import attrs

from .clock import VirtualClock
from .faults import WebhookFaults
from .messaging import InboundRecord, StatusEvent

if TYPE_CHECKING:
    from .core import Sandbox

__all__ = ["WebhookDeliverer", "WebhookStats"]

logger = logging.getLogger("meta_cloud_async.sandbox.webhooks")

#: Unix time of virtual second 0: webhook timestamps on a ``VirtualClock`` are reproducible.
VIRTUAL_EPOCH = 1_750_000_000.0
_ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
_CONVERSATION_WINDOW = 24 * 3600.0


@attrs.frozen(kw_only=True)
class WebhookStats:
    """Counters of one deliverer (since its sandbox was built or reset)."""

    delivered: int = 0  # POSTs the receiver answered 2xx (duplicates included)
    items_delivered: int = 0  # messages, statuses and events in those POSTs (duplicates excluded)
    attempts: int = 0  # every POST sent, retries and duplicates included
    retried: int = 0  # attempts after a POST's first
    failed_attempts: int = 0  # non-2xx answers, timeouts, connection errors
    duplicates_sent: int = 0  # extra copies of delivered POSTs (the ``duplicate`` knob)
    given_up: int = 0  # POSTs dropped after ``retry_for``
    pending: int = 0  # POSTs waiting for their first try or a retry
    last_http_status: int | None = None  # the receiver's last answer (None: no answer)


@attrs.frozen
class _Item:
    """One thing to deliver: a message or status of a number, or a whole change value of a WABA."""

    waba_id: str
    phone_number_id: str | None  # None: a WABA-level field (templates)
    field: str
    kind: str  # "messages" | "statuses" | "value"
    obj: Mapping[str, Any]
    contact: Mapping[str, Any] | None = None
    at: float = 0.0


class _Post:
    __slots__ = ("attempts", "body", "duplicate", "first_at", "items")

    def __init__(self, body: bytes, items: int, now: float, duplicate: bool = False) -> None:
        self.body = body
        self.items = items
        self.first_at = now
        self.attempts = 0
        self.duplicate = duplicate


class WebhookDeliverer:
    """Collects what the sandbox's state produced and POSTs it to ``url``; one per sandbox.

    ``flush()`` delivers everything due now (waiting out retries on the sandbox clock);
    ``run()`` is the background loop ``Sandbox.webhooks()`` and ``Sandbox.serve()`` start. The
    app secret is kept only as the HMAC key and appears in no repr, log line or error.
    """

    def __init__(self, sandbox: Sandbox, url: str, app_secret: str, faults: WebhookFaults, seed: int) -> None:
        self._sandbox = sandbox
        self.url = url
        self._shown_url = url.split("?", 1)[0]  # a query string may carry a token: never logged
        self.__key = app_secret.encode()
        self.faults = faults
        self._seed = seed
        clock = sandbox.clock
        self._epoch = VIRTUAL_EPOCH if isinstance(clock, VirtualClock) else time.time() - clock()
        self._session: aiohttp.ClientSession | None = None
        self._lock: asyncio.Lock | None = None
        self._wake: asyncio.Event | None = None
        self.reset()

    def reset(self) -> None:
        """Forget queued POSTs and counters; re-seed (``Sandbox.reset`` calls this)."""
        self._rng = random.Random(self._seed ^ 0x5EB400C)
        self._queue: list[tuple[float, int, _Post]] = []
        self._seq = itertools.count()
        self._conversations: dict[tuple[str, str, str], tuple[str, float]] = {}
        self._counts: dict[str, int] = dict.fromkeys(
            (
                "delivered",
                "items_delivered",
                "attempts",
                "retried",
                "failed_attempts",
                "duplicates_sent",
                "given_up",
            ),
            0,
        )
        self._last_status: int | None = None
        messaging = self._sandbox.router.business.messaging
        if self.poke not in messaging.listeners:
            messaging.listeners.append(self.poke)

    def __repr__(self) -> str:
        return f"WebhookDeliverer(url={self._shown_url!r}, pending={len(self._queue)})"

    # -- counters --------------------------------------------------------------------------

    def stats(self) -> WebhookStats:
        return WebhookStats(**self._counts, pending=len(self._queue), last_http_status=self._last_status)

    def poke(self) -> None:
        """Something new happened (a send, an inbound message): wake the background loop."""
        if self._wake is not None:
            self._wake.set()

    # -- building payloads -------------------------------------------------------------------

    def _ts(self, at: float) -> str:
        return str(int(self._epoch + at))

    def _phone(self, phone_number_id: str) -> tuple[str, str]:
        """(WABA id, display number as digits) of a number of this sandbox."""
        phone = self._sandbox.router.business.phones[phone_number_id]
        digits = "".join(c for c in phone.display_phone_number if c.isdigit())
        return phone.waba_id, digits

    def _inbound_item(self, record: InboundRecord) -> _Item | None:
        if record.phone_number_id not in self._sandbox.router.business.phones:
            return None
        waba_id, _ = self._phone(record.phone_number_id)
        message: dict[str, Any] = {
            "from": record.from_,
            "id": record.id,
            "timestamp": self._ts(record.timestamp),
            "type": record.type,
            record.type: dict(record.payload),
        }
        if record.reply_to is not None:
            _, display = self._phone(record.phone_number_id)
            message["context"] = {"from": display, "id": record.reply_to}
        contact = {"profile": {"name": record.name}, "wa_id": record.from_}
        return _Item(
            waba_id, record.phone_number_id, "messages", "messages", message, contact, record.timestamp
        )

    def _conversation(self, event: StatusEvent) -> dict[str, Any]:
        key = (event.phone_number_id, event.recipient_id, event.category)
        known = self._conversations.get(key)
        if known is None or event.timestamp >= known[1]:
            seed = f"{self._seed}:{key}:{event.timestamp}".encode()
            known = (hashlib.sha256(seed).hexdigest()[:32], event.timestamp + _CONVERSATION_WINDOW)
            self._conversations[key] = known
        conversation: dict[str, Any] = {"id": known[0], "origin": {"type": event.category}}
        if event.status == "sent":
            conversation["expiration_timestamp"] = self._ts(known[1])
        return conversation

    def _status_item(self, event: StatusEvent) -> _Item | None:
        if event.phone_number_id not in self._sandbox.router.business.phones:
            return None
        waba_id, _ = self._phone(event.phone_number_id)
        status: dict[str, Any] = {
            "id": event.message_id,
            "status": event.status,
            "timestamp": self._ts(event.timestamp),
            "recipient_id": event.recipient_id,
        }
        if event.status in ("sent", "delivered"):
            free = event.category == "service" or (event.in_window and event.category == "utility")
            status["conversation"] = self._conversation(event)
            status["pricing"] = {
                "billable": not free,
                "pricing_model": "PMP",
                "category": event.category,
                "type": "free_customer_service" if free else "regular",
            }
        if event.callback_data is not None:
            status["biz_opaque_callback_data"] = event.callback_data
        if event.error is not None:
            code, title = event.error
            status["errors"] = [
                {
                    "code": code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": "Message Undeliverable."},
                    "href": _ERROR_HREF,
                }
            ]
        return _Item(waba_id, event.phone_number_id, "messages", "statuses", status, None, event.timestamp)

    def _build(self, items: list[_Item]) -> bytes:
        """Meta's envelope: one entry per WABA, one change per (number, field, kind), items in order."""
        entries: dict[str, dict[str, Any]] = {}
        changes: dict[tuple[str, str | None, str, str], dict[str, Any]] = {}
        for item in items:
            entry = entries.get(item.waba_id)
            if entry is None:
                entry = entries[item.waba_id] = {"id": item.waba_id, "changes": []}
            if item.kind == "value":
                entry.setdefault("time", int(self._epoch + item.at))
                entry["changes"].append({"value": dict(item.obj), "field": item.field})
                continue
            key = (item.waba_id, item.phone_number_id, item.field, item.kind)
            value = changes.get(key)
            if value is None:
                assert item.phone_number_id is not None
                _, display = self._phone(item.phone_number_id)
                value = {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": display, "phone_number_id": item.phone_number_id},
                }
                if item.kind == "messages":
                    value["contacts"] = []
                value[item.kind] = []
                changes[key] = value
                entry["changes"].append({"value": value, "field": item.field})
            if item.contact is not None and item.contact not in value["contacts"]:
                value["contacts"].append(dict(item.contact))
            value[item.kind].append(dict(item.obj))
        envelope = {"object": "whatsapp_business_account", "entry": list(entries.values())}
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=True).encode()

    def signature(self, body: bytes) -> str:
        """The ``X-Hub-Signature-256`` value for ``body`` (computed here, not by the webhooks package)."""
        return "sha256=" + hmac.new(self.__key, body, hashlib.sha256).hexdigest()

    # -- collecting ----------------------------------------------------------------------------

    def collect(self) -> int:
        """Turn what happened by now into queued POSTs; returns how many items were new."""
        now = self._sandbox.clock()
        business = self._sandbox.router.business
        messaging = business.messaging
        items: list[_Item] = []
        for record in messaging.drain_inbound():
            item = self._inbound_item(record)
            if item is not None:
                items.append(item)
        for event in messaging.drain_status_events(now):
            item = self._status_item(event)
            if item is not None:
                items.append(item)
        templates = getattr(business, "templates", None)
        if templates is not None and callable(getattr(templates, "events", None)):
            for event in templates.events(now):
                items.append(
                    _Item(
                        str(event["waba_id"]),
                        None,
                        event["field"],
                        "value",
                        event["value"],
                        None,
                        event["at"],
                    )
                )
        if not items:
            return 0
        items.sort(key=lambda i: i.at)
        self._reorder(items)
        size = self.faults.batch
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            self._push(_Post(self._build(chunk), len(chunk), now), now)
        return len(items)

    def _reorder(self, items: list[_Item]) -> None:
        rate = self.faults.reorder
        if not rate:
            return
        i = 0
        while i < len(items) - 1:
            if self._rng.random() < rate:
                items[i], items[i + 1] = items[i + 1], items[i]
                i += 2
            else:
                i += 1

    def _push(self, post: _Post, at: float) -> None:
        heapq.heappush(self._queue, (at, next(self._seq), post))

    # -- sending ---------------------------------------------------------------------------------

    async def _attempt(self, session: aiohttp.ClientSession, post: _Post) -> bool:
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": self.signature(post.body),
            "User-Agent": "facebookexternalua",
        }
        self._counts["attempts"] += 1
        if post.attempts:
            self._counts["retried"] += 1
        post.attempts += 1
        try:
            async with session.post(
                self.url,
                data=post.body,
                headers=headers,
                allow_redirects=False,  # Meta does not follow redirects
                timeout=aiohttp.ClientTimeout(total=self.faults.timeout),
            ) as resp:
                await resp.read()
                self._last_status = resp.status
                return 200 <= resp.status < 300
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            self._last_status = None
            logger.info("sandbox webhook POST to %s failed: %s", self._shown_url, type(exc).__name__)
            return False

    async def _deliver(self, session: aiohttp.ClientSession, post: _Post) -> None:
        ok = await self._attempt(session, post)
        now = self._sandbox.clock()
        if ok:
            self._counts["delivered"] += 1
            if post.duplicate:
                self._counts["duplicates_sent"] += 1
                return
            self._counts["items_delivered"] += post.items
            if self.faults.duplicate and self._rng.random() < self.faults.duplicate:
                self._push(_Post(post.body, post.items, now, duplicate=True), now)
            return
        self._counts["failed_attempts"] += 1
        faults = self.faults
        delay = min(faults.backoff * 2 ** (post.attempts - 1), faults.max_backoff)
        if now + delay > post.first_at + faults.retry_for:
            self._counts["given_up"] += 1
            logger.warning(
                "sandbox webhook POST given up after %d attempts (last answer %s)",
                post.attempts,
                self._last_status,
            )
            return
        self._push(post, now + delay)

    async def _pump(self, session: aiohttp.ClientSession) -> None:
        """Collect, then send every POST due now, oldest first."""
        self.collect()
        while self._queue and self._queue[0][0] <= self._sandbox.clock():
            _, _, post = heapq.heappop(self._queue)
            await self._deliver(session, post)
            self.collect()

    @contextlib.asynccontextmanager
    async def _session_for_call(self) -> AsyncIterator[aiohttp.ClientSession]:
        if self._session is not None and not self._session.closed:
            yield self._session
            return
        async with aiohttp.ClientSession() as session:
            yield session

    def _get_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def flush(self) -> WebhookStats:
        """Deliver everything due now; wait out retries (on the sandbox's sleep) until none is pending.

        Deterministic for tests: returns once every POST was delivered or given up. Statuses due
        later (``delivered`` one second after ``sent``) are not waited for: advance the clock first.
        """
        sandbox = self._sandbox
        async with self._get_lock(), self._session_for_call() as session:
            while True:
                await self._pump(session)
                if not self._queue:
                    break
                wait = self._queue[0][0] - sandbox.clock()
                if wait > 0:
                    await sandbox.sleep(wait)
        return self.stats()

    def _next_due(self) -> float | None:
        times = [self._queue[0][0]] if self._queue else []
        nxt = self._sandbox.router.business.messaging.next_status_at()
        if nxt is not None:
            times.append(nxt)
        return min(times) if times else None

    async def run(self) -> None:
        """Deliver in the background until cancelled: wakes on new messages and on due times."""
        sandbox = self._sandbox
        self._wake = asyncio.Event()
        async with aiohttp.ClientSession() as session:
            self._session = session
            try:
                while True:
                    self._wake.clear()
                    async with self._get_lock():
                        await self._pump(session)
                    due = self._next_due()
                    waiter = asyncio.ensure_future(self._wake.wait())
                    sleeper = None
                    if due is not None:
                        sleeper = asyncio.ensure_future(sandbox.sleep(max(0.0, due - sandbox.clock())))
                    try:
                        await asyncio.wait(
                            [t for t in (waiter, sleeper) if t is not None],
                            return_when=asyncio.FIRST_COMPLETED,
                        )
                    finally:
                        for task in (waiter, sleeper):
                            if task is not None and not task.done():
                                task.cancel()
                                with contextlib.suppress(asyncio.CancelledError):
                                    await task
            finally:
                self._session = None
                self._wake = None
