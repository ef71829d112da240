"""Retries with exponential backoff, jitter, server hints and a time budget.

The wait before retry ``n`` (0-based) is::

    wait = min(initial_delay * 2**n, max_delay) * (1 - jitter * random())

unless the server said how long to wait: ``Retry-After`` (seconds or an HTTP
date), or else ``estimated_time_to_regain_access`` (minutes) in
``X-Business-Use-Case-Usage``. A hint longer than ``max_retry_after`` ends
the retries at once (the caller gets the throttling error to act on), and no
wait may carry the call past ``total_timeout`` seconds from its first attempt.

What is retried is decided per request object (see ``RequestMeta.idempotent``):

- a connection that never opened (:class:`ConnectError`): always;
- a timeout or a connection lost mid-request: only idempotent calls;
- a Graph error that says Meta refused the call without processing it (a
  throttle or maintenance code, :data:`~meta_cloud_async.errors.UNPROCESSED_CODES`):
  calls declared ``retry_refused`` (message sends: one held by 130429 or 131056 goes
  out once the wait is over), and idempotent calls;
- any other transient Graph error (``is_transient`` or a transient code):
  only idempotent calls; ``133016`` never;
- a body that is a one-shot async iterable: never (a factory of streams is re-opened per attempt).

A ``with_options(retry=...)`` copy's policy travels in ``request.meta.retry``
and replaces the middleware's own for that call (``None``: no retries).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
import random as _random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, Union

import attrs

from .._checks import check_callable, int_field, number_field
from .._hints import server_wait_hint
from .._http import Request, Response, is_replayable
from .._options import NOT_GIVEN
from ..errors import (
    UNPROCESSED_CODES,
    APIConnectionError,
    MetaCloudError,
    error_from_response,
    is_transient_code,
)
from .base import Handler
from .rate_limit import RateLimitMiddleware, must_observe

logger = logging.getLogger("meta_cloud_async")

__all__ = ["RetryAttempt", "RetryMiddleware", "RetryPolicy", "retries_disabled", "server_wait_hint"]


@attrs.frozen(kw_only=True)
class RetryAttempt:
    """What ``on_retry`` receives before each wait: which retry, how long, and why."""

    operation: str
    attempt: int
    wait: float
    cause: MetaCloudError


OnRetry = Callable[[RetryAttempt], Union[Awaitable[None], None]]


def _check_on_retry(_: Any, __: Any, value: Any) -> None:
    check_callable("on_retry", value, optional=True)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How hard to try; ``WhatsApp(retry=None)`` turns retrying off.

    Every number must be finite (``nan`` or ``inf`` would silently remove a
    cap): ``max_retries`` an int in ``[0, 100]``, delays and
    ``max_retry_after`` >= 0, ``jitter`` in ``[0, 1]``, ``total_timeout`` > 0
    or None (no overall budget). A wrong type is a ``TypeError`` naming the field.
    """

    max_retries: int = attrs.field(default=2, validator=int_field(minimum=0, maximum=100))
    initial_delay: float = attrs.field(default=0.5, validator=number_field(minimum=0))
    max_delay: float = attrs.field(default=8.0, validator=number_field(minimum=0))
    jitter: float = attrs.field(default=0.25, validator=number_field(minimum=0, maximum=1))
    total_timeout: float | None = attrs.field(
        default=60.0, validator=number_field(minimum=0, exclusive=True, optional=True)
    )
    max_retry_after: float = attrs.field(default=60.0, validator=number_field(minimum=0))
    on_retry: OnRetry | None = attrs.field(default=None, validator=_check_on_retry)

    def backoff(self, retry_index: int, rand: float) -> float:
        """The wait before retry ``retry_index`` (0-based) given ``rand`` in [0, 1)."""
        # The exponent is capped: 2.0 ** 1100 overflows a float long before any cap applies.
        base: float = min(self.initial_delay * 2.0 ** min(retry_index, 60), self.max_delay)
        return base * (1.0 - self.jitter * rand)


# A context variable, not a global: turning retries off in one test (one task) never
# changes what a concurrent task sees. Tasks created inside inherit the setting.
_disabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "meta_cloud_async_retries_disabled", default=False
)

F = TypeVar("F", bound=Callable[..., Any])


class retries_disabled:
    """Turn every client's retries off in the current task while active (for users' own test suites).

    A context manager (``with disable_retries(): ...``) or a decorator of a sync
    or async function (``@disable_retries()``); see
    :func:`meta_cloud_async.testing.disable_retries`.
    """

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(_disabled.set(True))

    def __exit__(self, *exc: object) -> None:
        _disabled.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with retries_disabled():
                    return await func(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with retries_disabled():
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]


class RetryMiddleware:
    """The outermost middleware: repeats a call while the policy allows it."""

    def __init__(
        self,
        policy: RetryPolicy | None,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._random = random

    def _should_retry(self, request: Request, cause: MetaCloudError) -> bool:
        if isinstance(cause, APIConnectionError):
            return request.meta.idempotent or not cause.request_sent
        code = getattr(cause, "code", None)
        if not request.meta.idempotent:
            return request.meta.retry_refused and code in UNPROCESSED_CODES
        if code == 133016:
            return False
        return bool(getattr(cause, "is_transient", False)) or is_transient_code(code)

    def __call__(
        self, request: Request, call_next: Handler, pacer: RateLimitMiddleware | None = None
    ) -> Awaitable[Response]:
        """One call; ``pacer`` is the rate limiter right inside, run inline (``build_chain`` fuses them)."""
        # A plain function: with retries off it hands back the next coroutine itself (no extra frame).
        policy = self.policy if request.meta.retry is NOT_GIVEN else request.meta.retry
        if policy is None or policy.max_retries == 0 or _disabled.get() or not is_replayable(request.content):
            # A one-shot stream body is never replayed: its bytes are gone once sent.
            return call_next(request) if pacer is None else pacer(request, call_next)
        return self._run(policy, request, call_next, pacer)

    async def _run(
        self, policy: RetryPolicy, request: Request, call_next: Handler, pacer: RateLimitMiddleware | None
    ) -> Response:
        started = self._clock()
        attempt = 0
        ambiguous = False  # an earlier attempt may have taken effect
        pace = None if pacer is None else pacer.policy_for(request.meta)
        while True:
            response: Response | None = None
            try:
                if pacer is None or pace is None:
                    response = await call_next(request)
                else:
                    # What the pacer's own ``_paced`` does, without its frame: take, send, learn.
                    pending = pacer.take(request, pace)
                    if pending is not None:
                        await pending
                    response = await call_next(request)
                    if must_observe(response):
                        await pacer.observe(request, response, pace)
            except APIConnectionError as exc:
                cause: MetaCloudError = exc
                hint: float | None = None
            else:
                if response.status_code < 400:
                    return self._mark(response, ambiguous) if ambiguous else response
                error = error_from_response(response)
                if error is None:
                    return self._mark(response, ambiguous)
                cause = error
                hint = server_wait_hint(response.headers, wall_clock=self._wall_clock)
            if attempt >= policy.max_retries or not self._should_retry(request, cause):
                return self._give_up(response, cause, ambiguous)
            if hint is not None:
                if hint > policy.max_retry_after:
                    return self._give_up(response, cause, ambiguous)
                wait = hint
            else:
                wait = policy.backoff(attempt, self._random())
            if policy.total_timeout is not None and (self._clock() - started) + wait > policy.total_timeout:
                return self._give_up(response, cause, ambiguous)
            ambiguous = ambiguous or cause.may_have_applied
            attempt += 1
            if policy.on_retry is not None:
                result = policy.on_retry(
                    RetryAttempt(operation=request.meta.operation, attempt=attempt, wait=wait, cause=cause)
                )
                if result is not None:
                    await result
            # INFO, like openai-python: a call never sleeps for minutes out of sight. No secrets:
            # the operation's name, the attempt, the wait and the cause's type and code only.
            logger.info(
                "retrying %s (retry %d of %d) in %.2f s after %s%s",
                request.meta.operation,
                attempt,
                policy.max_retries,
                wait,
                type(cause).__name__,
                "" if getattr(cause, "code", None) is None else f" {getattr(cause, 'code', '')}",
            )
            await self._sleep(wait)

    @staticmethod
    def _mark(response: Response, ambiguous: bool) -> Response:
        """Say on the answer that an earlier attempt may have taken effect (whatever its status)."""
        return attrs.evolve(response, prior_attempt_ambiguous=True) if ambiguous else response

    @classmethod
    def _give_up(cls, response: Response | None, cause: MetaCloudError, ambiguous: bool) -> Response:
        """Hand back the last answer (or raise the last error), saying if an earlier try may have applied."""
        if response is not None:
            return cls._mark(response, ambiguous)
        if ambiguous:
            cause.may_have_applied = True
        raise cause
