"""rotate_pins against a scripted fake of Meta: the state machine, pacing and bookkeeping."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.errors import APITimeoutError, ConnectError, PermissionDeniedError, RateLimitError
from meta_cloud_async.rotation import (
    MemoryVault,
    Outcome,
    PinRecord,
    PinState,
    Progress,
    classify_error,
    rotate_pins,
)
from meta_cloud_async.testing import FakeClock

IDS = [str(100 + i) for i in range(10)]


def kwargs(clock: FakeClock) -> dict[str, Any]:
    return {"clock": clock.time, "wall_clock": clock.time, "sleep": clock.sleep, "random": lambda: 0.0}


# The claim renewer's sleep at the default claim_ttl: it sleeps on the injected clock too.
RENEW_INTERVAL = 60.0 / 3


def backoffs(clock: FakeClock) -> list[float]:
    """The engine's own waits: every injected sleep except the claim renewer's."""
    return [s for s in clock.sleeps if s != RENEW_INTERVAL]


def shows_pin(pin: str, text: str) -> bool:
    """Whether ``pin`` appears as a number of its own (not inside a phone id or a decimal)."""
    return re.search(rf"(?<![\d.]){pin}(?!\d)", text) is not None


def all_pins(vault: MemoryVault) -> set[str]:
    return {p for r in vault.rows.values() for p in (r.current, r.previous, r.pending) if p}


async def test_rotates_every_number_and_vault_matches_meta(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = MemoryVault()
    report = await rotate_pins(wa, IDS, vault=vault, **kwargs(clock))
    assert report.counts == {"rotated": 10, "skipped": 0, "failed": 0, "total": 10}
    assert report.ok
    for pid in IDS:
        lookup = await vault.get_pin(pid)
        assert lookup.certain and lookup.pin == meta.pins[pid]
        assert vault.rows[pid].state is PinState.CURRENT
    assert len(set(meta.pins.values())) > 1


async def test_second_rotation_keeps_the_previous_pin(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = MemoryVault()
    await rotate_pins(wa, IDS[:1], vault=vault, **kwargs(clock))
    first = meta.pins[IDS[0]]
    await rotate_pins(wa, IDS[:1], vault=vault, **kwargs(clock))
    record = vault.rows[IDS[0]]
    assert record.previous == first and record.current == meta.pins[IDS[0]] != first


async def test_pending_is_written_durably_before_the_request(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    vault = MemoryVault()
    states_at_send: list[PinState] = []
    inner = meta.__call__

    async def spy(request: Any) -> Any:
        pid = request.url.rsplit("/", 1)[1]
        record = vault.rows[pid]
        states_at_send.append(record.state)
        assert record.pending == json.loads(request.content)["pin"]
        return await inner(request)

    meta.__call__ = spy
    wa2 = WhatsApp(
        access_token="t", transport=__import__("meta_cloud_async").MockTransport(spy), rate_limit=None
    )
    await rotate_pins(wa2, IDS[:3], vault=vault, **kwargs(clock))
    assert states_at_send == [PinState.PENDING] * 3


async def test_streams_input_with_bounded_concurrency(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    produced = 0

    async def numbers() -> AsyncIterator[str]:
        nonlocal produced
        for i in range(300):
            produced += 1
            # never more than the bounded queue plus the workers ahead of the engine
            assert produced - len(meta.calls) <= 4 * 4 + 4 * 2 + 1
            yield str(5000 + i)

    vault = MemoryVault()
    report = await rotate_pins(wa, numbers(), vault=vault, concurrency=4, **kwargs(clock))
    assert report.rotated == 300
    assert 1 <= meta.max_in_flight <= 4
    assert meta.max_per_number == 1


async def test_reset_after_apply_is_resolved_by_reapplying_the_same_pin(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    pid = IDS[0]
    meta.script[pid] = ["reset_after", "ok"]
    vault = MemoryVault()
    report = await rotate_pins(wa, [pid], vault=vault, **kwargs(clock))
    assert report.rotated == 1
    assert meta.calls[pid] == 2
    bodies = {json.loads(b)["pin"] for b in meta.seen_bodies}
    assert len(bodies) == 1  # the retry re-sent the same PIN
    assert vault.rows[pid].current == meta.pins[pid]
    assert backoffs(clock) == [0.5]  # the engine's own backoff, exact with random=0


async def test_definite_rejection_on_fresh_pin_goes_back_to_current(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    pid = IDS[0]
    vault = MemoryVault()
    vault.rows[pid] = PinRecord(phone_number_id=pid, current="482913", updated_at=1.0, rotated_at=1.0)
    meta.script[pid] = [("error", 10, 403)]
    report = await rotate_pins(wa, [pid], vault=vault, **kwargs(clock))
    outcome = report.outcomes[0]
    assert outcome.outcome is Outcome.FAILED and outcome.error_type == "PermissionDeniedError"
    assert isinstance(outcome.exception, PermissionDeniedError) and outcome.exception.code == 10
    assert outcome.state == "current"
    record = vault.rows[pid]
    assert record.state is PinState.CURRENT and record.current == "482913" and record.pending is None
    assert record.last_error is not None and "PermissionDeniedError" in record.last_error
    assert meta.calls[pid] == 1


async def test_rejection_after_ambiguous_attempt_stays_pending_and_flagged(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    pid = IDS[0]
    vault = MemoryVault()
    vault.rows[pid] = PinRecord(phone_number_id=pid, current="482913", updated_at=1.0)
    meta.script[pid] = ["reset_after", ("error", 100)]
    report = await rotate_pins(wa, [pid], vault=vault, **kwargs(clock))
    outcome = report.outcomes[0]
    assert outcome.outcome is Outcome.FAILED and outcome.flagged and outcome.state == "pending"
    assert outcome.error_type == "InvalidParameterError"
    record = vault.rows[pid]
    assert record.state is PinState.PENDING and record.flagged
    assert record.pending == meta.pins[pid] and record.current == "482913"
    lookup = await vault.get_pin(pid)
    assert not lookup.certain and lookup.candidates == (record.pending, "482913")
    assert "FLAGGED" in lookup.describe()


async def test_pending_found_at_start_is_reapplied_never_replaced(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    pid = IDS[0]
    vault = MemoryVault()
    vault.rows[pid] = PinRecord(phone_number_id=pid, current="482913").begin("739164", 5.0)
    report = await rotate_pins(wa, [pid], vault=vault, **kwargs(clock))
    assert report.outcomes[0].detail == "pending PIN re-applied and confirmed"
    assert meta.pins[pid] == "739164"
    assert vault.rows[pid].current == "739164" and vault.rows[pid].previous == "482913"


async def test_rejection_of_a_resumed_pin_is_flagged_not_reverted(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    # A crashed run may have applied it: a rejection now proves nothing about the old PIN.
    pid = IDS[0]
    vault = MemoryVault()
    vault.rows[pid] = PinRecord(phone_number_id=pid, current="482913").begin("739164", 5.0)
    meta.script[pid] = [("error", 10, 403)]
    await rotate_pins(wa, [pid], vault=vault, **kwargs(clock))
    record = vault.rows[pid]
    assert record.state is PinState.PENDING and record.flagged and record.pending == "739164"


async def test_ambiguous_failures_exhausted_leave_it_pending(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    pid = IDS[0]
    meta.script[pid] = ["reset_before"] * 4
    vault = MemoryVault()
    report = await rotate_pins(wa, [pid], vault=vault, max_attempts=4, **kwargs(clock))
    outcome = report.outcomes[0]
    assert outcome.outcome is Outcome.FAILED and outcome.state == "pending" and not outcome.flagged
    assert report.pending == [pid]
    assert vault.rows[pid].state is PinState.PENDING and vault.rows[pid].attempts == 4
    assert backoffs(clock) == [0.5, 1.0, 2.0]
    # the next run settles it with the same PIN
    pending = vault.rows[pid].pending
    again = await rotate_pins(wa, [pid], vault=vault, resume_only=True, **kwargs(clock))
    assert again.rotated == 1 and meta.pins[pid] == pending == vault.rows[pid].current


async def test_connect_errors_are_not_ambiguous(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    pid = IDS[0]
    meta.script[pid] = ["refuse"] * 20
    vault = MemoryVault()
    vault.rows[pid] = PinRecord(phone_number_id=pid, current="482913")
    report = await rotate_pins(wa, [pid], vault=vault, max_attempts=2, **kwargs(clock))
    assert report.outcomes[0].error_type == "ConnectError"
    assert vault.rows[pid].state is PinState.CURRENT and vault.rows[pid].current == "482913"


async def test_throttle_pauses_the_whole_run_without_spending_attempts(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    meta.script[IDS[0]] = [("error", 80007, 400, {"retry-after": "7"})] * 3
    vault = MemoryVault()
    report = await rotate_pins(wa, IDS, vault=vault, concurrency=1, max_attempts=1, **kwargs(clock))
    assert report.rotated == 10
    assert meta.calls[IDS[0]] == 4
    assert set(backoffs(clock)) == {7.0}  # every worker waits out the same shared pause
    assert clock.now == 1021.0 and report.throttled_for == 21.0


async def test_throttle_without_hint_backs_off_exponentially_then_fails(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    pid = IDS[0]
    meta.script[pid] = [("error", 130429)] * 10
    vault = MemoryVault()
    vault.rows[pid] = PinRecord(phone_number_id=pid, current="482913")
    report = await rotate_pins(wa, [pid], vault=vault, max_throttle_waits=3, **kwargs(clock))
    assert backoffs(clock) == [1.0, 2.0, 4.0]
    outcome = report.outcomes[0]
    assert outcome.error_type == "RateLimitError" and outcome.state == "current"
    assert vault.rows[pid].current == "482913" and vault.rows[pid].pending is None


async def test_min_age_skips_recent_rotations(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = MemoryVault()
    await rotate_pins(wa, IDS[:2], vault=vault, **kwargs(clock))
    clock.advance(3600)
    report = await rotate_pins(wa, IDS[:3], vault=vault, min_age=7200, **kwargs(clock))
    assert [o.outcome for o in report.outcomes].count(Outcome.SKIPPED) == 2
    assert report.rotated == 1


async def test_dry_run_sends_and_writes_nothing(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = MemoryVault()
    vault.rows[IDS[1]] = PinRecord(phone_number_id=IDS[1]).begin("739164", 1.0)
    report = await rotate_pins(wa, IDS[:3], vault=vault, dry_run=True, **kwargs(clock))
    assert report.skipped == 3 and report.dry_run
    assert {o.detail for o in report.outcomes} == {
        "dry run: would rotate",
        "dry run: would re-apply the pending PIN",
    }
    assert vault.saves == 0 and not meta.calls


async def test_bad_and_duplicate_ids_do_not_stop_the_batch(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = MemoryVault()
    report = await rotate_pins(wa, ["1", "abc", "1", " 2 ", "١٢"], vault=vault, **kwargs(clock))
    by = [(o.phone_number_id, o.outcome.value) for o in report.outcomes]
    assert sorted(by) == sorted(
        [
            ("1", "rotated"),
            ("2", "rotated"),
            ("<malformed input #2, 3 chars>", "failed"),
            ("1", "skipped"),
            ("<malformed input #5, 2 chars>", "failed"),
        ]
    )
    assert set(meta.calls) == {"1", "2"}


async def test_resume_only_touches_pending_numbers(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    vault = MemoryVault()
    vault.rows["1"] = PinRecord(phone_number_id="1").begin("739164", 1.0)
    vault.rows["2"] = PinRecord(phone_number_id="2", current="482913")
    report = await rotate_pins(wa, ["1", "2"], vault=vault, resume_only=True, **kwargs(clock))
    assert report.rotated == 1 and report.skipped == 1 and set(meta.calls) == {"1"}


async def test_no_pin_in_report_or_progress(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    meta.script[IDS[0]] = ["reset_after", ("error", 100)]
    meta.script[IDS[1]] = [("error", 10, 403)]
    vault = MemoryVault()
    seen: list[Progress] = []
    report = await rotate_pins(wa, IDS, vault=vault, on_progress=seen.append, **kwargs(clock))
    text = report.to_json() + report.to_csv() + report.summary() + repr(report) + repr(seen)
    for pin in all_pins(vault):
        assert not shows_pin(pin, text)
    assert seen[-1].done == 10 and seen[-1].failed == 2


async def test_error_text_from_meta_is_scrubbed_of_pins(clock: FakeClock) -> None:
    from meta_cloud_async import MockTransport, Response

    def echo(request: Any) -> Response:
        pin = json.loads(request.content)["pin"]
        body = {"error": {"message": f"bad pin {pin}", "code": 100}}
        return Response(status_code=400, content=json.dumps(body).encode())

    client = WhatsApp(access_token="t", transport=MockTransport(echo), rate_limit=None)
    vault = MemoryVault()
    report = await rotate_pins(client, ["1"], vault=vault, **kwargs(clock))
    assert "******" in (report.outcomes[0].error or "")
    assert vault.rows["1"].last_error is not None and "******" in vault.rows["1"].last_error


async def test_number_claimed_elsewhere_is_deferred_then_picked_up(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    vault = MemoryVault(clock=clock.time)
    assert await vault.claim("1", "other-worker", ttl=5)
    report = await rotate_pins(wa, ["1", "2"], vault=vault, claim_ttl=5, **kwargs(clock))
    # The other worker never finished: its claim expired and this run rotated the number.
    assert report.rotated == 2 and meta.calls["1"] == 1
    assert clock.now >= 1005.0


async def test_number_held_too_long_elsewhere_is_reported_skipped(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    vault = MemoryVault(clock=clock.time)
    assert await vault.claim("1", "other-worker", ttl=1000)
    report = await rotate_pins(wa, ["1"], vault=vault, claim_ttl=5, claim_wait=10, **kwargs(clock))
    assert report.outcomes[0].outcome is Outcome.SKIPPED and "another worker" in report.outcomes[0].detail
    assert not meta.calls


async def test_vault_failure_aborts_before_sending(wa: WhatsApp, meta: Any, clock: FakeClock) -> None:
    from meta_cloud_async.rotation import VaultError

    class Broken(MemoryVault):
        async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
            raise VaultError("disk full")

    with pytest.raises(VaultError):
        await rotate_pins(wa, IDS, vault=Broken(), **kwargs(clock))
    assert not meta.calls


def test_classify_error() -> None:
    assert classify_error(ConnectError()) == "not_sent"
    assert classify_error(APITimeoutError()) == "ambiguous"
    assert classify_error(RateLimitError("x", code=80007)) == "throttle"
    assert classify_error(PermissionDeniedError("x", code=10)) == "rejected"


async def test_argument_validation(wa: WhatsApp) -> None:
    with pytest.raises(ValueError):
        await rotate_pins(wa, [], vault=MemoryVault(), concurrency=0)
    with pytest.raises(ValueError):
        await rotate_pins(wa, [], vault=MemoryVault(), min_age=-1)


async def test_many_numbers_share_one_client_without_blocking(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    vault = MemoryVault()
    report = await asyncio.wait_for(
        rotate_pins(wa, (str(i) for i in range(1, 2001)), vault=vault, concurrency=16, **kwargs(clock)), 30
    )
    assert report.rotated == 2000 and meta.max_in_flight <= 16


# -- regressions ------------------------------------------------------------------------------


class SaveFailsAfter(MemoryVault):
    """A vault whose disk fills up: every save after the first ``limit`` raises ``VaultError``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        from meta_cloud_async.rotation import VaultError

        if self.saves >= self.limit:
            raise VaultError("disk full")
        await super().save(record, owner=owner)


async def test_vault_error_mid_run_aborts_promptly_with_a_full_queue(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    # Regression: the producer, blocked on a full queue, used to await one sentinel put per worker
    # after the pool was cancelled, with nobody left to consume: rotate_pins never returned.
    from meta_cloud_async.rotation import VaultError

    produced = 0

    def numbers() -> Any:
        nonlocal produced
        for i in range(200):  # far more than 2 * concurrency, so the queue is full when the vault fails
            produced += 1
            yield str(7000 + i)

    vault = SaveFailsAfter(5)
    with pytest.raises(VaultError, match="disk full"):
        # wait_for only guards the test against the old hang; the run ends in a few loop iterations.
        await asyncio.wait_for(rotate_pins(wa, numbers(), vault=vault, concurrency=2, **kwargs(clock)), 10)
    assert produced < 200  # the input was abandoned, not drained
    # nothing was sent without its pending row saved first
    assert meta.calls and set(meta.calls) <= set(vault.rows)


async def test_cancelling_a_run_with_a_full_queue_returns_promptly(clock: FakeClock) -> None:
    from meta_cloud_async import MockTransport, Response

    stuck = asyncio.Event()
    sent = 0

    async def never_answers(request: Any) -> Response:
        nonlocal sent
        sent += 1
        if sent == 2:
            stuck.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    client = WhatsApp(access_token="t", transport=MockTransport(never_answers), rate_limit=None)
    task = asyncio.ensure_future(
        rotate_pins(
            client, (str(i) for i in range(1, 100)), vault=MemoryVault(), concurrency=2, **kwargs(clock)
        )
    )
    await asyncio.wait_for(stuck.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert sent == 2  # concurrency bounded the requests in flight


async def test_unexpected_error_after_sending_is_reported_pending(meta: Any, clock: FakeClock) -> None:
    # Regression: a non-MetaCloudError from the send (here a middleware's store failing after Meta
    # applied the PIN) was reported as failed with no state, and report.pending hid the number.
    from meta_cloud_async import MockTransport

    async def store_blip(request: Any, call_next: Any) -> Any:
        await call_next(request)
        raise ConnectionError("redis blip")

    client = WhatsApp(
        access_token="t",
        transport=MockTransport(meta),
        rate_limit=None,
        middleware=[store_blip],
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.0,
    )
    vault = MemoryVault()
    vault.rows["1"] = PinRecord(phone_number_id="1", current="482913")
    report = await rotate_pins(client, ["1"], vault=vault, **kwargs(clock))
    outcome = report.outcomes[0]
    assert outcome.outcome is Outcome.FAILED and outcome.state == "pending"
    assert outcome.error_type == "ConnectionError" and isinstance(outcome.exception, ConnectionError)
    assert "may or may not be applied" in outcome.detail
    assert report.pending == ["1"] and "1 still pending" in report.summary()
    record = vault.rows["1"]
    assert (
        record.state is PinState.PENDING and record.pending == meta.pins["1"] and record.current == "482913"
    )
    assert record.attempts == 1 and record.last_error is not None and "ConnectionError" in record.last_error
    assert meta.calls["1"] == 1  # not retried blindly
    # the next run settles it with the same PIN
    again = await rotate_pins(wa_for(meta, clock), ["1"], vault=vault, resume_only=True, **kwargs(clock))
    assert again.rotated == 1 and vault.rows["1"].current == meta.pins["1"] == record.pending


def wa_for(meta: Any, clock: FakeClock) -> WhatsApp:
    from meta_cloud_async import MockTransport

    return WhatsApp(
        access_token="t",
        transport=MockTransport(meta),
        rate_limit=None,
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.0,
    )


async def test_unexpected_error_elsewhere_reports_the_vault_state(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    # The generic handler reads the vault: a bug after the pending row was written still says "pending".
    class SecondSaveBreaks(MemoryVault):
        async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
            if record.state is PinState.CURRENT:
                raise RuntimeError("bug in a custom vault")
            await super().save(record, owner=owner)

    vault = SecondSaveBreaks()
    report = await rotate_pins(wa, ["1", "2"], vault=vault, **kwargs(clock))
    assert {o.state for o in report.outcomes} == {"pending"}
    assert sorted(report.pending) == ["1", "2"]
    assert all(
        "may or may not be applied" in o.detail and o.error_type == "RuntimeError" for o in report.outcomes
    )
    assert vault.rows["1"].pending == meta.pins["1"]


async def test_malformed_pin_from_factory_is_refused_before_saving(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    # Regression: the factory's "12345" was saved as pending and then wedged the number for good.
    vault = MemoryVault()
    vault.rows["2"] = PinRecord(phone_number_id="2", current="482913", rotated_at=1.0)
    report = await rotate_pins(wa, ["1", "2"], vault=vault, pin_factory=lambda: "12345", **kwargs(clock))
    assert report.failed == 2 and {o.error_type for o in report.outcomes} == {"ValueError"}
    assert all("pin_factory" in (o.error or "") for o in report.outcomes)
    assert "12345" not in report.to_json()
    assert vault.saves == 0 and "1" not in vault.rows
    assert vault.rows["2"].state is PinState.CURRENT and vault.rows["2"].pending is None
    assert not meta.calls
    again = await rotate_pins(wa, ["1", "2"], vault=vault, **kwargs(clock))
    assert again.rotated == 2


async def test_malformed_pending_pin_in_vault_is_rolled_back(
    wa: WhatsApp, meta: Any, clock: FakeClock
) -> None:
    # A pending PIN that is not six digits can never have been sent (requests validate it first).
    vault = MemoryVault()
    vault.rows["1"] = PinRecord(phone_number_id="1", current="482913", rotated_at=1.0).begin("12345", 2.0)
    dry = await rotate_pins(wa, ["1"], vault=vault, dry_run=True, **kwargs(clock))
    assert dry.skipped == 1 and "malformed" in dry.outcomes[0].detail and vault.saves == 0
    report = await rotate_pins(wa, ["1"], vault=vault, **kwargs(clock))
    outcome = report.outcomes[0]
    assert outcome.outcome is Outcome.FAILED and outcome.error_type == "ValueError"
    assert outcome.state == "current" and report.pending == []
    assert "malformed" in (outcome.error or "") and "12345" not in report.to_json()
    record = vault.rows["1"]
    assert record.state is PinState.CURRENT and record.current == "482913" and record.pending is None
    assert record.last_error is not None and "malformed" in record.last_error
    assert not meta.calls
    again = await rotate_pins(wa, ["1"], vault=vault, **kwargs(clock))
    assert again.rotated == 1 and vault.rows["1"].previous == "482913"


async def test_failing_claim_renewal_is_logged_and_the_report_kept(
    meta: Any, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Regression: a non-VaultError from renew() killed the renewer silently, and at the end of the
    # run it surfaced from the cleanup and replaced the report.
    from meta_cloud_async import MockTransport

    renewed_twice = asyncio.Event()

    class ReadOnlyReplica(MemoryVault):
        renews = 0

        async def renew(self, phone_number_ids: Any, owner: str, ttl: float) -> None:
            self.renews += 1
            if self.renews >= 2:
                renewed_twice.set()
            raise RuntimeError("READONLY You can't write against a read only replica.")

    async def slow_meta(request: Any) -> Any:
        await renewed_twice.wait()  # answer once the renewer has failed and kept going
        return await meta(request)

    client = WhatsApp(access_token="t", transport=MockTransport(slow_meta), rate_limit=None)
    vault = ReadOnlyReplica()
    with caplog.at_level("WARNING", logger="meta_cloud_async"):
        report = await asyncio.wait_for(
            rotate_pins(client, ["1", "2"], vault=vault, claim_ttl=3, **kwargs(clock)), 10
        )
    assert report.rotated == 2
    assert vault.renews >= 2
    # The renewer slept on the injected clock (a third of claim_ttl each time), never on real time.
    assert clock.sleeps.count(1.0) >= 2 and clock.now >= 1002.0
    messages = [r.getMessage() for r in caplog.records if "renewing" in r.getMessage()]
    assert messages and all("RuntimeError" in m for m in messages)
    logged = caplog.text
    assert not any(shows_pin(pin, logged) for pin in all_pins(vault))


async def test_two_workers_on_one_list_rotate_each_number_once(meta: Any, clock: FakeClock) -> None:
    # Regression: with min_age=None (the library default) the second worker re-rotated every number
    # the first had just done. Wall time ticks on every reading, as real time does.
    import itertools

    ticks = itertools.count(1_000_000)
    client = wa_for(meta, clock)
    vault = MemoryVault(clock=clock.time)
    ids = [str(1000 + i) for i in range(60)]
    options: dict[str, Any] = {
        "clock": clock.time,
        "wall_clock": lambda: float(next(ticks)),
        "sleep": clock.sleep,
        "random": lambda: 0.0,
        "concurrency": 4,
    }
    first, second = await asyncio.gather(
        rotate_pins(client, ids, vault=vault, **options),
        rotate_pins(client, list(reversed(ids)), vault=vault, **options),
    )
    assert first.rotated + second.rotated == 60
    assert set(meta.calls) == set(ids) and set(meta.calls.values()) == {1}
    details = {o.detail for o in first.outcomes + second.outcomes if o.outcome is Outcome.SKIPPED}
    assert details and details <= {
        "rotated by another worker during this run",
        "handled by another worker during this run",
    }
    # a later run rotates them again: the guard is per run, not a min_age
    later = await rotate_pins(client, ids, vault=vault, **options)
    assert later.rotated == 60 and set(meta.calls.values()) == {2}


async def test_malformed_input_is_not_copied_into_the_report(wa: WhatsApp, clock: FakeClock) -> None:
    # Regression: an "id,pin" line was echoed into the report (and so into report.json).
    report = await rotate_pins(wa, ["106540352242922,428915", 7], vault=MemoryVault(), **kwargs(clock))  # type: ignore[list-item]
    assert [o.phone_number_id for o in report.outcomes] == [
        "<malformed input #1, 22 chars>",
        "<malformed input #2, int>",
    ]
    text = report.to_json() + report.to_csv() + repr(report)
    assert "428915" not in text and "106540352242922" not in text
