"""The :class:`Sandbox`: one fake business, reachable in-process or over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from .budgets import Budget
from .clock import Clock, Sleep, VirtualClock
from .faults import FaultConfig, FaultInjector
from .media_state import MediaStore, store_of
from .router import RequestLogEntry, Router
from .state import Business, Limits, PhoneNumberState
from .transport import SandboxTransport

__all__ = ["DEFAULT_ACCESS_TOKEN", "DEFAULT_APP_BUDGET", "DEFAULT_WABA_BUDGET", "Sandbox"]

#: The token a sandbox accepts unless told otherwise. Not a secret: it only opens sandboxes.
DEFAULT_ACCESS_TOKEN = "sandbox-access-token"
#: Generous but finite: a large rotation fits, a runaway loop still hits 4 / 80007.
DEFAULT_APP_BUDGET = Budget(1_000_000, 3600.0)
DEFAULT_WABA_BUDGET = Budget(500_000, 3600.0)


class Sandbox:
    """A stateful fake of the Graph API for one business.

    ``phone_numbers`` numbers spread over ``wabas`` WhatsApp Business Accounts,
    all derived from ``seed`` (ids, display numbers, initial PINs, codes).
    Numbers start ``registered`` with ``initial_pin`` (``"random"``: a seeded
    PIN per number; ``None``: no 2SV yet; or one fixed PIN). ``clock`` is a
    callable returning seconds (pass a :class:`VirtualClock` for virtual
    time; then ``sleep`` defaults to advancing it, so latency faults are
    instant). ``faults`` is a :class:`FaultConfig` or its text form.
    """

    def __init__(
        self,
        *,
        phone_numbers: int = 1,
        wabas: int = 1,
        seed: int = 0,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        faults: FaultConfig | str | None = None,
        app_budget: Budget | str = DEFAULT_APP_BUDGET,
        waba_budget: Budget | str = DEFAULT_WABA_BUDGET,
        limits: Limits | None = None,
        registered: bool = True,
        initial_pin: str | None = "random",
        code_verified: bool = True,
        request_log_size: int = 10_000,
    ) -> None:
        if not access_token or any(c.isspace() for c in access_token):
            raise ValueError("access_token must be a non-empty string without whitespace")
        self.access_token = access_token
        self.seed = seed
        self.clock: Clock = clock if clock is not None else time.monotonic
        if sleep is None:
            sleep = clock.sleep if isinstance(clock, VirtualClock) else asyncio.sleep
        self.sleep: Sleep = sleep
        self.faults = FaultConfig.parse(faults) if isinstance(faults, str) else faults
        self.limits = limits or Limits()
        self._business_args: dict[str, Any] = {
            "phone_numbers": phone_numbers,
            "wabas": wabas,
            "seed": seed,
            "registered": registered,
            "initial_pin": initial_pin,
            "code_verified": code_verified,
            "limits": self.limits,
        }
        advance = clock.advance if isinstance(clock, VirtualClock) else None
        self.router = Router(
            business=Business(**self._business_args),
            access_token=access_token,
            clock=self.clock,
            faults=FaultInjector(self.faults, seed),
            app_budget=Budget.parse(app_budget) if isinstance(app_budget, str) else app_budget,
            waba_budget=Budget.parse(waba_budget) if isinstance(waba_budget, str) else waba_budget,
            log_size=request_log_size,
            on_reset=self.reset,
            advance=advance,
        )

    # -- the business --------------------------------------------------------------

    @property
    def waba_ids(self) -> list[str]:
        return list(self.router.business.waba_ids)

    @property
    def phone_number_ids(self) -> list[str]:
        """Every number's id, in a stable order (by WABA, then creation)."""
        return list(self.router.business.phone_ids)

    def phone_number_ids_of(self, waba_id: str) -> list[str]:
        return [p.id for p in self.router.business.waba_phones[waba_id]]

    def state(self, phone_number_id: str) -> PhoneNumberState:
        """A frozen snapshot of one number, PIN and pending verification code included."""
        if phone_number_id not in self.router.business.phones:
            raise KeyError(f"no phone number {phone_number_id!r} in this sandbox")
        return self.router.business.snapshot(phone_number_id, self.clock())

    @property
    def media(self) -> MediaStore:
        """Stored media and resumable upload sessions (capped: ``media.capacity`` bytes, 256 MiB by default)."""
        return store_of(self.router.business)

    @property
    def request_log(self) -> list[RequestLogEntry]:
        """The most recent Graph calls (admin calls excluded), oldest first, bodies redacted."""
        return list(self.router.log)

    def reset(self) -> None:
        """Back to the state the constructor made: same ids, PINs, budgets and fault sequence."""
        self.router.reset(Business(**self._business_args), FaultInjector(self.faults, self.seed))

    # -- time ------------------------------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move a virtual clock forward; ``TypeError`` on the real clock."""
        if not isinstance(self.clock, VirtualClock):
            raise TypeError("advance() needs a sandbox built with clock=VirtualClock()")
        return self.clock.advance(seconds)

    # -- the two doors ---------------------------------------------------------------

    def transport(self, *, sleep: Sleep | None = None) -> SandboxTransport:
        """An in-process Transport for ``WhatsApp(transport=...)``; no sockets."""
        return SandboxTransport(self, sleep=sleep)

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the same sandbox over HTTP for the block; yields the base URL."""
        from .server import serve

        async with serve(self, host, port) as base_url:
            yield base_url

    def __repr__(self) -> str:
        business = self.router.business
        return f"Sandbox(phone_numbers={len(business.phone_ids)}, wabas={len(business.waba_ids)}, seed={self.seed})"
