"""The Sandbox object itself: seeded world, snapshots, reset, time, and secrets kept out of reprs."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import ResponseTooLargeError, WhatsApp
from meta_cloud_async.sandbox import (
    DEFAULT_ACCESS_TOKEN,
    Budget,
    FaultConfig,
    Limits,
    Sandbox,
    SandboxTransport,
    VirtualClock,
)
from meta_cloud_async.transports.base import Transport


def test_seed_fixes_ids_and_pins() -> None:
    a, b, c = (
        Sandbox(phone_numbers=20, wabas=3, seed=7),
        Sandbox(phone_numbers=20, wabas=3, seed=7),
        Sandbox(phone_numbers=20, wabas=3, seed=8),
    )
    assert a.phone_number_ids == b.phone_number_ids != c.phone_number_ids
    assert a.waba_ids == b.waba_ids and len(a.waba_ids) == 3
    assert [a.state(p).pin for p in a.phone_number_ids] == [b.state(p).pin for p in b.phone_number_ids]
    assert len(set(a.phone_number_ids)) == 20
    assert [len(a.phone_number_ids_of(w)) for w in a.waba_ids] == [7, 7, 6]
    assert [p for w in a.waba_ids for p in a.phone_number_ids_of(w)] == a.phone_number_ids


def test_defaults() -> None:
    sandbox = Sandbox()
    assert sandbox.access_token == DEFAULT_ACCESS_TOKEN
    assert len(sandbox.phone_number_ids) == 1
    state = sandbox.state(sandbox.phone_number_ids[0])
    assert state.registered and state.pin is not None and len(state.pin) == 6
    assert state.code_verification_status == "VERIFIED"
    assert isinstance(sandbox.transport(), SandboxTransport)
    assert isinstance(sandbox.transport(), Transport)


def test_initial_pin_options() -> None:
    assert Sandbox(initial_pin=None).state(Sandbox().phone_number_ids[0]).pin is None
    fixed = Sandbox(phone_numbers=3, initial_pin="024680")
    assert {fixed.state(p).pin for p in fixed.phone_number_ids} == {"024680"}
    with pytest.raises(ValueError, match="initial_pin"):
        Sandbox(initial_pin="1234")
    with pytest.raises(ValueError, match="access_token"):
        Sandbox(access_token="has space")
    with pytest.raises(ValueError):
        Sandbox(wabas=0)


def test_state_of_unknown_number() -> None:
    with pytest.raises(KeyError):
        Sandbox().state("42")


def test_reprs_hide_pins_and_codes() -> None:
    sandbox = Sandbox(initial_pin="024680")
    state = sandbox.state(sandbox.phone_number_ids[0])
    assert "024680" not in repr(state)
    assert state.to_dict()["pin"] == "024680"
    assert repr(sandbox) == "Sandbox(phone_numbers=1, wabas=1, seed=0)"


def test_advance_needs_a_virtual_clock() -> None:
    with pytest.raises(TypeError, match="VirtualClock"):
        Sandbox().advance(1)
    sandbox = Sandbox(clock=VirtualClock(10))
    assert sandbox.advance(5) == 15.0
    assert sandbox.clock() == 15.0


async def test_reset_restores_the_initial_world() -> None:
    sandbox = Sandbox(phone_numbers=2, seed=5, clock=VirtualClock(), faults="transient=0.5")
    pid = sandbox.phone_number_ids[0]
    original = sandbox.state(pid)
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=pid,
        retry=None,
        rate_limit=None,
    )
    outcomes = []
    for _ in range(6):
        try:
            await client.two_step_verification.set_pin("428915")
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
    assert sandbox.state(pid).pin == "428915"
    first_faults = [e.fault for e in sandbox.request_log]
    sandbox.reset()
    assert sandbox.state(pid) == original
    assert sandbox.request_log == []
    for _ in range(6):
        try:
            await client.two_step_verification.set_pin("428915")
        except Exception:
            pass
    assert [e.fault for e in sandbox.request_log] == first_faults  # same fault sequence after reset
    assert "ok" in outcomes


async def test_closed_transport_refuses() -> None:
    transport = Sandbox().transport()
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        from meta_cloud_async import Request

        await transport.send(Request(method="GET", url="http://x/v23.0/1"))


def test_many_numbers_build_quickly() -> None:
    sandbox = Sandbox(phone_numbers=100_000, wabas=4, seed=1)
    assert len(sandbox.phone_number_ids) == 100_000
    assert len(set(sandbox.phone_number_ids)) == 100_000


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"faults": 123}, TypeError, "faults"),
        ({"faults": "transient=2"}, ValueError, "transient"),
        ({"phone_numbers": "3"}, TypeError, "phone_numbers"),
        ({"phone_numbers": -1}, ValueError, "phone_numbers"),
        ({"phone_numbers": 10**9}, ValueError, "phone_numbers"),
        ({"wabas": 0}, ValueError, "wabas"),
        ({"seed": "0"}, TypeError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"access_token": 123}, ValueError, "access_token"),
        ({"access_token": "tok\n"}, ValueError, "access_token"),
        ({"access_token": "tok\x00"}, ValueError, "access_token"),
        ({"clock": 5}, TypeError, "clock"),
        ({"sleep": "x"}, TypeError, "sleep"),
        ({"app_budget": 100}, TypeError, "app_budget"),
        ({"waba_budget": None}, TypeError, "waba_budget"),
        ({"limits": {}}, TypeError, "limits"),
        ({"registered": "yes"}, TypeError, "registered"),
        ({"code_verified": 1}, TypeError, "code_verified"),
        ({"request_log_size": None}, TypeError, "request_log_size"),
        ({"request_log_size": -1}, ValueError, "request_log_size"),
        ({"request_log_size": 10**9}, ValueError, "request_log_size"),
        ({"request_log_size": float("inf")}, TypeError, "request_log_size"),
    ],
)
def test_bad_constructor_arguments_name_themselves(
    kwargs: dict[str, Any], exc: type[Exception], name: str
) -> None:
    with pytest.raises(exc, match=name):
        Sandbox(**kwargs)


async def test_sandbox_transport_honours_a_body_cap() -> None:
    sandbox = Sandbox(phone_numbers=3)
    transport = sandbox.transport(max_response_bytes=100)
    async with WhatsApp(
        access_token=sandbox.access_token,
        business_account_id=sandbox.waba_ids[0],
        transport=transport,
        retry=None,
        rate_limit=None,
    ) as wa:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=100"):
            await wa.phone_numbers.list()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Limits(code_ttl=float("inf")),
        lambda: Limits(code_attempts="5"),  # type: ignore[arg-type]
        lambda: Budget(10, float("inf")),
        lambda: FaultConfig(latency=float("inf")),
        lambda: FaultConfig(slow_chunk_delay=float("nan")),
        lambda: FaultConfig(slow_chunks=10**9),
    ],
)
def test_sandbox_settings_must_be_finite_and_bounded(make: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        make()
