"""The sandbox keeps each WABA's webhook subscription as state, validating overrides on its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from meta_cloud_async import GraphAPIError, WhatsApp
from meta_cloud_async.sandbox import Sandbox
from meta_cloud_async.sandbox.subscribed_apps import SANDBOX_APP

ClientFactory = Callable[..., WhatsApp]


async def test_subscribe_list_override_unsubscribe(make_client: ClientFactory, sandbox: Sandbox) -> None:
    wa = make_client()
    assert (await wa.waba.subscribed_apps()).data == []
    assert (await wa.waba.subscribe_app()).success
    apps = (await wa.waba.subscribed_apps()).data
    assert len(apps) == 1 and apps[0].override_callback_uri is None
    assert apps[0].whatsapp_business_api_data is not None
    assert apps[0].whatsapp_business_api_data.id == SANDBOX_APP["id"]

    await wa.waba.subscribe_app(override_callback_uri="https://hooks.example.com/wa", verify_token="vt")
    apps = (await wa.waba.subscribed_apps()).data
    assert len(apps) == 1 and apps[0].override_callback_uri == "https://hooks.example.com/wa"

    await wa.waba.subscribe_app()  # subscribing again without an override drops the override
    assert (await wa.waba.subscribed_apps()).data[0].override_callback_uri is None

    assert (await wa.waba.unsubscribe_app()).success
    assert (await wa.waba.subscribed_apps()).data == []
    assert (await wa.waba.unsubscribe_app()).success  # nothing left to remove: still fine, as Meta


async def test_wabas_are_separate_and_reset_clears() -> None:
    sandbox = Sandbox(phone_numbers=2, wabas=2, seed=3)
    first, second = sandbox.waba_ids
    async with WhatsApp(
        transport=sandbox.transport(), access_token=sandbox.access_token, retry=None, rate_limit=None
    ) as root:
        await root.with_options(business_account_id=first).waba.subscribe_app()
        assert (await root.with_options(business_account_id=second).waba.subscribed_apps()).data == []
        assert len((await root.with_options(business_account_id=first).waba.subscribed_apps()).data) == 1
        sandbox.reset()
        assert (await root.with_options(business_account_id=first).waba.subscribed_apps()).data == []


async def test_the_sandbox_validates_on_its_own(make_client: ClientFactory, sandbox: Sandbox) -> None:
    """Raw calls the client would refuse are refused by the sandbox too (never trust the client)."""
    wa = make_client()
    path = f"{sandbox.waba_ids[0]}/subscribed_apps"
    for body in (
        {"override_callback_uri": "https://ok.example.com"},
        {"override_callback_uri": "http://plain.example.com", "verify_token": "v"},
        {"override_callback_uri": "https://ok.example.com", "verify_token": ""},
        {"verify_token": "v"},
    ):
        with pytest.raises(GraphAPIError) as caught:
            await wa.request("POST", path, json=body)
        assert caught.value.code == 100
    assert (await wa.waba.subscribed_apps()).data == []


async def test_unknown_waba_is_graphs_100(make_client: ClientFactory) -> None:
    wa = make_client(business_account_id="999999999999999")
    with pytest.raises(GraphAPIError) as caught:
        await wa.waba.subscribed_apps()
    assert caught.value.code == 100


async def test_other_waba_operations_are_named_as_not_emulated(make_client: ClientFactory) -> None:
    wa = make_client()
    with pytest.raises(GraphAPIError) as caught:
        await wa.waba.activities()
    assert "Not emulated by the sandbox: getWhatsAppBusinessAccountActivities" in caught.value.message
