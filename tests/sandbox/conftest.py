"""Fixtures for the sandbox tests: a virtual-clock sandbox and SDK clients bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.sandbox import Sandbox, VirtualClock

ClientFactory = Callable[..., WhatsApp]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(1_000_000.0)


@pytest.fixture
def sandbox(clock: VirtualClock) -> Sandbox:
    return Sandbox(phone_numbers=3, seed=7, clock=clock)


@pytest.fixture
async def make_client(sandbox: Sandbox) -> AsyncIterator[ClientFactory]:
    """``make_client(index=0)``: an SDK client on the in-process door, retries and pacing off."""
    root = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        business_account_id=sandbox.waba_ids[0],
        retry=None,
        rate_limit=None,
    )

    def make(index: int = 0, **options: object) -> WhatsApp:
        return root.with_options(phone_number_id=sandbox.phone_number_ids[index], **options)  # type: ignore[arg-type]

    yield make
    await root.aclose()
