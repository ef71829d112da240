"""RedisDedupe across processes, and the Redis Streams hand-off (a crash after the 200 loses nothing)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from meta_cloud_async.webhooks import (
    RedisDedupe,
    RedisStreamHandoff,
    StreamWorker,
    TextMessage,
    WebhookContext,
    WebhookRouter,
    sign,
)

pytestmark = pytest.mark.redis


def delivery(i: int) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "1555", "phone_number_id": "42"},
                                "messages": [
                                    {
                                        "from": "16465550100",
                                        "id": f"wamid.live-{i}",
                                        "timestamp": "1760000000",
                                        "type": "text",
                                        "text": {"body": f"message {i}"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


REPO = Path(__file__).resolve().parents[2]
SECRET = "redis-secret"


async def test_redis_dedupe_claims_once(redis_url: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    a, b = RedisDedupe(client, ttl=60), RedisDedupe(client, ttl=60)
    assert await a.claim(["m:1", "m:2"]) == [True, True]
    assert await b.claim(["m:2", "m:3"]) == [False, True]
    ttl = await client.ttl("mca:webhook:seen:m:1")
    assert 0 < ttl <= 60
    await a.release(["m:2"])
    assert await b.claim(["m:2"]) == [True]
    assert await a.claim([]) == []
    owned = RedisDedupe(redis_url)
    assert await owned.claim(["m:1"]) == [False]
    await owned.aclose()
    await client.aclose()


@pytest.mark.slow
async def test_two_receiver_processes_handle_each_of_1000_deliveries_once(redis_url: str) -> None:
    import redis.asyncio as aioredis

    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.webhooks.receiver_proc",
            redis_url,
            SECRET,
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        ports = []
        for p in procs:
            assert p.stdout is not None
            line = await asyncio.wait_for(p.stdout.readline(), 30)
            ports.append(int(line))
        limit = asyncio.Semaphore(64)
        async with aiohttp.ClientSession() as http:

            async def post(i: int, port: int) -> int:
                body = delivery(i)
                async with (
                    limit,
                    http.post(
                        f"http://127.0.0.1:{port}/webhook",
                        data=body,
                        headers={"X-Hub-Signature-256": sign(body, SECRET)},
                    ) as r,
                ):
                    return r.status

            # Every delivery goes to both receivers, as a load balancer plus Meta's duplicates would.
            statuses = await asyncio.gather(*(post(i, port) for i in range(1000) for port in ports))
        assert set(statuses) == {200}
    finally:
        for p in procs:
            if p.returncode is None:
                p.send_signal(signal.SIGTERM)  # graceful: aiohttp cleanup drains the router
        codes = [await asyncio.wait_for(p.wait(), 60) for p in procs]
    assert codes == [0, 0]
    client = aioredis.Redis.from_url(redis_url)
    handled = Counter(
        x.decode() if isinstance(x, bytes) else x for x in await client.lrange("handled", 0, -1)
    )
    await client.aclose()
    assert set(handled) == {f"wamid.live-{i}" for i in range(1000)}
    assert set(handled.values()) == {1}


async def test_stream_handoff_survives_a_worker_crash(redis_url: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    receiver = WebhookRouter(
        app_secret=SECRET, dedupe=RedisDedupe(client), handoff=RedisStreamHandoff(client)
    )
    for i in range(5):
        body = delivery(i)
        assert (
            await receiver.handle("POST", {}, {"X-Hub-Signature-256": sign(body, SECRET)}, body)
        ).status == 200
    body = delivery(3)  # a redelivery is not appended again
    assert (
        await receiver.handle("POST", {}, {"X-Hub-Signature-256": sign(body, SECRET)}, body)
    ).status == 200
    assert await client.xlen("mca:webhooks") == 5
    assert receiver.backlog == 0  # nothing was handled in the receiver itself

    # Worker A reads everything, then "crashes" (its handler dies) before acknowledging.
    crashing = WebhookRouter(app_secret=SECRET)

    class Crash(BaseException):
        pass

    @crashing.on_message()
    async def die(event: TextMessage, ctx: WebhookContext) -> None:
        raise Crash

    worker_a = StreamWorker(crashing, client, consumer="a", claim_idle_ms=0)
    with pytest.raises(Crash):
        await worker_a.run_once(block_ms=1)
    pending = await client.xpending("mca:webhooks", "mca-webhook-workers")
    assert pending["pending"] == 5

    # Worker B takes the stale entries over, handles each once, and acknowledges.
    handled: Counter[str] = Counter()
    healthy = WebhookRouter(app_secret=SECRET)

    @healthy.on_message()
    async def record(event: TextMessage, ctx: WebhookContext) -> None:
        handled[event.id] += 1

    worker_b = StreamWorker(healthy, client, consumer="b", claim_idle_ms=0)
    assert await worker_b.run_once(block_ms=1) == 5
    assert await worker_b.run_once(block_ms=1) == 0
    assert handled == Counter({f"wamid.live-{i}": 1 for i in range(5)})
    assert (await client.xpending("mca:webhooks", "mca-webhook-workers"))["pending"] == 0
    await client.aclose()


async def test_handoff_failure_answers_503_and_releases_the_claim(redis_url: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)

    class Down:
        async def publish(self, body: bytes, indexes: object) -> None:
            raise ConnectionError("stream down")

    router = WebhookRouter(app_secret=SECRET, dedupe=RedisDedupe(client), handoff=Down())  # type: ignore[arg-type]
    body = delivery(1)
    headers = {"X-Hub-Signature-256": sign(body, SECRET)}
    assert (await router.handle("POST", {}, headers, body)).status == 503
    router.handoff = RedisStreamHandoff(client)
    assert (await router.handle("POST", {}, headers, body)).status == 200  # the redelivery is accepted
    assert await client.xlen("mca:webhooks") == 1
    await client.aclose()
