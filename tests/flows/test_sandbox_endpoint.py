"""The flow endpoint over the aiohttp adapter, driven by the sandbox's Meta-like client.

The business registers its public key through ``wa.encryption`` on the sandbox;
the sandbox's ``flow_client`` encrypts with whatever key is registered there,
as Meta does, so registering the wrong key shows up as Meta would see it (421,
one refetch, then the failure) until the right one is registered.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.flows import (
    FlowEndpoint,
    FlowRequest,
    FlowTokenInvalid,
    complete,
    generate_key_pair,
    next_screen,
)
from meta_cloud_async.sandbox import Sandbox, VirtualClock

APP_SECRET = "sandbox-app-secret"


def booking_endpoint(private_pem: str, passphrase: str) -> FlowEndpoint:
    endpoint = FlowEndpoint(private_key=private_pem, passphrase=passphrase, app_secret=APP_SECRET)
    booked: set[str] = set()

    @endpoint.on_init
    def start(request: FlowRequest) -> dict[str, Any]:
        return next_screen("APPOINTMENT", {"slots": ["09:00", "10:30"]})

    @endpoint.on_data_exchange("APPOINTMENT")
    def book(request: FlowRequest) -> dict[str, Any]:
        assert request.flow_token is not None
        if request.flow_token in booked:
            raise FlowTokenInvalid("This appointment is already booked")
        booked.add(request.flow_token)
        return complete(request.flow_token, slot=request.data["slot"])

    return endpoint


async def test_endpoint_over_aiohttp_driven_by_the_sandbox(serve_app: Any) -> None:
    sandbox = Sandbox(clock=VirtualClock(0.0))
    phone = sandbox.phone_number_ids[0]
    private_pem, public_pem = generate_key_pair(passphrase="s3cret")
    other_private, other_public = generate_key_pair()
    async with (
        WhatsApp(
            transport=sandbox.transport(),
            access_token=sandbox.access_token,
            phone_number_id=phone,
            business_account_id=sandbox.waba_ids[0],
            retry=None,
            rate_limit=None,
        ) as wa,
        serve_app(booking_endpoint(private_pem, "s3cret").aiohttp_app("/flow")) as base,
    ):
        url = f"{base}/flow"
        meta = sandbox.flow_client(phone, app_secret=APP_SECRET)
        async with aiohttp.ClientSession() as session:
            # No key registered yet: Meta could not encrypt at all.
            with pytest.raises(LookupError, match="set_public_key"):
                await meta.ping(url, session=session)
            # The wrong key registered: 421, Meta refetches the key (still wrong), gives up.
            await wa.encryption.set_public_key(other_public)
            wrong = await meta.ping(url, session=session)
            assert (wrong.status, wrong.attempts) == (421, 2)
            # The right key: every exchange round-trips.
            await wa.encryption.set_public_key(public_pem)
            assert (await meta.ping(url, session=session)).data == {"data": {"status": "active"}}
            init = await meta.call(
                url, {"version": "3.0", "action": "INIT", "flow_token": "tok-1"}, session=session
            )
            assert (init.status, init.data) == (
                200,
                {"screen": "APPOINTMENT", "data": {"slots": ["09:00", "10:30"]}},
            )
            exchange = {
                "version": "3.0",
                "action": "data_exchange",
                "screen": "APPOINTMENT",
                "data": {"slot": "10:30"},
                "flow_token": "tok-1",
            }
            done = await meta.call(url, exchange, session=session)
            assert done.data is not None
            assert done.data["data"]["extension_message_response"]["params"] == {
                "flow_token": "tok-1",
                "slot": "10:30",
            }
            again = await meta.call(url, exchange, session=session)
            assert (again.status, again.data) == (427, {"error_msg": "This appointment is already booked"})
            # Signed with another secret (the verify token, say): refused.
            forged = sandbox.flow_client(phone, app_secret="the-webhook-verify-token")
            assert (await forged.ping(url, session=session)).status == 432
        assert other_private  # the unregistered pair's private half is never used
