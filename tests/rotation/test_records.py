"""The state machine as pure transitions, and PIN-free reprs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from meta_cloud_async.rotation import PinRecord, PinState


def test_full_cycle() -> None:
    record = PinRecord.new("1")
    pending = record.begin("739164", 10.0)
    assert pending.state is PinState.PENDING and pending.pending == "739164" and pending.current is None
    applied = pending.applied(11.0)
    assert applied.state is PinState.CURRENT and applied.current == "739164" and applied.rotated_at == 11.0
    second = applied.begin("482913", 20.0).applied(21.0, sent=3)
    # attempts count the latest rotation only
    assert (second.current, second.previous, second.attempts) == ("482913", "739164", 3)


def test_rejected_returns_to_the_old_pin_with_the_error() -> None:
    record = PinRecord(phone_number_id="1", current="482913").begin("739164", 1.0).rejected("denied", 2.0)
    assert record.state is PinState.CURRENT and record.current == "482913" and record.pending is None
    assert record.last_error == "denied"


def test_attempted_keeps_pending_and_flags_stick() -> None:
    record = PinRecord(phone_number_id="1", current="482913").begin("739164", 1.0)
    record = record.attempted("reset", 2.0).attempted("denied", 3.0, flagged=True).attempted("reset", 4.0)
    assert record.state is PinState.PENDING and record.flagged and record.attempts == 3
    assert record.pending == "739164" and record.current == "482913"


def test_illegal_transitions() -> None:
    pending = PinRecord.new("1").begin("739164", 1.0)
    with pytest.raises(ValueError, match="already has a pending PIN"):
        pending.begin("482913", 2.0)
    current = PinRecord.new("1")
    transitions: tuple[Callable[[], PinRecord], ...] = (
        lambda: current.applied(1.0),
        lambda: current.rejected("x", 1.0),
        lambda: current.attempted("x", 1.0),
    )
    for transition in transitions:
        with pytest.raises(ValueError, match="no pending PIN"):
            transition()


def test_lookup_and_describe() -> None:
    assert PinRecord.new("1").lookup().describe() == "1: no PIN recorded"
    current = PinRecord(phone_number_id="1", current="482913").lookup()
    assert current.certain and current.pin == "482913" and "current" in current.describe()
    pending = PinRecord(phone_number_id="1", current="482913").begin("739164", 1.0).lookup()
    assert not pending.certain and pending.pin == "739164" and pending.candidates == ("739164", "482913")
    assert "PENDING" in pending.describe() and "FLAGGED" not in pending.describe()


def test_reprs_never_show_pins() -> None:
    record = PinRecord(phone_number_id="1", current="482913", previous="563918").begin("739164", 1.0)
    text = repr(record) + repr(record.lookup()) + record.lookup().describe()
    for pin in ("482913", "563918", "739164"):
        assert pin not in text
