"""RedisBucketStore: the GCRA schedule and holds, shared through one Redis."""

from __future__ import annotations

import itertools

import pytest

from meta_cloud_async.middleware.rate_limit import BucketStore, MemoryBucketStore
from meta_cloud_async.middleware.redis_store import RedisBucketStore

pytestmark = pytest.mark.redis


async def test_matches_the_memory_store_schedule_exactly(redis_url: str) -> None:
    store = RedisBucketStore(redis_url, server_time=False)
    memory = MemoryBucketStore()
    try:
        assert isinstance(store, BucketStore)
        calls = [(0.0, 10.0, 3.0)] * 6 + [(0.35, 10.0, 3.0), (2.0, 10.0, 3.0), (2.0, 5.0, 1.0)]
        got = [await store.reserve("k", rate, burst, now) for now, rate, burst in calls]
        want = [await memory.reserve("k", rate, burst, now) for now, rate, burst in calls]
        assert got == pytest.approx(want, abs=1e-6)
        assert got[:3] == [0.0, 0.0, 0.0] and got[5] == pytest.approx(0.3)
    finally:
        await store.aclose()


async def test_refund_and_hold(redis_url: str) -> None:
    store = RedisBucketStore(redis_url, server_time=False)
    try:
        assert await store.reserve("k", 1.0, 1.0, 100.0) == 0.0
        assert await store.reserve("k", 1.0, 1.0, 100.0) == pytest.approx(1.0)
        await store.refund("k", 1.0, 100.0)
        assert await store.reserve("k", 1.0, 1.0, 100.0) == pytest.approx(1.0)
        await store.block_until("h", 530.0, 500.0)
        assert await store.blocked_until("h", 500.0) == pytest.approx(530.0)
        # after a hold the bucket restarts with one token, then paces
        assert await store.reserve("h", 100.0, 10.0, 500.0) == pytest.approx(30.0)
        assert await store.reserve("h", 100.0, 10.0, 500.0) == pytest.approx(30.01)
        await store.block_until("h", 510.0, 500.0)  # holds only extend
        assert await store.blocked_until("h", 500.0) == pytest.approx(530.0)
        assert await store.blocked_until("never", 1.0) == 0.0
        with pytest.raises(ValueError):
            await store.reserve("k", 0.0, 1.0, 0.0)
    finally:
        await store.aclose()


async def test_server_time_shares_one_schedule_across_unrelated_clocks(redis_url: str) -> None:
    # Two workers whose clocks disagree by hours still queue behind each other.
    a, b = RedisBucketStore(redis_url), RedisBucketStore(redis_url)
    try:
        waits = []
        for _ in range(3):
            waits.append(await a.reserve("shared", 1.0, 1.0, 0.0))
            waits.append(await b.reserve("shared", 1.0, 1.0, 7200.0))
        # one slot per second in arrival order; Redis's clock moves a little between calls
        assert waits[0] == 0.0
        assert all(later > earlier for earlier, later in itertools.pairwise(waits))
        assert waits[-1] == pytest.approx(5.0, abs=1.0)
        # a hold given on b's clock is returned on a's clock
        await b.block_until("held", 7230.0, 7200.0)
        assert await a.blocked_until("held", 0.0) == pytest.approx(30.0, abs=1.0)
    finally:
        await a.aclose()
        await b.aclose()
