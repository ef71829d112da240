"""MetaFlowClient: Meta's side of the channel, in process and over HTTP, with the 421 key refresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from meta_cloud_async.flows import FlowEndpoint, FlowRequest, MetaFlowClient, generate_key_pair, next_screen

SECRET = "driver-secret"


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return generate_key_pair()


def make_endpoint(private: str) -> FlowEndpoint:
    ep = FlowEndpoint(private_key=private, app_secret=SECRET)

    @ep.on_init
    def init(request: FlowRequest) -> dict[str, Any]:
        return next_screen("FIRST", {"token": request.flow_token})

    return ep


async def test_in_process_call_and_ping(keys: tuple[str, str]) -> None:
    client = MetaFlowClient(public_key=keys[1], app_secret=SECRET)
    endpoint = make_endpoint(keys[0])
    reply = await client.call(endpoint, {"version": "3.0", "action": "INIT", "flow_token": "t1"})
    assert (reply.status, reply.data, reply.attempts) == (
        200,
        {"screen": "FIRST", "data": {"token": "t1"}},
        1,
    )
    assert (await client.ping(endpoint)).data == {"data": {"status": "active"}}
    assert SECRET not in repr(client)


async def test_421_refreshes_the_key_and_retries_once(keys: tuple[str, str]) -> None:
    _, stale = generate_key_pair()
    served = [stale, keys[1]]
    calls: list[int] = []

    async def fetch() -> str:
        calls.append(1)
        return served.pop(0)

    client = MetaFlowClient(public_key=fetch, app_secret=SECRET)
    reply = await client.ping(make_endpoint(keys[0]))
    assert (reply.status, reply.attempts, len(calls)) == (200, 2, 2)


async def test_wrong_secret_is_432(keys: tuple[str, str]) -> None:
    client = MetaFlowClient(public_key=keys[1], app_secret="other")
    reply = await client.ping(make_endpoint(keys[0]))
    assert reply.status == 432 and reply.data is None


async def test_over_http(keys: tuple[str, str], serve_app: Callable[..., Any]) -> None:
    client = MetaFlowClient(public_key=lambda: keys[1], app_secret=SECRET)
    async with serve_app(make_endpoint(keys[0]).aiohttp_app(path="/f")) as base:
        reply = await client.call(f"{base}/f", {"version": "3.0", "action": "INIT", "flow_token": "t2"})
        async with aiohttp.ClientSession() as session:
            pinged = await client.ping(f"{base}/f", session=session)
    assert reply.data == {"screen": "FIRST", "data": {"token": "t2"}}
    assert pinged.data == {"data": {"status": "active"}}
