"""``rotate_pins``: give many numbers fresh PINs without ever losing one.

Per number: claim it, write the new PIN to the vault as *pending* (durable),
send it, then record it as *current*. A pending PIN found at the start is
re-applied as is; a number never gets a fresh PIN while an older one may be
in effect (see :mod:`.records` for the state machine).

Why the engine retries ``set_pin`` itself instead of the client's retry
middleware: only the engine can remember that an earlier attempt may have
reached Meta (a timeout, a reset), and that decides what a later definite
rejection means. So the PIN is sent as a request that the client's retry
middleware treats as non-idempotent: it still retries connections that never
opened, and hands everything else back here. Throttling (80007, 4, 130429
...) pauses the whole run instead of burning each number's attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import random as _random
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Union

import attrs

from ..errors import (
    THROTTLE_CODES,
    APIConnectionError,
    GraphAPIError,
    MetaCloudError,
    RateLimitError,
    RegistrationLimitError,
    ServerError,
    UnexpectedResponseError,
)
from ..middleware.retry import server_wait_hint
from ..pins import generate_pin
from ..types.shared import SuccessResponse
from ..types.two_step_verification import SetPinRequest
from .records import PinRecord, PinState
from .report import NumberOutcome, Outcome, Progress, RotationReport
from .vault import ClaimLostError, Vault, VaultError

if TYPE_CHECKING:
    from .._client import WhatsApp

__all__ = ["RotationSetPinRequest", "classify_error", "rotate_pins"]

ErrorKind = Literal["not_sent", "throttle", "ambiguous", "rejected"]
OnProgress = Callable[[Progress], Union[Awaitable[None], None]]


@attrs.frozen(kw_only=True)
class RotationSetPinRequest(SetPinRequest):
    """``set_pin`` as rotation sends it: marked non-idempotent so only the engine decides on retries."""

    idempotent: ClassVar[bool] = False


def classify_error(exc: BaseException) -> ErrorKind:
    """What a failed ``set_pin`` attempt tells us about the PIN at Meta.

    ``not_sent``: surely not applied (no connection). ``throttle``: refused
    for pace, not applied. ``ambiguous``: may have been applied (timeout,
    reset, 5xx, garbled answer). ``rejected``: Meta definitely refused it.
    """
    if isinstance(exc, APIConnectionError):
        return "ambiguous" if exc.request_sent else "not_sent"
    if isinstance(exc, RateLimitError) and not isinstance(exc, RegistrationLimitError):
        return "throttle"
    if isinstance(exc, GraphAPIError) and exc.code in THROTTLE_CODES:
        return "throttle"
    if isinstance(exc, ServerError | UnexpectedResponseError):
        return "ambiguous"
    if isinstance(exc, GraphAPIError) and exc.is_transient:
        return "ambiguous"
    return "rejected"


class _ThrottleGate:
    """One pause shared by every worker: a throttle slows the whole run down.

    Responses to requests sent before the current pause began do not deepen
    it (a burst of 32 throttles is one event, not 32).
    """

    def __init__(
        self,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[Any]],
        random: Callable[[], float],
        *,
        initial: float = 1.0,
        maximum: float = 60.0,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._initial = initial
        self._maximum = maximum
        self.until = float("-inf")
        self.started = float("-inf")
        self.streak = 0
        self.total = 0.0

    async def wait(self) -> None:
        while True:
            delay = self.until - self._clock()
            if delay <= 0:
                return
            await self._sleep(delay)

    def throttled(self, sent_at: float, hint: float | None) -> None:
        if sent_at < self.started:
            return
        now = self._clock()
        if hint is None:
            hint = min(self._initial * 2**self.streak, self._maximum) * (1.0 - 0.25 * self._random())
        self.streak += 1
        self.started = now
        until = now + min(hint, self._maximum * 5)
        if until > self.until:
            self.total += until - max(self.until, now)
            self.until = until

    def succeeded(self) -> None:
        self.streak = 0


def _seconds(value: float | _dt.timedelta | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, _dt.timedelta) else float(value)
    if seconds < 0:
        raise ValueError("min_age must not be negative")
    return seconds


def _valid_id(pid: object) -> str | None:
    if not isinstance(pid, str):
        return None
    pid = pid.strip()
    if not pid or not pid.isascii() or not pid.isdigit() or len(pid) > 32:
        return None
    return pid


class _Rotation:
    def __init__(
        self,
        wa: WhatsApp,
        vault: Vault,
        *,
        concurrency: int,
        min_age: float | None,
        dry_run: bool,
        resume_only: bool,
        on_progress: OnProgress | None,
        total: int | None,
        max_attempts: int,
        max_throttle_waits: int,
        claim_ttl: float,
        claim_wait: float,
        owner: str,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[Any]],
        random: Callable[[], float],
        pin_factory: Callable[[], str],
    ) -> None:
        self.wa = wa
        self.vault = vault
        self.concurrency = concurrency
        self.min_age = min_age
        self.dry_run = dry_run
        self.resume_only = resume_only
        self.on_progress = on_progress
        self.total = total
        self.max_attempts = max_attempts
        self.max_throttle_waits = max_throttle_waits
        self.claim_ttl = claim_ttl
        self.claim_wait = claim_wait
        self.owner = owner
        self.clock = clock
        self.wall = wall_clock
        self.sleep = sleep
        self.random = random
        self.pin_factory = pin_factory
        self.gate = _ThrottleGate(clock, sleep, random)
        self.in_flight = asyncio.Semaphore(concurrency)
        self.held: set[str] = set()
        self.deferred: list[str] = []
        self.seen: set[str] = set()
        self.started = clock()
        self.started_wall = wall_clock()
        self.report = RotationReport(
            vault_location=vault.location, started_at=self.started_wall, dry_run=dry_run
        )
        self.counts = {o: 0 for o in Outcome}

    # -- bookkeeping -----------------------------------------------------------------------

    async def _record(self, outcome: NumberOutcome) -> None:
        self.report.outcomes.append(outcome)
        self.counts[outcome.outcome] += 1
        if self.on_progress is not None:
            result = self.on_progress(self.progress())
            if result is not None:
                await result

    def progress(self) -> Progress:
        c = self.counts
        return Progress(
            done=len(self.report.outcomes), total=self.total, rotated=c[Outcome.ROTATED],
            skipped=c[Outcome.SKIPPED], failed=c[Outcome.FAILED], elapsed=self.clock() - self.started,
            throttled_for=self.gate.total,
        )

    # -- the pool -------------------------------------------------------------------------

    async def run(self, ids: Iterable[str] | AsyncIterable[str]) -> RotationReport:
        renewer = asyncio.ensure_future(self._renew_claims())
        try:
            await self._pool(self._validated(ids), second_look=False)
            waited_since = self.clock()
            while self.deferred:
                batch, self.deferred = self.deferred, []
                await self._pool(_aiter(batch), second_look=True)
                if not self.deferred:
                    break
                if self.clock() - waited_since > self.claim_wait:
                    for pid in self.deferred:
                        await self._record(NumberOutcome(
                            phone_number_id=pid, outcome=Outcome.SKIPPED,
                            detail="claimed by another worker for longer than claim_wait",
                        ))
                    self.deferred = []
                    break
                await self.sleep(min(1.0, max(self.claim_ttl / 10, 0.05)))
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        self.report.finished_at = self.wall()
        self.report.duration = self.clock() - self.started
        self.report.throttled_for = self.gate.total
        return self.report

    async def _validated(self, ids: Iterable[str] | AsyncIterable[str]) -> Any:
        async for raw in _aiter(ids):
            pid = _valid_id(raw)
            if pid is None:
                shown = repr(raw)[:40]
                await self._record(NumberOutcome(
                    phone_number_id=str(raw)[:40], outcome=Outcome.FAILED, error_type="ValueError",
                    error=f"malformed phone number id {shown}: expected digits only",
                ))
                continue
            if pid in self.seen:
                await self._record(NumberOutcome(
                    phone_number_id=pid, outcome=Outcome.SKIPPED, detail="duplicate in input"
                ))
                continue
            self.seen.add(pid)
            yield pid

    async def _pool(self, source: Any, *, second_look: bool) -> None:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        workers_n = self.concurrency * 2

        async def produce() -> None:
            try:
                async for pid in source:
                    await queue.put(pid)
            finally:
                for _ in range(workers_n):
                    await queue.put(None)

        async def work() -> None:
            while True:
                pid = await queue.get()
                if pid is None:
                    return
                await self._one(pid, second_look=second_look)

        tasks = [asyncio.ensure_future(produce())] + [asyncio.ensure_future(work()) for _ in range(workers_n)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _renew_claims(self) -> None:
        interval = max(self.claim_ttl / 3, 0.01)
        while True:
            await asyncio.sleep(interval)
            if self.held:
                with contextlib.suppress(VaultError):
                    await self.vault.renew(sorted(self.held), self.owner, self.claim_ttl)

    # -- one number -----------------------------------------------------------------------

    async def _one(self, pid: str, *, second_look: bool) -> None:
        started = self.clock()
        if not await self.vault.claim(pid, self.owner, self.claim_ttl):
            self.deferred.append(pid)
            return
        self.held.add(pid)
        try:
            outcome = await self._rotate(pid, second_look=second_look)
        except ClaimLostError as exc:
            outcome = NumberOutcome(
                phone_number_id=pid, outcome=Outcome.SKIPPED, detail=f"claim lost to another worker: {exc}"
            )
        except VaultError:
            raise
        except Exception as exc:  # a bug or an unexpected failure must not stop the batch
            outcome = NumberOutcome(
                phone_number_id=pid, outcome=Outcome.FAILED, error_type=type(exc).__name__,
                error=_scrub(str(exc), ()), exception=exc,
            )
        finally:
            self.held.discard(pid)
            with contextlib.suppress(VaultError):
                await self.vault.release(pid, self.owner)
        await self._record(attrs.evolve(outcome, duration=self.clock() - started))

    async def _rotate(self, pid: str, *, second_look: bool) -> NumberOutcome:
        record = await self.vault.load(pid)
        if record is not None and record.state is PinState.PENDING:
            if self.dry_run:
                return _skip(pid, record, "dry run: would re-apply the pending PIN")
            return await self._apply(record, fresh=False)
        if self.resume_only:
            return _skip(pid, record, "nothing pending")
        now = self.wall()
        if second_look and record is not None and record.updated_at >= self.started_wall:
            return _skip(pid, record, "handled by another worker during this run")
        if self.min_age is not None and record is not None and record.rotated_at is not None:
            age = now - record.rotated_at
            if age < self.min_age:
                return _skip(pid, record, f"rotated {age:.0f} s ago (min_age {self.min_age:.0f} s)")
        if self.dry_run:
            return _skip(pid, record, "dry run: would rotate")
        record = record or PinRecord.new(pid)
        record = record.begin(self._new_pin(record), now)
        await self.vault.save(record, owner=self.owner)
        return await self._apply(record, fresh=True)

    def _new_pin(self, record: PinRecord) -> str:
        for _ in range(100):
            pin = self.pin_factory()
            if pin not in (record.current, record.previous):
                return pin
        raise RuntimeError("pin_factory keeps returning the current or previous PIN")

    async def _apply(self, record: PinRecord, *, fresh: bool) -> NumberOutcome:
        pid = record.phone_number_id
        pin = record.pending
        assert pin is not None
        client = self.wa.with_options(phone_number_id=pid)
        # A pending PIN found in the vault may have reached Meta in an earlier run.
        ambiguous = not fresh
        attempts = throttles = 0
        while True:
            await self.gate.wait()
            async with self.in_flight:
                sent_at = self.clock()
                error: MetaCloudError | None
                try:
                    answer = await client._send(RotationSetPinRequest(pin=pin), SuccessResponse)
                    error = None if answer.success else UnexpectedResponseError("set_pin answered success=false")
                except MetaCloudError as exc:
                    error = exc
            if error is None:
                self.gate.succeeded()
                record = record.applied(self.wall(), sent=attempts + throttles + 1)
                await self.vault.save(record, owner=self.owner)
                detail = "new PIN in effect" if fresh else "pending PIN re-applied and confirmed"
                return NumberOutcome(
                    phone_number_id=pid, outcome=Outcome.ROTATED, detail=detail, state=record.state.value,
                    attempts=attempts + throttles + 1,
                )
            kind = classify_error(error)
            if kind == "throttle":
                throttles += 1
                if throttles <= self.max_throttle_waits:
                    headers = error.headers if isinstance(error, GraphAPIError) else {}
                    self.gate.throttled(sent_at, server_wait_hint(headers))
                    continue
                return await self._give_up(
                    record, error, ambiguous=ambiguous, rejected=False, attempts=attempts, sent=attempts + throttles
                )
            attempts += 1
            if kind == "rejected":
                return await self._give_up(
                    record, error, ambiguous=ambiguous, rejected=True, attempts=attempts, sent=attempts + throttles
                )
            if kind == "ambiguous":
                ambiguous = True
            if attempts >= self.max_attempts:
                return await self._give_up(
                    record, error, ambiguous=ambiguous, rejected=False, attempts=attempts, sent=attempts + throttles
                )
            await self.sleep(min(0.5 * 2 ** (attempts - 1), 8.0) * (1.0 - 0.25 * self.random()))

    async def _give_up(
        self, record: PinRecord, error: MetaCloudError, *, ambiguous: bool, rejected: bool, attempts: int,
        sent: int,
    ) -> NumberOutcome:
        secrets = tuple(p for p in (record.pending, record.current, record.previous) if p)
        text = _scrub(f"{type(error).__name__}: {error}", secrets)[:500]
        now = self.wall()
        if not ambiguous:
            # Nothing we sent can have applied the PIN: the old one stays in effect.
            record = record.rejected(text, now, sent=sent)
            detail = "not applied; the previous PIN is still in effect"
        else:
            record = record.attempted(text, now, flagged=rejected, sent=sent)
            detail = (
                "rejected after an ambiguous attempt: FLAGGED, check this number by hand"
                if rejected
                else "may or may not be applied: still pending, run `pins resume`"
            )
        await self.vault.save(record, owner=self.owner)
        return NumberOutcome(
            phone_number_id=record.phone_number_id, outcome=Outcome.FAILED, detail=detail,
            state=record.state.value, error_type=type(error).__name__, error=_scrub(str(error), secrets)[:500],
            attempts=sent, flagged=record.flagged, exception=error,
        )


def _skip(pid: str, record: PinRecord | None, detail: str) -> NumberOutcome:
    return NumberOutcome(
        phone_number_id=pid,
        outcome=Outcome.SKIPPED, detail=detail, state=record.state.value if record is not None else None,
    )


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "******")
    return text


async def _aiter(ids: Iterable[str] | AsyncIterable[str]) -> Any:
    if isinstance(ids, AsyncIterable):
        async for item in ids:
            yield item
    else:
        for i, item in enumerate(ids):
            yield item
            if i % 256 == 255:
                await asyncio.sleep(0)


async def rotate_pins(
    wa: WhatsApp,
    phone_number_ids: Iterable[str] | AsyncIterable[str],
    *,
    vault: Vault,
    concurrency: int = 32,
    min_age: float | _dt.timedelta | None = None,
    dry_run: bool = False,
    resume_only: bool = False,
    on_progress: OnProgress | None = None,
    total: int | None = None,
    max_attempts: int = 4,
    max_throttle_waits: int = 10,
    claim_ttl: float = 60.0,
    claim_wait: float | None = None,
    worker_id: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    random: Callable[[], float] = _random.random,
    pin_factory: Callable[[], str] = generate_pin,
) -> RotationReport:
    """Give every number a fresh PIN (or settle its pending one); the vault is the only truth.

    ``phone_number_ids`` may be any iterable or async iterable and is
    consumed lazily (a bounded queue, ``2 * concurrency`` workers), so a
    100,000-line file streams. ``concurrency`` bounds ``set_pin`` requests in
    flight; pacing per WABA/app is the client's rate-limit middleware.
    Numbers rotated less than ``min_age`` ago are skipped; ``resume_only``
    only settles pending PINs; ``dry_run`` sends nothing and writes nothing.

    Failures never stop the batch: each number gets an outcome in the
    returned report. Only a vault failure (:class:`VaultError`) aborts, since
    no PIN may be sent that is not safely recorded first.

    ``claim_ttl`` is how long a crashed worker's claim on a number survives
    (renewed every third of it while alive); ``claim_wait`` how long to wait
    for numbers other workers hold (default: twice ``claim_ttl``).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    if claim_ttl <= 0:
        raise ValueError("claim_ttl must be positive")
    runner = _Rotation(
        wa, vault, concurrency=concurrency, min_age=_seconds(min_age), dry_run=dry_run, resume_only=resume_only,
        on_progress=on_progress, total=total, max_attempts=max_attempts, max_throttle_waits=max_throttle_waits,
        claim_ttl=claim_ttl, claim_wait=claim_ttl * 2 if claim_wait is None else claim_wait,
        owner=worker_id or uuid.uuid4().hex, clock=clock, wall_clock=wall_clock, sleep=sleep, random=random,
        pin_factory=pin_factory,
    )
    return await runner.run(phone_number_ids)
