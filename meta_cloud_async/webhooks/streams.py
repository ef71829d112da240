"""Redis Streams hand-off: the receiver appends and answers; workers elsewhere handle.

With ``WebhookRouter(handoff=RedisStreamHandoff(redis))`` a verified, deduplicated POST is
``XADD``-ed (its raw body and the indexes of its new events) before the 200 goes out, so a
crash after the answer loses nothing. :class:`StreamWorker` processes consume with a consumer
group (``XREADGROUP``), run the router's handlers, then ``XACK``; entries a crashed worker
left pending are taken over with ``XAUTOCLAIM`` once idle for ``claim_idle_ms``.
Needs the ``redis`` extra.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from meta_cloud_async.webhooks.errors import WebhookPayloadError
from meta_cloud_async.webhooks.parse import parse_webhook

if TYPE_CHECKING:
    from meta_cloud_async.webhooks.router import WebhookRouter

__all__ = ["RedisStreamHandoff", "StreamWorker"]

logger = logging.getLogger("meta_cloud_async.webhooks")

DEFAULT_STREAM = "mca:webhooks"
DEFAULT_GROUP = "mca-webhook-workers"


class RedisStreamHandoff:
    """The receiver's side: one stream entry per accepted POST."""

    def __init__(self, redis: Any, *, stream: str = DEFAULT_STREAM, maxlen: int | None = None) -> None:
        self.redis = redis
        self.stream = stream
        self.maxlen = maxlen

    async def publish(self, body: bytes, indexes: Sequence[int]) -> None:
        """Append a delivery's raw body and the indexes of its accepted events to the stream (``XADD``)."""
        fields = {b"body": body, b"events": ",".join(map(str, indexes)).encode()}
        if self.maxlen is None:
            await self.redis.xadd(self.stream, fields)
        else:
            await self.redis.xadd(self.stream, fields, maxlen=self.maxlen, approximate=True)


class StreamWorker:
    """A worker process's side: consume, dispatch through ``router``'s handlers, acknowledge.

    ``claim_idle_ms`` must exceed the longest a handler may take: an entry still being handled
    but idle that long is taken over by another worker and handled twice (the demo bot saw
    duplicate replies with 2 s under load). The default, 60 s, leaves room.
    """

    def __init__(
        self,
        router: WebhookRouter,
        redis: Any,
        *,
        stream: str = DEFAULT_STREAM,
        group: str = DEFAULT_GROUP,
        consumer: str | None = None,
        batch: int = 64,
        block_ms: int = 1000,
        claim_idle_ms: int = 60_000,
    ) -> None:
        self.router = router
        self.redis = redis
        self.stream = stream
        self.group = group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.batch = batch
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self._group_ready = False

    async def ensure_group(self) -> None:
        """Create the consumer group from the stream's start (once; an existing group is fine)."""
        if self._group_ready:
            return
        try:
            # From id 0: entries appended before the first worker started are not skipped.
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except Exception as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def _process(self, entry_id: Any, fields: dict[Any, Any]) -> None:
        body = fields.get(b"body", fields.get("body", b""))
        raw_idx = fields.get(b"events", fields.get("events", b""))
        if isinstance(raw_idx, bytes):
            raw_idx = raw_idx.decode()
        try:
            events = parse_webhook(body).events
            for i in (int(x) for x in raw_idx.split(",") if x):
                if i < len(events):
                    await self.router.dispatch(events[i])
        except WebhookPayloadError:
            logger.exception("stream entry %s is not a webhook; acknowledged and skipped", entry_id)
        await self.redis.xack(self.stream, self.group, entry_id)

    async def run_once(self, *, block_ms: int | None = None) -> int:
        """Take over stale pending entries, then read new ones; returns how many were handled."""
        await self.ensure_group()
        handled = 0
        claimed = await self.redis.xautoclaim(
            self.stream,
            self.group,
            self.consumer,
            min_idle_time=self.claim_idle_ms,
            start_id="0-0",
            count=self.batch,
        )
        for entry_id, fields in claimed[1]:
            if fields:
                await self._process(entry_id, fields)
                handled += 1
        block = self.block_ms if block_ms is None else block_ms
        got = await self.redis.xreadgroup(
            self.group, self.consumer, {self.stream: ">"}, count=self.batch, block=block or None
        )
        for _stream, entries in got or ():
            for entry_id, fields in entries:
                await self._process(entry_id, fields)
                handled += 1
        return handled

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Consume until ``stop`` is set (or the task is cancelled)."""
        while stop is None or not stop.is_set():
            await self.run_once()
