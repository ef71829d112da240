"""``rotate_pins``: give many numbers fresh PINs without ever losing one.

Per number: claim it, write the new PIN to the vault as *pending* (durable),
send it, then record it as *current*. A pending PIN found at the start is
re-applied as is; a number never gets a fresh PIN while an older one may be
in effect (see :mod:`.records` for the state machine).

Why the engine retries ``set_pin`` itself instead of the client's retry
middleware: only the engine can remember that an earlier attempt may have
reached Meta (a timeout, a reset), and that decides what a later definite
rejection means. So the PIN is sent through a ``with_options(retry=None)`` copy
of the client (pacing stays on) and every failure comes back here: a connection
that never opened is simply tried again, everything else is classified.
Throttling (80007, 4, 130429
...) pauses the whole run instead of burning each number's attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import logging
import random as _random
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, Union

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
from ..middleware.retry import RetryPolicy, server_wait_hint
from ..pins import generate_pin, validate_pin
from .records import PinRecord, PinState
from .report import NumberOutcome, Outcome, Progress, RotationReport
from .vault import ClaimLostError, Vault, VaultError

if TYPE_CHECKING:
    from .._client import WhatsApp

__all__ = ["classify_error", "rotate_pins"]

logger = logging.getLogger("meta_cloud_async")

# Between the engine's own attempts at one number (the client's retries are off for it).
_SEND_BACKOFF = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.25)

ErrorKind = Literal["not_sent", "throttle", "ambiguous", "rejected"]
OnProgress = Callable[[Progress], Union[Awaitable[None], None]]

_MAY_BE_APPLIED = "may or may not be applied: still pending, run `pins resume`"


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
        self._backoff = RetryPolicy(initial_delay=initial, max_delay=maximum, jitter=0.25).backoff
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
            hint = self._backoff(self.streak, self._random())
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
        # The last record this run saved per number in hand, for outcomes when the vault cannot be read.
        self.saved: dict[str, PinRecord] = {}
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
            done=len(self.report.outcomes),
            total=self.total,
            rotated=c[Outcome.ROTATED],
            skipped=c[Outcome.SKIPPED],
            failed=c[Outcome.FAILED],
            elapsed=self.clock() - self.started,
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
                        await self._record(
                            NumberOutcome(
                                phone_number_id=pid,
                                outcome=Outcome.SKIPPED,
                                detail="claimed by another worker for longer than claim_wait",
                            )
                        )
                    self.deferred = []
                    break
                await self.sleep(min(1.0, max(self.claim_ttl / 10, 0.05)))
        finally:
            renewer.cancel()
            # Whatever the renewer ended with, it must not replace the run's result or error.
            await asyncio.gather(renewer, return_exceptions=True)
        self.report.finished_at = self.wall()
        self.report.duration = self.clock() - self.started
        self.report.throttled_for = self.gate.total
        return self.report

    async def _validated(self, ids: Iterable[str] | AsyncIterable[str]) -> Any:
        position = 0
        async for raw in _aiter(ids):
            position += 1
            pid = _valid_id(raw)
            if pid is None:
                # Never echo the line: an "id,pin" line would put the PIN in the report.
                size = f"{len(raw)} chars" if isinstance(raw, str) else type(raw).__name__
                await self._record(
                    NumberOutcome(
                        phone_number_id=f"<malformed input #{position}, {size}>",
                        outcome=Outcome.FAILED,
                        error_type="ValueError",
                        error="malformed phone number id: expected digits only",
                    )
                )
                continue
            if pid in self.seen:
                await self._record(
                    NumberOutcome(phone_number_id=pid, outcome=Outcome.SKIPPED, detail="duplicate in input")
                )
                continue
            self.seen.add(pid)
            yield pid

    async def _pool(self, source: Any, *, second_look: bool) -> None:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        workers_n = self.concurrency * 2

        async def produce() -> None:
            # Sentinels only after the input ended normally: when the pool is being torn down
            # (a worker raised, or we were cancelled) nobody consumes, and a blocking put would hang.
            async for pid in source:
                await queue.put(pid)
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
        """Keep our claims alive; a failed renewal is retried next time, never fatal.

        Losing a claim is safe (saves are fenced and raise :class:`ClaimLostError`),
        so an error here is logged (its type only: no ids' PINs, no URLs) and the
        loop goes on.
        """
        interval = max(self.claim_ttl / 3, 0.01)
        while True:
            await asyncio.sleep(interval)
            if not self.held:
                continue
            try:
                await self.vault.renew(sorted(self.held), self.owner, self.claim_ttl)
            except Exception as exc:  # any failure: keep renewing
                logger.warning(
                    "renewing %d claims in %s failed (%s); retrying in %.1f s",
                    len(self.held),
                    self.vault.location,
                    type(exc).__name__,
                    interval,
                )

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
            outcome = await self._unexpected(pid, exc)
        finally:
            self.held.discard(pid)
            self.saved.pop(pid, None)
            with contextlib.suppress(VaultError):
                await self.vault.release(pid, self.owner)
        await self._record(attrs.evolve(outcome, duration=self.clock() - started))

    async def _unexpected(self, pid: str, exc: Exception) -> NumberOutcome:
        """An outcome for a failure outside the state machine that still tells the truth about the vault.

        The vault, not the code path, says whether a PIN is pending: reload the
        record (falling back to the last one this run saved) so a pending number
        is reported as such and lands in ``report.pending``.
        """
        record = self.saved.get(pid)
        try:
            record = await self.vault.load(pid)
        except Exception:  # the vault may be what failed; keep what we know
            pass
        secrets = (
            () if record is None else tuple(p for p in (record.pending, record.current, record.previous) if p)
        )
        pending = record is not None and record.state is PinState.PENDING
        return NumberOutcome(
            phone_number_id=pid,
            outcome=Outcome.FAILED,
            detail=_MAY_BE_APPLIED if pending else "",
            state=None if record is None else record.state.value,
            error_type=type(exc).__name__,
            error=_scrub(str(exc), secrets)[:500],
            flagged=record is not None and record.flagged,
            exception=exc,
        )

    async def _save(self, record: PinRecord) -> None:
        await self.vault.save(record, owner=self.owner)
        self.saved[record.phone_number_id] = record

    async def _rotate(self, pid: str, *, second_look: bool) -> NumberOutcome:
        record = await self.vault.load(pid)
        if record is not None and record.state is PinState.PENDING:
            if record.pending is not None and not _is_pin(record.pending):
                return await self._roll_back_malformed(record)
            if self.dry_run:
                return _skip(pid, record, "dry run: would re-apply the pending PIN")
            return await self._apply(record, fresh=False)
        if self.resume_only:
            return _skip(pid, record, "nothing pending")
        now = self.wall()
        if second_look and record is not None and record.updated_at >= self.started_wall:
            return _skip(pid, record, "handled by another worker during this run")
        if record is not None and record.rotated_at is not None and record.rotated_at > self.started_wall:
            # Another worker walking the same list got here first: one run never rotates a number twice.
            return _skip(pid, record, "rotated by another worker during this run")
        if self.min_age is not None and record is not None and record.rotated_at is not None:
            age = now - record.rotated_at
            if age < self.min_age:
                return _skip(pid, record, f"rotated {age:.0f} s ago (min_age {self.min_age:.0f} s)")
        if self.dry_run:
            return _skip(pid, record, "dry run: would rotate")
        record = record or PinRecord.new(pid)
        record = record.begin(self._new_pin(record), now)
        await self._save(record)
        return await self._apply(record, fresh=True)

    def _new_pin(self, record: PinRecord) -> str:
        """A fresh PIN, checked before it is saved: a malformed pending PIN could never be applied."""
        for _ in range(100):
            pin = validate_pin(self.pin_factory(), name="pin_factory() result")
            if pin not in (record.current, record.previous):
                return pin
        raise RuntimeError("pin_factory keeps returning the current or previous PIN")

    async def _roll_back_malformed(self, record: PinRecord) -> NumberOutcome:
        """A pending PIN that is not six digits was never sent (requests validate it first): drop it."""
        pid = record.phone_number_id
        error = "the pending PIN in the vault is malformed (not 6 digits); it cannot have been sent"
        if self.dry_run:
            return _skip(pid, record, f"dry run: {error}; would roll it back to the current PIN")
        record = record.rejected(error, self.wall(), sent=0)
        await self._save(record)
        return NumberOutcome(
            phone_number_id=pid,
            outcome=Outcome.FAILED,
            state=record.state.value,
            error_type="ValueError",
            error=error,
            detail="malformed pending PIN dropped; the previous PIN is still in effect",
        )

    async def _apply(self, record: PinRecord, *, fresh: bool) -> NumberOutcome:
        pid = record.phone_number_id
        pin = record.pending
        assert pin is not None
        # The client's retries are off for rotation: the engine decides on every repeat itself.
        client = self.wa.with_options(phone_number_id=pid, retry=None)
        # A pending PIN found in the vault may have reached Meta in an earlier run.
        ambiguous = not fresh
        attempts = throttles = 0
        while True:
            await self.gate.wait()
            async with self.in_flight:
                sent_at = self.clock()
                error: MetaCloudError | None
                unexpected: Exception | None = None
                try:
                    answer = await client.two_step_verification.set_pin(pin)
                    error = (
                        None if answer.success else UnexpectedResponseError("set_pin answered success=false")
                    )
                except MetaCloudError as exc:
                    error = exc
                except Exception as exc:
                    error, unexpected = None, exc
            if unexpected is not None:
                # Not the API's answer (a bug, a middleware's store failing after the response): the PIN
                # may have reached Meta and nothing tells us more, so stop here and leave it pending.
                attempts += 1
                return await self._give_up(
                    record,
                    unexpected,
                    ambiguous=True,
                    rejected=False,
                    attempts=attempts,
                    sent=attempts + throttles,
                )
            if error is None:
                self.gate.succeeded()
                record = record.applied(self.wall(), sent=attempts + throttles + 1)
                await self._save(record)
                detail = "new PIN in effect" if fresh else "pending PIN re-applied and confirmed"
                return NumberOutcome(
                    phone_number_id=pid,
                    outcome=Outcome.ROTATED,
                    detail=detail,
                    state=record.state.value,
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
                    record,
                    error,
                    ambiguous=ambiguous,
                    rejected=False,
                    attempts=attempts,
                    sent=attempts + throttles,
                )
            attempts += 1
            if kind == "rejected":
                return await self._give_up(
                    record,
                    error,
                    ambiguous=ambiguous,
                    rejected=True,
                    attempts=attempts,
                    sent=attempts + throttles,
                )
            if kind == "ambiguous":
                ambiguous = True
            if attempts >= self.max_attempts:
                return await self._give_up(
                    record,
                    error,
                    ambiguous=ambiguous,
                    rejected=False,
                    attempts=attempts,
                    sent=attempts + throttles,
                )
            await self.sleep(_SEND_BACKOFF.backoff(attempts - 1, self.random()))

    async def _give_up(
        self,
        record: PinRecord,
        error: Exception,
        *,
        ambiguous: bool,
        rejected: bool,
        attempts: int,
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
                else _MAY_BE_APPLIED
            )
        await self._save(record)
        return NumberOutcome(
            phone_number_id=record.phone_number_id,
            outcome=Outcome.FAILED,
            detail=detail,
            state=record.state.value,
            error_type=type(error).__name__,
            error=_scrub(str(error), secrets)[:500],
            attempts=sent,
            flagged=record.flagged,
            exception=error,
        )


def _skip(pid: str, record: PinRecord | None, detail: str) -> NumberOutcome:
    return NumberOutcome(
        phone_number_id=pid,
        outcome=Outcome.SKIPPED,
        detail=detail,
        state=record.state.value if record is not None else None,
    )


def _is_pin(pin: str) -> bool:
    try:
        validate_pin(pin)
    except ValueError:
        return False
    return True


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
        wa,
        vault,
        concurrency=concurrency,
        min_age=_seconds(min_age),
        dry_run=dry_run,
        resume_only=resume_only,
        on_progress=on_progress,
        total=total,
        max_attempts=max_attempts,
        max_throttle_waits=max_throttle_waits,
        claim_ttl=claim_ttl,
        claim_wait=claim_ttl * 2 if claim_wait is None else claim_wait,
        owner=worker_id or uuid.uuid4().hex,
        clock=clock,
        wall_clock=wall_clock,
        sleep=sleep,
        random=random,
        pin_factory=pin_factory,
    )
    return await runner.run(phone_number_ids)
