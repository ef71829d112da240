"""The vault protocol: a durable store of :class:`PinRecord` rows, plus claims.

A vault only stores; the state machine lives in :mod:`.records` and the
engine. Implement :class:`Vault` (or subclass :class:`BaseVault`, which
supplies in-process claims and ``get_pin``) to keep PINs in your own secret
store; see docs/rotation.md for a secrets-manager example.
"""

from __future__ import annotations

import abc
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from ._crypto import WrongKeyError
from .records import PinLookup, PinRecord

__all__ = [
    "BaseVault",
    "ClaimLostError",
    "CorruptRecordError",
    "MemoryVault",
    "NoVaultError",
    "Vault",
    "VaultError",
    "VaultIdentity",
    "VaultLockedError",
    "VaultLostError",
    "WrongKeyError",
]


class VaultError(Exception):
    """The vault cannot be used (unreachable, corrupt, wrong schema).

    When it aborts :func:`rotate_pins`, ``report`` is the run's partial
    :class:`RotationReport` (what was done before the failure), else ``None``.
    """

    report: Any = None


class VaultLockedError(VaultError):
    """Another process holds the vault; two rotations must never share one SQLite file."""


class ClaimLostError(VaultError):
    """This worker's claim on a number expired and another worker may own it now."""


class NoVaultError(VaultError):
    """There is no vault where one was expected (and creating one was not allowed)."""


class VaultLostError(VaultError):
    """The vault's identity is gone while traces of it remain: its store lost data.

    Raised instead of silently starting an empty vault (a Redis restarted
    without persistence would otherwise report "0 numbers" while PINs set by
    the last run are recorded nowhere).
    """


class CorruptRecordError(VaultError):
    """One record cannot be decoded (bad state, wrong column type, damaged ciphertext, not JSON).

    Only that number is affected: listings report it as a corrupt record and
    go on. Distinct from :class:`WrongKeyError`, which only the key check at
    open raises.
    """

    def __init__(self, phone_number_id: str, reason: str) -> None:
        super().__init__(f"{phone_number_id}: corrupt record in the vault ({reason})")
        self.phone_number_id = phone_number_id
        self.reason = reason


class VaultIdentity:
    """Who a vault is: an id and creation time written once, and a generation bumped per writer open.

    Reports carry it, so a report naming a vault id the store no longer has
    is evidence of data loss, not of "nothing to do".
    """

    __slots__ = ("created_at", "generation", "key_fingerprint", "sandbox", "vault_id")

    def __init__(
        self,
        vault_id: str | None,
        created_at: float | None,
        generation: int,
        *,
        key_fingerprint: str | None = None,
        sandbox: bool = False,
    ) -> None:
        self.vault_id = vault_id
        self.created_at = created_at
        self.generation = generation
        self.key_fingerprint = key_fingerprint
        """Which key the vault is encrypted with (:func:`key_fingerprint`), never the key itself."""
        self.sandbox = sandbox
        """A vault made for sandbox runs (fake PINs of an embedded sandbox), never for Meta's."""

    def __repr__(self) -> str:
        return f"VaultIdentity({self.vault_id!r}, generation={self.generation})"

    def describe(self) -> str:
        """The identity for people: id, creation time (UTC), generation, key fingerprint and sandbox flag."""
        if self.vault_id is None:
            return "vault id: none (created before vault ids were recorded)"
        created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.created_at or 0))
        text = f"vault id {self.vault_id}, created {created} UTC, generation {self.generation}"
        if self.key_fingerprint:
            text += f", key fingerprint {self.key_fingerprint}"
        if self.sandbox:
            text += " [SANDBOX vault: fake PINs of an embedded sandbox]"
        return text


def check_callable(value: object, name: str) -> None:
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def check_seconds(value: object, name: str, *, low: float, high: float, low_inclusive: bool = True) -> float:
    """A finite number of seconds within [low, high] (or (low, high]), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__}")
    seconds = float(value)
    ok = math.isfinite(seconds) and (seconds >= low if low_inclusive else seconds > low) and seconds <= high
    if not ok:
        bound = "[" if low_inclusive else "("
        raise ValueError(f"{name} must be a finite number within {bound}{low:g}, {high:g}], got {value!r}")
    return seconds


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

    async def load(self, phone_number_id: str) -> PinRecord | None:
        """The number's record, or None if it never had one."""
        ...

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        """Store ``record`` durably before returning; a shared store refuses (``ClaimLostError``) an ``owner`` whose claim expired."""
        ...

    async def claim(self, phone_number_id: str, owner: str, ttl: float) -> bool:
        """Take the number for ``owner`` for ``ttl`` seconds; False while another owner holds it."""
        ...

    async def renew(self, phone_number_ids: Sequence[str], owner: str, ttl: float) -> None:
        """Extend ``owner``'s claims on these numbers by ``ttl`` seconds from now."""
        ...

    async def release(self, phone_number_id: str, owner: str) -> None:
        """Give up ``owner``'s claim on the number (a claim held by another owner stays)."""
        ...

    def records(self) -> AsyncIterator[PinRecord]:
        """Every record, for ``pins status`` and ``pins resume``."""
        ...

    async def get_pin(self, phone_number_id: str) -> PinLookup:
        """The PIN to use when re-registering; says so when a rotation is still pending."""
        ...

    async def aclose(self) -> None:
        """Flush and close; the vault cannot be used afterwards."""
        ...


class BaseVault(abc.ABC):
    """Claims kept in this process (right for any store used by one process at a time) and ``get_pin``.

    ``clock`` times claim expiry (injected by tests).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        check_callable(clock, "clock")
        self._claims: dict[str, tuple[str, float]] = {}
        self._clock = clock

    @property
    def location(self) -> str:
        """Where the PINs live, for people; the class name unless a subclass knows better."""
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
        """Nothing to close here; stores with a file or connection override it."""
        return None

    async def claim(self, phone_number_id: str, owner: str, ttl: float) -> bool:
        """Take the number for ``owner`` for ``ttl`` seconds; False while another owner's claim is live (this process only)."""
        now = self._clock()
        held = self._claims.get(phone_number_id)
        if held is not None and held[0] != owner and held[1] > now:
            return False
        self._claims[phone_number_id] = (owner, now + ttl)
        return True

    async def renew(self, phone_number_ids: Sequence[str], owner: str, ttl: float) -> None:
        """Extend ``owner``'s claims on these numbers by ``ttl`` seconds from now."""
        until = self._clock() + ttl
        for pid in phone_number_ids:
            held = self._claims.get(pid)
            if held is not None and held[0] == owner:
                self._claims[pid] = (owner, until)

    async def release(self, phone_number_id: str, owner: str) -> None:
        """Give up ``owner``'s claim on the number (a claim held by another owner stays)."""
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
        """Always ``memory``: nothing outlives the process."""
        return "memory"

    async def load(self, phone_number_id: str) -> PinRecord | None:
        return self.rows.get(phone_number_id)

    async def save(self, record: PinRecord, *, owner: str | None = None) -> None:
        self.saves += 1
        self.rows[record.phone_number_id] = record

    async def records(self) -> AsyncIterator[PinRecord]:
        for record in list(self.rows.values()):
            yield record
