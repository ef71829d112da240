"""rotate_pins under hostile settings and failures: bad arguments, stalled stores, swallowed cancels."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from meta_cloud_async import MockTransport, WhatsApp
from meta_cloud_async.rotation import (
    MemoryVault,
    Outcome,
    PinRecord,
    PinState,
    VaultError,
    rotate_pins,
)
from meta_cloud_async.testing import FakeClock


def kwargs(clock: FakeClock) -> dict[str, Any]:
    return {"clock": clock.time, "wall_clock": clock.time, "sleep": clock.sleep, "random": lambda: 0.0}


class SaveFailsAfter(MemoryVault):
    """Every save after the first ``limit`` raises ``VaultError`` (a disk that filled up)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        if self.saves >= self.limit:
            raise VaultError("disk full")
        await super().save(record, owner=owner)


@pytest.mark.parametrize("ids", ["647108014974562", b"647108014974562", bytearray(b"12")])
async def test_a_single_str_or_bytes_is_refused_not_read_per_character(
    wa: WhatsApp, meta: Any, clock: FakeClock, ids: Any
) -> None:
    # Regression: the string was iterated per character and set_pin went to ids 0-9.
    vault = MemoryVault()
    with pytest.raises(TypeError, match="phone_number_ids"):
        await rotate_pins(wa, ids, vault=vault, **kwargs(clock))
    assert vault.saves == 0 and not meta.calls


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("max_attempts", math.nan, ValueError),
        ("max_attempts", math.inf, ValueError),
        ("max_attempts", 0, ValueError),
        ("max_attempts", 10**9, ValueError),
        ("max_attempts", "3", TypeError),
        ("claim_wait", math.nan, ValueError),
        ("claim_wait", math.inf, ValueError),
        ("claim_wait", -1.0, ValueError),
        ("claim_ttl", 1e-9, ValueError),
        ("claim_ttl", math.nan, ValueError),
        ("claim_ttl", math.inf, ValueError),
        ("concurrency", True, TypeError),
        ("concurrency", 0, ValueError),
        ("concurrency", 2.5, ValueError),
        ("max_throttle_waits", -1, ValueError),
        ("min_age", math.nan, ValueError),
        ("min_age", "1h", TypeError),
        ("total", -1, ValueError),
        ("worker_id", "", ValueError),
        ("sleep", None, TypeError),
        ("pin_factory", "123456", TypeError),
    ],
)
async def test_non_finite_and_absurd_settings_are_refused_naming_the_argument(
    wa: WhatsApp, meta: Any, clock: FakeClock, name: str, value: Any, error: type[Exception]
) -> None:
    # Regression: max_attempts=nan retried forever, claim_wait=nan waited forever, claim_ttl=1e-9
    # skipped every number.
    vault = MemoryVault()
    options = {**kwargs(clock), name: value}
    with pytest.raises(error, match=name):
        await rotate_pins(wa, ["1"], vault=vault, **options)
    assert vault.saves == 0 and not meta.calls


async def test_a_vault_that_is_not_a_vault_is_refused(wa: WhatsApp, clock: FakeClock) -> None:
    with pytest.raises(TypeError, match="vault"):
        await rotate_pins(wa, ["1"], vault=object(), **kwargs(clock))  # type: ignore[arg-type]


async def test_a_closed_client_fails_before_any_save(meta: Any, clock: FakeClock) -> None:
    # Regression: every number got a pending PIN that the closed client never sent.
    wa = WhatsApp(access_token="t", transport=MockTransport(meta), rate_limit=None)
    await wa.aclose()
    vault = MemoryVault()
    with pytest.raises(RuntimeError, match="closed"):
        await rotate_pins(wa, ["1", "2"], vault=vault, **kwargs(clock))
    assert vault.saves == 0


async def test_a_client_that_cannot_build_the_request_saves_no_pending_pin(
    wa: WhatsApp, meta: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, req: Any, **kwargs: Any) -> Any:
        raise ValueError("no usable options")

    monkeypatch.setattr(WhatsApp, "build_request", broken)
    vault = MemoryVault()
    report = await rotate_pins(wa, ["1", "2", "3"], vault=vault, **kwargs(clock))
    assert report.failed == 3 and report.pending == []
    assert vault.saves == 0 and not meta.calls
    assert {o.error for o in report.outcomes} == {"no usable options"}


async def test_a_vault_failure_hands_back_a_partial_report(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = SaveFailsAfter(6)
    with pytest.raises(VaultError, match="disk full") as caught:
        await asyncio.wait_for(
            rotate_pins(wa, [str(100 + i) for i in range(20)], vault=vault, concurrency=1, **kwargs(clock)),
            10,
        )
    report = caught.value.report
    assert report is not None and report.aborted is not None and "disk full" in report.aborted
    assert not report.ok and report.finished_at > 0
    rotated = [o.phone_number_id for o in report.outcomes if o.outcome is Outcome.ROTATED]
    assert rotated and all(vault.rows[pid].state is PinState.CURRENT for pid in rotated)
    assert "ABORTED" in report.summary() and report.as_dict()["aborted"] == report.aborted


async def test_a_failed_run_releases_every_claim_it_may_hold(meta: Any, clock: FakeClock) -> None:
    # Regression: claims of numbers in flight when the run failed stayed until claim_ttl, so the next
    # `pins resume` waited them out. A claim call cancelled in flight may also have landed.
    landed = asyncio.Event()

    class SlowClaims(SaveFailsAfter):
        async def claim(self, phone_number_id: str, owner: str, ttl: float) -> bool:
            ok = await super().claim(phone_number_id, owner, ttl)  # lands in the store...
            if phone_number_id == "999":
                landed.set()
                await asyncio.Event().wait()  # ...but the answer never comes back
            return ok

    async def slow_meta(request: Any) -> Any:
        await landed.wait()
        return await meta(request)

    wa = WhatsApp(access_token="t", transport=MockTransport(slow_meta), rate_limit=None)
    vault = SlowClaims(2)
    with pytest.raises(VaultError):
        await asyncio.wait_for(
            rotate_pins(wa, ["999", "1", "2", "3"], vault=vault, concurrency=2, **kwargs(clock)), 20
        )
    assert vault._claims == {}  # nobody waits out a TTL after this run
    assert await MemoryVault.claim(vault, "999", "next-run", 60)


class SwallowsOneCancel(MemoryVault):
    """``load`` eats the first cancellation it receives and goes on, as a library's wait_for can."""

    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self.fail_after = fail_after
        self.loads = 0
        self.swallowed = 0
        self.entered = asyncio.Event()

    async def load(self, phone_number_id: str) -> PinRecord | None:
        self.loads += 1
        if phone_number_id == "500":
            self.entered.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.swallowed += 1  # swallowed: the caller keeps running
        return await super().load(phone_number_id)

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        if record.phone_number_id != "500" and self.saves >= self.fail_after:
            await self.entered.wait()
            raise VaultError("Redis stalled")
        await super().save(record, owner=owner)


async def test_shutdown_does_not_depend_on_one_cancel_being_honoured(meta: Any, clock: FakeClock) -> None:
    # Regression: a worker whose cancel was swallowed rotated more numbers after the run had failed,
    # then waited forever on an empty queue; rotate_pins never returned.
    wa = WhatsApp(access_token="t", transport=MockTransport(meta), rate_limit=None)
    vault = SwallowsOneCancel(fail_after=4)
    ids = ["500", *(str(600 + i) for i in range(50))]
    with pytest.raises(VaultError, match="stalled"):
        # the bound guards the test against the old hang
        await asyncio.wait_for(rotate_pins(wa, ids, vault=vault, concurrency=2, **kwargs(clock)), 30)
    assert vault.swallowed >= 1
    # The worker that survived its cancel sent nothing more: no PIN left without its saved row.
    assert set(meta.calls) <= set(vault.rows)
    assert "500" not in meta.calls and "500" not in vault.rows  # it stopped at the stop flag


async def test_claim_lost_skips_are_marked_unsettled(wa: WhatsApp, clock: FakeClock) -> None:
    vault = MemoryVault(clock=clock.time)
    await vault.claim("1", "someone-else", 10_000)
    report = await rotate_pins(wa, ["1", "2"], vault=vault, claim_ttl=5, claim_wait=0, **kwargs(clock))
    skipped = [o for o in report.outcomes if o.outcome is Outcome.SKIPPED]
    assert [o.phone_number_id for o in skipped] == ["1"] and skipped[0].unsettled
    assert report.unsettled == ["1"] and "1 not handled" in report.summary()
