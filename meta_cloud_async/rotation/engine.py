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
import math
import random as _random
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Union

from .._options import NOT_GIVEN
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
from ..types.two_step_verification import SetPinRequest
from .records import PinRecord, PinState
from .report import NumberOutcome, Outcome, Progress, RotationReport
from .vault import ClaimLostError, CorruptRecordError, Vault, VaultError, check_callable, check_seconds

if TYPE_CHECKING:
    from .._client import WhatsApp

__all__ = ["classify_error", "rotate_pins"]

logger = logging.getLogger("meta_cloud_async")

# Between the engine's own attempts at one number (the client's retries are off for it).
_SEND_BACKOFF = RetryPolicy(initial_delay=0.5, max_delay=8.0, jitter=0.25)

ErrorKind = Literal["not_sent", "throttle", "ambiguous", "rejected"]
OnProgress = Callable[[Progress], Union[Awaitable[None], None]]

_MAY_BE_APPLIED = "may or may not be applied: still pending, run `pins resume`"
_CLAIM_WAIT_EXCEEDED = "claimed by another worker for longer than claim_wait"
_STOP_DEADLINE = 5.0
"""Real seconds a torn-down pool gets to stop (cancelled again every half second) before it is abandoned."""
_RELEASE_DEADLINE = 2.0
"""Real seconds a finished or failed run spends handing back claims it may still hold."""


_NEVER = float("-inf")
"""``_ThrottleGate.until`` before the first throttle."""


class _RunStopped(Exception):
    """The run is being torn down: a worker still going (a swallowed cancel) sends nothing more."""


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
        self.until = _NEVER
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
    if isinstance(value, bool) or not isinstance(value, int | float | _dt.timedelta):
        raise TypeError(f"min_age must be seconds or a timedelta, got {type(value).__name__}")
    seconds = value.total_seconds() if isinstance(value, _dt.timedelta) else float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"min_age must be a finite number of seconds >= 0, got {value!r}")
    return seconds


def _check_int(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number within {low}..{high}, got {value!r}")
    return value


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
        self.stopping = False
        """Set when the run aborts: workers that missed their cancel check it between steps."""
        self._no_retry: WhatsApp | None = None
        """``wa.with_options(retry=None)``, made once: the parent of every number's copy."""
        self.preflighted = False
        """A set-PIN request was built once: the copies differ only in a validated digits-only id."""
        self.held: set[str] = set()
        # Numbers whose claim this run may hold in the store (a claim call cancelled mid-flight may
        # have succeeded): released at the end, so a failed run leaves no claims behind.
        self.outstanding: set[str] = set()
        self.deferred: list[str] = []
        # A dict of str keys, not a set: the collector stops tracking it, so a full pass does not
        # walk every id of a long run.
        self.seen: dict[str, None] = {}
        # The last record this run saved per number in hand, for outcomes when the vault cannot be read.
        self.saved: dict[str, PinRecord] = {}
        self.started = clock()
        self.started_wall = wall_clock()
        identity = getattr(vault, "identity", None)
        self.report = RotationReport(
            vault_location=vault.location,
            started_at=self.started_wall,
            dry_run=dry_run,
            vault_id=getattr(identity, "vault_id", None),
            vault_generation=getattr(identity, "generation", None),
            sandbox=bool(getattr(identity, "sandbox", False)),
            vault_args=getattr(vault, "cli_args", None),
        )
        self.counts = {o: 0 for o in Outcome}

    # -- bookkeeping -----------------------------------------------------------------------

    async def _record(self, outcome: NumberOutcome, duration: float | None = None) -> None:
        self._note(outcome, duration)
        if self.on_progress is not None:
            await self._progressed()

    def _note(self, outcome: NumberOutcome, duration: float | None) -> None:
        """The report's side of :meth:`_record`, a plain call (no coroutine per number without ``on_progress``)."""
        self.report.outcomes.append(outcome, duration=duration)
        self.counts[outcome.outcome] += 1

    async def _progressed(self) -> None:
        assert self.on_progress is not None
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
                                detail=_CLAIM_WAIT_EXCEEDED,
                                unsettled=True,
                            )
                        )
                    self.deferred = []
                    break
                await self.sleep(min(1.0, max(self.claim_ttl / 10, 0.05)))
        except VaultError as exc:
            # The run is over, but what it did is known: hand the partial report to the caller.
            self._finish_report()
            self.report.aborted = f"{type(exc).__name__}: {str(exc)[:300]}"
            exc.report = self.report
            raise
        finally:
            self.stopping = True
            # Whatever the renewer ended with, it must not replace the run's result or error.
            await _stop_tasks([renewer])
            await self._release_outstanding()
        self._finish_report()
        return self.report

    def _finish_report(self) -> None:
        self.report.finished_at = self.wall()
        self.report.duration = self.clock() - self.started
        self.report.throttled_for = self.gate.total

    async def _release_outstanding(self) -> None:
        """Hand back every claim this run may still hold (best effort, bounded in real time)."""
        if not self.outstanding:
            return
        pids, self.outstanding = sorted(self.outstanding), set()

        async def release_all() -> None:
            for pid in pids:
                with contextlib.suppress(Exception):
                    await self.vault.release(pid, self.owner)

        task = asyncio.ensure_future(release_all())
        done, _ = await asyncio.wait([task], timeout=_RELEASE_DEADLINE)
        if not done:
            logger.warning(
                "could not release %d claims in %s in time; they expire after claim_ttl",
                len(pids),
                self.vault.location,
            )
            await _stop_tasks([task], deadline=1.0)

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
            self.seen[pid] = None
            yield pid

    async def _pool(self, source: Any, *, second_look: bool) -> None:
        queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        workers_n = self.concurrency * 2

        async def produce() -> None:
            # Sentinels only after the input ended normally: when the pool is being torn down
            # (a worker raised, or we were cancelled) the teardown puts them, without blocking.
            async for pid in source:
                if self.stopping:
                    return
                await queue.put(pid)
            for _ in range(workers_n):
                await queue.put(None)

        async def work() -> None:
            while not self.stopping:
                pid = await queue.get()
                if pid is None or self.stopping:
                    return
                await self._one(pid, second_look=second_look)

        def wake_workers() -> None:
            # Workers that survived a cancel may be waiting on an empty queue: one sentinel each.
            while not queue.empty():
                queue.get_nowait()
            for _ in range(workers_n):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)

        tasks = [asyncio.ensure_future(produce())] + [asyncio.ensure_future(work()) for _ in range(workers_n)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            # Shutdown must not depend on one cancel being honoured: a cancel landing inside a
            # library's wait_for can be swallowed (Python 3.11), so: a stop flag every worker checks
            # between steps, sentinels for workers blocked on the queue, and cancels repeated until
            # every task is done or a deadline passes.
            self.stopping = True
            await _stop_tasks(tasks, wake=wake_workers)
            raise

    async def _renew_claims(self) -> None:
        """Keep our claims alive; a failed renewal is retried next time, never fatal.

        Losing a claim is safe (saves are fenced and raise :class:`ClaimLostError`),
        so an error here is logged (its type only: no ids' PINs, no URLs) and the
        loop goes on.
        """
        interval = max(self.claim_ttl / 3, 0.01)
        while not self.stopping:
            await self.sleep(interval)
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
        if self.stopping:
            return
        started = self.clock()
        self.outstanding.add(pid)  # before the call: a claim cancelled in flight may still have landed
        if not await self.vault.claim(pid, self.owner, self.claim_ttl):
            self.outstanding.discard(pid)
            self.deferred.append(pid)
            return
        self.held.add(pid)
        try:
            outcome = await self._rotate(pid, second_look=second_look)
        except ClaimLostError as exc:
            outcome = NumberOutcome(
                phone_number_id=pid,
                outcome=Outcome.SKIPPED,
                detail=f"claim lost to another worker: {exc}",
                unsettled=True,
            )
        except CorruptRecordError as exc:
            # One damaged record stops only its own number: nothing is sent for it.
            outcome = NumberOutcome(
                phone_number_id=pid,
                outcome=Outcome.FAILED,
                detail="corrupt record in the vault: nothing sent; repair or remove the record by hand",
                error_type=type(exc).__name__,
                error=exc.reason,
            )
        except VaultError:
            raise
        except _RunStopped:
            outcome = self._stopped(pid)
        except Exception as exc:  # a bug or an unexpected failure must not stop the batch
            outcome = await self._unexpected(pid, exc)
        finally:
            self.held.discard(pid)
            self.saved.pop(pid, None)
            with contextlib.suppress(VaultError):
                await self.vault.release(pid, self.owner)
                self.outstanding.discard(pid)
        self._note(outcome, self.clock() - started)
        if self.on_progress is not None:
            await self._progressed()

    def _stopped(self, pid: str) -> NumberOutcome:
        """The outcome of a number a torn-down run reached after it failed: nothing more was sent."""
        record = self.saved.pop(pid, None)
        pending = record is not None and record.state is PinState.PENDING
        return NumberOutcome(
            phone_number_id=pid,
            outcome=Outcome.FAILED,
            detail=(_MAY_BE_APPLIED if pending else "not started")
            + " (the run stopped after a vault failure)",
            state=None if record is None else record.state.value,
            error_type="RunStopped",
            error="the run was stopped",
        )

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
        pin = self._new_pin(record)
        client = self._client(pid)
        if not self.preflighted:
            _preflight(client, pin)
            self.preflighted = True
        if self.stopping:
            raise _RunStopped
        record = record.begin(pin, now)
        # ``_save`` inlined on the two saves every number makes: one frame fewer to resume.
        await self.vault.save(record, owner=self.owner)
        self.saved[pid] = record
        return await self._apply(record, fresh=True, client=client)

    def _client(self, pid: str) -> WhatsApp:
        # The client's retries are off for rotation: the engine decides on every repeat itself.
        # The copy is what ``wa.with_options(phone_number_id=pid, retry=None)`` builds, made
        # without its cache: a run meets each number once, so caching every copy would only
        # cost a lookup, a stored state and the cache's churn per number.
        base = self._no_retry
        if base is None:
            base = self._no_retry = self.wa.with_options(retry=None)
        return base._new_copy(
            access_token=NOT_GIVEN,
            phone_number_id=pid,
            business_account_id=NOT_GIVEN,
            app_id=NOT_GIVEN,
            api_version=NOT_GIVEN,
            timeout=NOT_GIVEN,
            retry=NOT_GIVEN,
            rate_limit=NOT_GIVEN,
            extra_headers=NOT_GIVEN,
        )

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

    async def _apply(
        self, record: PinRecord, *, fresh: bool, client: WhatsApp | None = None
    ) -> NumberOutcome:
        pid = record.phone_number_id
        pin = record.pending
        assert pin is not None
        if client is None:
            client = self._client(pid)
        # The request built once per number (frozen, its PIN validated) and sent through the client's
        # own call path, not ``client.two_step_verification``: that namespace, cached on the copy,
        # would tie the copy and itself into a reference cycle per number, and its frame is one more
        # to resume at every wait.
        request: SetPinRequest | None = None
        gate = self.gate
        # A pending PIN found in the vault may have reached Meta in an earlier run.
        ambiguous = not fresh
        attempts = throttles = 0
        while True:
            if gate.until != _NEVER:  # never throttled yet: no pause to wait out, no coroutine
                await gate.wait()
            if self.stopping:
                raise _RunStopped
            async with self.in_flight:
                sent_at = self.clock()
                error: MetaCloudError | None
                unexpected: Exception | None = None
                try:
                    if request is None:  # inside the try: a refused PIN is this attempt's failure
                        request = SetPinRequest(pin=pin)
                    answer = await client._call(request)
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
                gate.succeeded()
                record = record.applied(self.wall(), sent=attempts + throttles + 1)
                await self.vault.save(record, owner=self.owner)
                self.saved[pid] = record
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


def _preflight(client: WhatsApp, pin: str) -> None:
    """Build (never send) the set-PIN request, so a client that cannot build one fails before a pending save.

    Without this, every number would get a pending PIN that was never sent.
    """
    client.build_request(SetPinRequest(pin=pin))


async def _stop_tasks(
    tasks: Sequence[asyncio.Future[Any]],
    *,
    wake: Callable[[], None] | None = None,
    deadline: float = _STOP_DEADLINE,
) -> None:
    """Cancel ``tasks`` until all are done, re-cancelling every half second, for at most ``deadline`` real s.

    Tasks still running after the deadline are abandoned with a warning rather
    than hanging the caller; their exceptions are retrieved, never raised here.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while True:
        pending = [t for t in tasks if not t.done()]
        if not pending:
            break
        for task in pending:
            task.cancel()
        if wake is not None:
            wake()
        remaining = end - loop.time()
        if remaining <= 0:
            logger.warning("%d rotation tasks ignored cancellation; abandoning them", len(pending))
            break
        await asyncio.wait(pending, timeout=min(0.5, remaining))
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: never "exception was never retrieved" noise


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
    (renewed every third of it while alive; 1 s to 7 days); ``claim_wait`` how
    long to wait for numbers other workers hold (default: twice ``claim_ttl``).
    Settings must be finite and within their bounds (``ValueError`` names the
    argument). A :class:`VaultError` that aborts the run carries the partial
    report as ``exc.report``.
    """
    if isinstance(phone_number_ids, str | bytes | bytearray | memoryview):
        raise TypeError(
            "phone_number_ids must be an iterable of ids, not one str/bytes (it would be read per character); "
            "pass a list, e.g. [phone_number_id]"
        )
    if not isinstance(phone_number_ids, Iterable | AsyncIterable):
        raise TypeError(f"phone_number_ids must be an iterable of ids, got {type(phone_number_ids).__name__}")
    if not isinstance(vault, Vault):
        raise TypeError(f"vault must implement the Vault protocol, got {type(vault).__name__}")
    _check_int(concurrency, "concurrency", 1, 10_000)
    _check_int(max_attempts, "max_attempts", 1, 100)
    _check_int(max_throttle_waits, "max_throttle_waits", 0, 10_000)
    if total is not None:
        _check_int(total, "total", 0, 10**12)
    claim_ttl = check_seconds(claim_ttl, "claim_ttl", low=1.0, high=7 * 86400.0)
    claim_wait = (
        claim_ttl * 2
        if claim_wait is None
        else check_seconds(claim_wait, "claim_wait", low=0.0, high=7 * 86400.0)
    )
    if worker_id is not None and (not isinstance(worker_id, str) or not 0 < len(worker_id) <= 200):
        raise ValueError("worker_id must be a non-empty str of at most 200 characters")
    for name, fn in (
        ("clock", clock),
        ("wall_clock", wall_clock),
        ("sleep", sleep),
        ("random", random),
        ("pin_factory", pin_factory),
    ):
        check_callable(fn, name)
    if on_progress is not None:
        check_callable(on_progress, "on_progress")
    if getattr(wa, "is_closed", False):
        raise RuntimeError("this WhatsApp client is closed: nothing was sent or saved")
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
        claim_wait=claim_wait,
        owner=worker_id or uuid.uuid4().hex,
        clock=clock,
        wall_clock=wall_clock,
        sleep=sleep,
        random=random,
        pin_factory=pin_factory,
    )
    return await runner.run(phone_number_ids)
