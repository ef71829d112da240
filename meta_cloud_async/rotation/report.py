"""What a rotation did, per number and in total. Never holds a PIN.

The report says where PINs can be read instead: the vault location and the
``pins show`` command.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

__all__ = ["NumberOutcome", "Outcome", "Progress", "RotationReport"]


class Outcome(str, enum.Enum):
    """How one number ended in a rotation run: rotated, skipped or failed."""

    ROTATED = "rotated"
    """A new PIN is in effect and recorded as current."""
    SKIPPED = "skipped"
    """Nothing was sent (rotated within ``min_age``, duplicate, dry run, nothing pending, another worker's)."""
    FAILED = "failed"
    """The number is not rotated; ``state`` says whether a PIN is still pending."""


@attrs.frozen(kw_only=True, slots=True)
class NumberOutcome:
    """One number's result. ``state`` is the vault state afterwards (``pending`` needs ``pins resume``).

    ``exception`` is the typed error itself (e.g. ``PermissionDeniedError``)
    for code that wants to branch on it; reports carry only its name and text.
    ``unsettled`` marks a skip that left the number undone by this run (its
    claim was lost, or another worker held it past ``claim_wait``).
    """

    phone_number_id: str
    outcome: Outcome
    detail: str = ""
    state: str | None = None
    error_type: str | None = None
    error: str | None = None
    attempts: int = 0
    flagged: bool = False
    duration: float = 0.0
    unsettled: bool = False
    exception: BaseException | None = attrs.field(default=None, eq=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """This outcome as JSON-ready values (a row of the CSV report; never a PIN)."""
        return {
            "phone_number_id": self.phone_number_id,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "state": self.state,
            "error_type": self.error_type,
            "error": self.error,
            "attempts": self.attempts,
            "flagged": self.flagged,
            "unsettled": self.unsettled,
            "duration_s": round(self.duration, 6),
        }


@attrs.frozen(kw_only=True, slots=True)
class Progress:
    """A snapshot for progress bars; ``total`` is ``None`` when the input is a stream of unknown length."""

    done: int
    total: int | None
    rotated: int
    skipped: int
    failed: int
    elapsed: float
    throttled_for: float = 0.0

    @property
    def rate(self) -> float:
        """Numbers done per second so far (0.0 before any time passed)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


_CSV_FIELDS = (
    "phone_number_id",
    "outcome",
    "detail",
    "state",
    "error_type",
    "error",
    "attempts",
    "flagged",
    "unsettled",
    "duration_s",
)


@attrs.define(kw_only=True)
class RotationReport:
    """The result of :func:`rotate_pins`. ``ok`` is false if any number failed.

    ``aborted`` holds the error that stopped the run early (a vault failure):
    the report is then partial. ``vault_id``/``vault_generation`` name the
    vault it ran against, so a later vault without that id is known to have
    lost data. ``vault_args`` are the CLI flags naming the vault (pasteable
    hints); ``sandbox`` marks a run against an embedded sandbox's fake PINs.
    """

    vault_location: str
    started_at: float
    aborted: str | None = None
    vault_id: str | None = None
    vault_generation: int | None = None
    finished_at: float = 0.0
    duration: float = 0.0
    dry_run: bool = False
    sandbox: bool = False
    vault_args: str | None = None
    throttled_for: float = 0.0
    outcomes: list[NumberOutcome] = attrs.field(factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many numbers ended rotated, skipped and failed, and the ``total``."""
        found = Counter(o.outcome.value for o in self.outcomes)
        return {o.value: found.get(o.value, 0) for o in Outcome} | {"total": len(self.outcomes)}

    @property
    def rotated(self) -> int:
        """How many numbers got a new PIN in effect."""
        return self.counts[Outcome.ROTATED.value]

    @property
    def failed(self) -> int:
        """How many numbers are not rotated."""
        return self.counts[Outcome.FAILED.value]

    @property
    def skipped(self) -> int:
        """How many numbers were left alone (nothing sent)."""
        return self.counts[Outcome.SKIPPED.value]

    @property
    def pending(self) -> list[str]:
        """Numbers left pending: run ``pins resume`` for them."""
        return [o.phone_number_id for o in self.outcomes if o.state == "pending"]

    @property
    def unsettled(self) -> list[str]:
        """Numbers this run skipped without anyone known to have handled them (claims lost or held)."""
        return [o.phone_number_id for o in self.outcomes if o.unsettled]

    @property
    def ok(self) -> bool:
        """True when no number failed and the run was not aborted."""
        return self.failed == 0 and self.aborted is None

    @property
    def pin_location(self) -> str:
        """Where the new PINs are and the command that reveals one: reports never contain a PIN."""
        return (
            f"PINs are only in the vault ({self.vault_location}); read one with "
            f"`meta-cloud-async pins show PHONE_NUMBER_ID {self.vault_args or '--vault ' + self.vault_location} "
            "--reveal`"
        )

    def summary(self) -> str:
        """One line for people: counts and rate, and what still needs attention (pending, unsettled, dry run)."""
        c = self.counts
        rate = c["total"] / self.duration if self.duration > 0 else 0.0
        text = (
            f"{c['total']} numbers in {self.duration:.1f} s ({rate:.0f}/s): {c['rotated']} rotated, "
            f"{c['skipped']} skipped, {c['failed']} failed"
        )
        pending = len(self.pending)
        if pending:
            text += f"; {pending} still pending (run `meta-cloud-async pins resume`)"
        if self.unsettled:
            text += f"; {len(self.unsettled)} not handled (claims lost or held by another worker)"
        if self.dry_run:
            text += " [dry run: nothing sent, vault unchanged]"
        if self.sandbox:
            text += " [SANDBOX run: fake PINs of an embedded sandbox]"
        if self.aborted is not None:
            text = f"ABORTED ({self.aborted}); partial: " + text
        return text

    def as_dict(self) -> dict[str, Any]:
        """The whole report as JSON-ready values, every number's outcome included (never a PIN)."""
        return {
            "vault": self.vault_location,
            "vault_id": self.vault_id,
            "vault_generation": self.vault_generation,
            "aborted": self.aborted,
            "pin_location": self.pin_location,
            "dry_run": self.dry_run,
            "sandbox": self.sandbox,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": round(self.duration, 3),
            "throttled_s": round(self.throttled_for, 3),
            "counts": self.counts,
            "numbers": [o.as_dict() for o in self.outcomes],
        }

    def to_json(self) -> str:
        """``as_dict()`` as indented JSON, for ``--report report.json``."""
        return json.dumps(self.as_dict(), indent=2)

    def to_csv(self) -> str:
        """One CSV row per number (the fields of ``NumberOutcome.as_dict``), with a header."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=_CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for outcome in self.outcomes:
            writer.writerow(outcome.as_dict())
        return buf.getvalue()

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write JSON, or CSV when the name ends in ``.csv``."""
        target = Path(path)
        text = self.to_csv() if target.suffix.lower() == ".csv" else self.to_json()
        target.write_text(text, encoding="utf-8")
        return target
