"""Vault records and the rotation state machine, as pure functions.

Meta never returns a PIN, so the vault is the only truth and the order of
writes is the whole design::

    (none|current) --begin: write pending(new), keep current--> pending
    pending --set_pin(new) succeeded--> current(new, previous=old)
    pending --crash / timeout / reset--> pending (next run re-applies the SAME PIN)
    pending --definite rejection, no earlier attempt could have applied it--> current(old), error kept
    pending --definite rejection after an ambiguous attempt--> pending, flagged for the operator

Every vault stores these records; only the functions here change them, so a
user's own vault cannot get the state machine wrong.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["PinLookup", "PinRecord", "PinState"]


class PinState(str, enum.Enum):
    """Where a number's PIN stands."""

    CURRENT = "current"
    """The PIN in ``current`` is in effect at Meta."""
    PENDING = "pending"
    """``pending`` was (or is about to be) sent; either it or ``current`` is in effect."""


@attrs.frozen(kw_only=True, slots=True)
class PinRecord:
    """One number's row in a vault. PINs are plaintext here and never shown in the repr.

    ``current`` is the PIN known to be in effect (``None`` if we never set one),
    ``previous`` the one before it, ``pending`` the one being applied.
    ``flagged`` marks a pending PIN that Meta definitely rejected after an
    earlier attempt may already have applied it: a person must look.
    Times are Unix seconds.
    """

    phone_number_id: str
    state: PinState = PinState.CURRENT
    current: str | None = attrs.field(default=None, repr=False)
    previous: str | None = attrs.field(default=None, repr=False)
    pending: str | None = attrs.field(default=None, repr=False)
    flagged: bool = False
    attempts: int = 0
    last_error: str | None = None
    updated_at: float = 0.0
    rotated_at: float | None = None
    pending_since: float | None = None

    # -- transitions ------------------------------------------------------------------

    @classmethod
    def new(cls, phone_number_id: str) -> PinRecord:
        """A fresh record for a number that has never had a PIN in this vault."""
        return cls(phone_number_id=phone_number_id)

    def begin(self, pin: str, now: float) -> PinRecord:
        """Start a rotation to ``pin``; refused while another PIN may be in effect."""
        if self.state is PinState.PENDING:
            raise ValueError(f"{self.phone_number_id} already has a pending PIN; re-apply it instead")
        # Every field through the constructor, not attrs' evolve: two records per number of a run,
        # and evolve looks the fields up and reads each one by name every time.
        return type(self)(
            phone_number_id=self.phone_number_id,
            state=PinState.PENDING,
            current=self.current,
            previous=self.previous,
            pending=pin,
            flagged=False,
            attempts=0,
            last_error=None,
            updated_at=now,
            rotated_at=self.rotated_at,
            pending_since=now,
        )

    def attempted(self, error: str | None, now: float, *, flagged: bool = False, sent: int = 1) -> PinRecord:
        """Stay pending after an attempt whose effect is unknown (or rejected after an ambiguous one)."""
        self._require_pending()
        return type(self)(
            phone_number_id=self.phone_number_id,
            state=self.state,
            current=self.current,
            previous=self.previous,
            pending=self.pending,
            flagged=self.flagged or flagged,
            attempts=self.attempts + sent,
            last_error=error,
            updated_at=now,
            rotated_at=self.rotated_at,
            pending_since=self.pending_since,
        )

    def applied(self, now: float, *, sent: int = 1) -> PinRecord:
        """Meta confirmed the pending PIN: it becomes current and the old one previous."""
        self._require_pending()
        return type(self)(
            phone_number_id=self.phone_number_id,
            state=PinState.CURRENT,
            current=self.pending,
            previous=self.current,
            pending=None,
            flagged=False,
            attempts=self.attempts + sent,
            last_error=None,
            updated_at=now,
            rotated_at=now,
            pending_since=None,
        )

    def rejected(self, error: str, now: float, *, sent: int = 1) -> PinRecord:
        """Meta definitely refused the pending PIN and no attempt could have applied it."""
        self._require_pending()
        return type(self)(
            phone_number_id=self.phone_number_id,
            state=PinState.CURRENT,
            current=self.current,
            previous=self.previous,
            pending=None,
            flagged=False,
            attempts=self.attempts + sent,
            last_error=error,
            updated_at=now,
            rotated_at=self.rotated_at,
            pending_since=None,
        )

    def _require_pending(self) -> None:
        if self.state is not PinState.PENDING or self.pending is None:
            raise ValueError(f"{self.phone_number_id} has no pending PIN")

    # -- reading --------------------------------------------------------------------

    def lookup(self) -> PinLookup:
        """What to use when re-registering this number."""
        if self.state is PinState.CURRENT:
            return PinLookup(
                phone_number_id=self.phone_number_id,
                state=self.state,
                certain=self.current is not None,
                pin=self.current,
                candidates=(self.current,) if self.current else (),
                flagged=False,
            )
        candidates = tuple(p for p in (self.pending, self.current) if p is not None)
        return PinLookup(
            phone_number_id=self.phone_number_id,
            state=self.state,
            certain=False,
            pin=self.pending,
            candidates=candidates,
            flagged=self.flagged,
        )


@attrs.frozen(kw_only=True, slots=True)
class PinLookup:
    """The answer to "which PIN is in effect?".

    When ``certain`` is false the number is pending: a rotation may or may
    not have reached Meta. ``pin`` is then the likelier one (the pending PIN;
    ``pins resume`` makes it certain) and ``candidates`` lists every PIN that
    may be in effect, likeliest first.
    """

    phone_number_id: str
    state: PinState | None
    certain: bool
    pin: str | None = attrs.field(repr=False)
    candidates: tuple[str, ...] = attrs.field(default=(), repr=False)
    flagged: bool = False

    def describe(self) -> str:
        """A one-line, PIN-free explanation for people."""
        if self.state is None:
            return f"{self.phone_number_id}: not in the vault"
        if self.certain:
            return f"{self.phone_number_id}: current (PIN known to be in effect)"
        if self.state is PinState.CURRENT:
            return f"{self.phone_number_id}: no PIN recorded"
        text = (
            f"{self.phone_number_id}: PENDING - the new PIN may or may not be in effect; "
            "run `pins resume` to settle it (if re-registering now, try the pending PIN, then the current one)"
        )
        if self.flagged:
            text += "; FLAGGED: Meta rejected a retry after an ambiguous attempt, check this number by hand"
        return text
