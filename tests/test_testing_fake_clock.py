"""FakeClock: virtual time that other timing tests rely on."""

from __future__ import annotations

import asyncio

import pytest

from meta_cloud_async.testing import FakeClock


async def test_sequential_sleeps_advance_and_are_recorded() -> None:
    clock = FakeClock(start=100.0)
    await clock.sleep(1.5)
    await clock.sleep(2.0)
    assert clock.time() == 103.5
    assert clock.monotonic() == clock.clock() == 103.5
    assert clock.sleeps == [1.5, 2.0]
    assert clock.total_slept == 3.5


async def test_concurrent_sleepers_wake_in_deadline_order_at_their_deadline() -> None:
    clock = FakeClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.time()))

    await asyncio.gather(sleeper("a", 2.0), sleeper("b", 1.0), sleeper("c", 0.0), sleeper("d", 3.0))
    assert woke == [("c", 0.0), ("b", 1.0), ("a", 2.0), ("d", 3.0)]
    assert clock.time() == 3.0


async def test_cancelled_sleeper_does_not_move_time() -> None:
    clock = FakeClock()
    task = asyncio.create_task(clock.sleep(50.0))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await clock.sleep(1.0)
    assert clock.time() == 1.0


async def test_advance_moves_time_and_refuses_to_go_back() -> None:
    clock = FakeClock()
    clock.advance(4.0)
    assert clock.time() == 4.0
    with pytest.raises(ValueError):
        clock.advance(-1.0)


# -- the other testing helpers -------------------------------------------------------------------


async def test_graph_error_and_json_helpers_drive_mock_transport() -> None:
    from meta_cloud_async import MockTransport, RateLimitError, Request, Response, WhatsApp
    from meta_cloud_async.testing import graph_error

    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        if request.json()["pin"] == "000000":
            return graph_error(130429, "throughput", status=429)
        return Response(status_code=200, json={"success": True})

    async with WhatsApp(
        access_token="t", phone_number_id="1", transport=MockTransport(handler), retry=None
    ) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success
        with pytest.raises(RateLimitError) as info:
            await wa.two_step_verification.set_pin("000000")
    assert info.value.code == 130429 and info.value.http_status == 429
    assert seen[0].json() == {"pin": "428915"}
    with pytest.raises(TypeError):
        Response(status_code=200, content=b"x", json={})


async def test_disable_retries_is_a_decorator_and_scoped_to_the_task() -> None:
    from meta_cloud_async import GraphAPIError, MockTransport, Response, RetryPolicy, WhatsApp
    from meta_cloud_async.testing import disable_retries

    calls: list[str] = []

    def handler(request: object) -> Response:
        calls.append("x")
        return Response(status_code=503, content=b"busy")

    wa = WhatsApp(
        access_token="t",
        phone_number_id="1",
        transport=MockTransport(handler),
        retry=RetryPolicy(max_retries=1, initial_delay=0, jitter=0),
    )

    @disable_retries()
    async def without_retries() -> None:
        with pytest.raises(GraphAPIError):
            await wa.two_step_verification.set_pin("428915")

    release = asyncio.Event()

    async def other_task() -> None:
        await release.wait()
        with pytest.raises(GraphAPIError):
            await wa.two_step_verification.set_pin("428915")

    other = asyncio.create_task(other_task())  # created outside: not disabled
    await without_retries()
    assert len(calls) == 1
    with disable_retries():
        release.set()
        await other  # started before the block: still retries
    assert len(calls) == 3
    await wa.aclose()
