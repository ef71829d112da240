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
from collections.abc import Iterable, Iterator, MutableSequence
from pathlib import Path
from typing import Any, overload

import attrs

__all__ = ["NumberOutcome", "Outcome", "OutcomeList", "Progress", "RotationReport"]


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


_OUTCOMES = tuple(Outcome)
_CHUNK = 1024
_CODE = {o: i for i, o in enumerate(_OUTCOMES)}
_Row = tuple[
    str, int, str, "str | None", "str | None", "str | None", int, bool, float, bool, "BaseException | None"
]


def _row(o: NumberOutcome, duration: float | None = None) -> _Row:
    if not isinstance(o, NumberOutcome):
        raise TypeError(f"outcomes holds NumberOutcome items, got {type(o).__name__}")
    return (
        o.phone_number_id,
        _CODE[o.outcome],
        o.detail,
        o.state,
        o.error_type,
        o.error,
        o.attempts,
        o.flagged,
        o.duration if duration is None else duration,
        o.unsettled,
        o.exception,
    )


def _outcome(r: _Row) -> NumberOutcome:
    return NumberOutcome(
        phone_number_id=r[0],
        outcome=_OUTCOMES[r[1]],
        detail=r[2],
        state=r[3],
        error_type=r[4],
        error=r[5],
        attempts=r[6],
        flagged=r[7],
        duration=r[8],
        unsettled=r[9],
        exception=r[10],
    )


class OutcomeList(MutableSequence[NumberOutcome]):
    """A run's :class:`NumberOutcome` items, kept as plain tuples of strings and numbers.

    Why not a list of objects: a rotation of 100,000 numbers would keep 100,000
    live objects that every full garbage collection walks, pausing the event
    loop for longer and longer as the run goes on. A tuple holding only strings,
    numbers and ``None`` is dropped from the collector's tracking, so the log costs
    the collector nothing (a failure's exception keeps only its own row tracked).
    Items are rebuilt on access; it behaves as a list otherwise (``+`` gives a list).
    """

    __slots__ = ("_sealed", "_tail")

    def __init__(self, items: Iterable[NumberOutcome] = ()) -> None:
        # Full chunks are sealed into tuples, which the collector also stops tracking: a full pass
        # then visits one item per chunk, not one per number.
        self._sealed: list[tuple[_Row, ...]] = []
        self._tail: list[_Row] = []
        for o in items:
            self.append(o)

    def _rows(self) -> Iterator[_Row]:
        for chunk in self._sealed:
            yield from chunk
        yield from self._tail

    def _reset(self, rows: list[_Row]) -> None:
        full = len(rows) - len(rows) % _CHUNK
        self._sealed = [tuple(rows[i : i + _CHUNK]) for i in range(0, full, _CHUNK)]
        self._tail = rows[full:]

    def _at(self, index: int) -> _Row:
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("outcome index out of range")
        sealed = len(self._sealed) * _CHUNK
        if index < sealed:
            return self._sealed[index // _CHUNK][index % _CHUNK]
        return self._tail[index - sealed]

    def __len__(self) -> int:
        return len(self._sealed) * _CHUNK + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> NumberOutcome: ...

    @overload
    def __getitem__(self, index: slice) -> list[NumberOutcome]: ...

    def __getitem__(self, index: int | slice) -> NumberOutcome | list[NumberOutcome]:
        if isinstance(index, slice):
            return [_outcome(r) for r in list(self._rows())[index]]
        return _outcome(self._at(index))

    @overload
    def __setitem__(self, index: int, value: NumberOutcome) -> None: ...

    @overload
    def __setitem__(self, index: slice, value: Iterable[NumberOutcome]) -> None: ...

    def __setitem__(self, index: int | slice, value: Any) -> None:
        rows = list(self._rows())
        if isinstance(index, slice):
            rows[index] = [_row(o) for o in value]
        else:
            rows[index] = _row(value)
        self._reset(rows)

    def __delitem__(self, index: int | slice) -> None:
        rows = list(self._rows())
        del rows[index]
        self._reset(rows)

    def insert(self, index: int, value: NumberOutcome) -> None:
        rows = list(self._rows())
        rows.insert(index, _row(value))
        self._reset(rows)

    def append(self, value: NumberOutcome, *, duration: float | None = None) -> None:
        """Add ``value`` (with ``duration`` instead of its own, when given: no copy of the item is made)."""
        self._tail.append(_row(value, duration))
        if len(self._tail) == _CHUNK:
            self._sealed.append(tuple(self._tail))
            self._tail = []

    def __iter__(self) -> Iterator[NumberOutcome]:
        for r in self._rows():
            yield _outcome(r)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OutcomeList):
            return list(self._rows()) == list(other._rows())
        if isinstance(other, list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __add__(self, other: Iterable[NumberOutcome]) -> list[NumberOutcome]:
        return [*self, *other]

    def __radd__(self, other: Iterable[NumberOutcome]) -> list[NumberOutcome]:
        return [*other, *self]

    def __repr__(self) -> str:
        return f"OutcomeList({list(self)!r})"

    def counts(self) -> dict[str, int]:
        """Items per :class:`Outcome` value (without rebuilding any item)."""
        found = [0] * len(_OUTCOMES)
        for r in self._rows():
            found[r[1]] += 1
        return {o.value: found[i] for i, o in enumerate(_OUTCOMES)}

    def ids_where(self, *, state: str | None = None, unsettled: bool | None = None) -> list[str]:
        """Phone number ids of the items in ``state`` (or marked ``unsettled``)."""
        return [
            r[0]
            for r in self._rows()
            if (state is None or r[3] == state) and (unsettled is None or r[9] == unsettled)
        ]


def _to_outcomes(items: Iterable[NumberOutcome]) -> OutcomeList:
    return items if isinstance(items, OutcomeList) else OutcomeList(items)


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
    outcomes: OutcomeList = attrs.field(factory=OutcomeList, converter=_to_outcomes)
    """Per number, in the order they finished (an :class:`OutcomeList`; a list given here is converted)."""

    @property
    def counts(self) -> dict[str, int]:
        """How many numbers ended rotated, skipped and failed, and the ``total``."""
        return self.outcomes.counts() | {"total": len(self.outcomes)}

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
        return self.outcomes.ids_where(state="pending")

    @property
    def unsettled(self) -> list[str]:
        """Numbers this run skipped without anyone known to have handled them (claims lost or held)."""
        return self.outcomes.ids_where(unsettled=True)

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
