"""The vault protocol: a durable store of :class:`PinRecord` rows, plus claims.

A vault only stores; the state machine lives in :mod:`.records` and the
engine. Implement :class:`Vault` (or subclass :class:`BaseVault`, which
supplies in-process claims and ``get_pin``) to keep PINs in your own secret
store; see docs/rotation.md for a secrets-manager example.
"""

from __future__ import annotations

import abc
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol, runtime_checkable

from ._crypto import WrongKeyError
from .records import PinLookup, PinRecord

__all__ = [
    "BaseVault",
    "ClaimLostError",
    "MemoryVault",
    "Vault",
    "VaultError",
    "VaultLockedError",
    "WrongKeyError",
]


class VaultError(Exception):
    """The vault cannot be used (unreachable, corrupt, wrong schema)."""


class VaultLockedError(VaultError):
    """Another process holds the vault; two rotations must never share one SQLite file."""


class ClaimLostError(VaultError):
    """This worker's claim on a number expired and another worker may own it now."""


@runtime_checkable
class Vault(Protocol):
    """What :func:`rotate_pins` needs from a PIN store.

    ``save`` must be durable when it returns: the engine sends a PIN to Meta
    only after the pending row is saved. ``owner`` (a claim holder id) lets a
    shared store refuse writes from a worker whose claim has expired.
    ``claim`` is atomic: at most one owner holds a number until ``ttl``
    seconds pass without ``renew``.
    """

    @property
    def location(self) -> str:
        """Where the PINs live, for people (a path or URL without credentials)."""
        ...

    async def load(self, phone_number_id: str) -> PinRecord | None: ...

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None: ...

    async def claim(self, phone_number_id: str, owner: str, ttl: float) -> bool: ...

    async def renew(self, phone_number_ids: Sequence[str], owner: str, ttl: float) -> None: ...

    async def release(self, phone_number_id: str, owner: str) -> None: ...

    def records(self) -> AsyncIterator[PinRecord]: ...

    async def get_pin(self, phone_number_id: str) -> PinLookup: ...

    async def aclose(self) -> None: ...


class BaseVault(abc.ABC):
    """Claims kept in this process (right for any store used by one process at a time) and ``get_pin``.

    ``clock`` times claim expiry (injected by tests).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._claims: dict[str, tuple[str, float]] = {}
        self._clock = clock

    @property
    def location(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    async def load(self, phone_number_id: str) -> PinRecord | None:
        """The number's record, or None if it never had one."""

    @abc.abstractmethod
    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        """Store ``record`` durably before returning: a PIN is sent only after this."""

    @abc.abstractmethod
    def records(self) -> AsyncIterator[PinRecord]:
        """Every record, for ``pins status`` and ``pins resume``."""

    async def aclose(self) -> None:
        return None

    async def claim(self, phone_number_id: str, owner: str, ttl: float) -> bool:
        now = self._clock()
        held = self._claims.get(phone_number_id)
        if held is not None and held[0] != owner and held[1] > now:
            return False
        self._claims[phone_number_id] = (owner, now + ttl)
        return True

    async def renew(self, phone_number_ids: Sequence[str], owner: str, ttl: float) -> None:
        until = self._clock() + ttl
        for pid in phone_number_ids:
            held = self._claims.get(pid)
            if held is not None and held[0] == owner:
                self._claims[pid] = (owner, until)

    async def release(self, phone_number_id: str, owner: str) -> None:
        held = self._claims.get(phone_number_id)
        if held is not None and held[0] == owner:
            del self._claims[phone_number_id]

    async def get_pin(self, phone_number_id: str) -> PinLookup:
        """The PIN to use when re-registering; says so when a rotation is still pending."""
        record = await self.load(phone_number_id)
        if record is None:
            return PinLookup(phone_number_id=phone_number_id, state=None, certain=False, pin=None)
        return record.lookup()

    async def __aenter__(self) -> BaseVault:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class MemoryVault(BaseVault):
    """A vault in a dict: for tests and dry runs only, it forgets everything on exit."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock=clock)
        self.rows: dict[str, PinRecord] = {}
        self.saves = 0

    @property
    def location(self) -> str:
        return "memory"

    async def load(self, phone_number_id: str) -> PinRecord | None:
        return self.rows.get(phone_number_id)

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        self.saves += 1
        self.rows[record.phone_number_id] = record

    async def records(self) -> AsyncIterator[PinRecord]:
        for record in list(self.rows.values()):
            yield record
