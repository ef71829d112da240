from __future__ import annotations

import pytest

from meta_cloud_async.sandbox import FaultConfig, FaultRates
from meta_cloud_async.sandbox.faults import FaultInjector, FaultKind


def test_parse_global_and_route_values() -> None:
    config = FaultConfig.parse(
        "transient=0.05, reset_after=1%, latency=5ms, jitter=2ms, register.reset_before=0.5, seed=7"
    )
    assert (config.transient, config.reset_after, config.latency, config.jitter, config.seed) == (
        0.05,
        0.01,
        0.005,
        0.002,
        7,
    )
    register = config.for_route("register")
    # A route entry starts from the global values and overrides what it names.
    assert (register.transient, register.reset_before, register.latency) == (0.05, 0.5, 0.005)
    assert config.for_route("set_pin") == config.rates()
    assert config.active


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("transient=2", "within 0..1"),
        ("nosuch=1", "unknown fault key"),
        ("billing.transient=0.1", "unknown fault route"),
        ("transient", "key=value"),
        ("latency=soon", "not a duration"),
        ("transient=0.6,reset_before=0.6", "must not exceed 1"),
        ("slow_chunks=0", ">= 1"),
    ],
)
def test_parse_rejects(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultConfig.parse(spec)


def test_unknown_route_in_python_api() -> None:
    with pytest.raises(ValueError, match="unknown fault route"):
        FaultConfig(routes={"billing": FaultRates(transient=1.0)})


def test_no_faults_is_disabled() -> None:
    assert not FaultInjector(None, 0).enabled
    assert not FaultInjector(FaultConfig.parse(""), 0).enabled
    injector = FaultInjector(FaultConfig(routes={"register": FaultRates(reset_after=1.0)}), 0)
    assert injector.enabled
    assert injector.decide("set_pin").kind is FaultKind.NONE
    assert injector.decide("register").kind is FaultKind.RESET_AFTER


def test_decisions_follow_the_rates() -> None:
    injector = FaultInjector(
        FaultConfig.parse("transient=0.2,reset_before=0.1,reset_after=0.1,slow_body=0.5"), 3
    )
    kinds = [injector.decide("get_phone_number") for _ in range(5000)]
    share = {kind: sum(d.kind is kind for d in kinds) / 5000 for kind in FaultKind}
    assert share[FaultKind.TRANSIENT] == pytest.approx(0.2, abs=0.03)
    assert share[FaultKind.RESET_BEFORE] == pytest.approx(0.1, abs=0.03)
    assert share[FaultKind.RESET_AFTER] == pytest.approx(0.1, abs=0.03)
    assert sum(d.slow_chunks > 0 for d in kinds) / 5000 == pytest.approx(0.5, abs=0.03)
    assert all(d.transient is not None for d in kinds if d.kind is FaultKind.TRANSIENT)


def test_same_seed_same_decisions() -> None:
    config = FaultConfig.parse("transient=0.3,jitter=10ms,reset_after=0.3")
    first = [FaultInjector(config, 9).decide("register") for _ in range(50)]
    again = [FaultInjector(config, 9).decide("register") for _ in range(50)]
    assert first == again
    seeded = FaultConfig.parse("transient=0.3,jitter=10ms,reset_after=0.3,seed=1")
    # The config's own seed wins over the sandbox's.
    assert FaultInjector(seeded, 9).decide("x") == FaultInjector(seeded, 10).decide("x")


def test_decision_label() -> None:
    injector = FaultInjector(FaultConfig.parse("latency=3ms,reset_after=1,slow_body=1"), 0)
    assert injector.decide("register").label == "latency=3.0ms,reset_after,slow_body"
