"""``RotationReport.outcomes``: list-like, and free for the garbage collector however long the run."""

from __future__ import annotations

import gc

import pytest

from meta_cloud_async.rotation import NumberOutcome, Outcome, RotationReport
from meta_cloud_async.rotation.report import OutcomeList


def rotated(pid: str) -> NumberOutcome:
    return NumberOutcome(phone_number_id=pid, outcome=Outcome.ROTATED, state="current", attempts=1)


def test_behaves_as_a_list_of_outcomes() -> None:
    boom = RuntimeError("boom")
    failed = NumberOutcome(phone_number_id="2", outcome=Outcome.FAILED, state="pending", exception=boom)
    log = OutcomeList([rotated("1")])
    log.append(failed)
    log += [rotated("3")]
    assert len(log) == 3 and log[0] == rotated("1") and log[-1] == rotated("3")
    assert log[1].exception is boom  # the typed error comes back as it was
    assert [o.phone_number_id for o in log] == ["1", "2", "3"]
    assert log[1:] == [failed, rotated("3")]
    assert log == [rotated("1"), failed, rotated("3")]
    joined = log + [rotated("4")]  # noqa: RUF005 - the operator itself is what is checked
    assert isinstance(joined, list) and joined == [*log, rotated("4")]
    log.append(rotated("5"), duration=2.5)
    assert log[-1].duration == 2.5
    del log[0]
    log.insert(0, rotated("0"))
    assert log.counts() == {"rotated": 3, "skipped": 0, "failed": 1}
    assert log.ids_where(state="pending") == ["2"]
    with pytest.raises(TypeError, match="NumberOutcome"):
        log.append("1")  # type: ignore[arg-type]


def test_a_report_given_a_list_keeps_an_outcome_list() -> None:
    report = RotationReport(vault_location="v", started_at=0.0, outcomes=[rotated("1")])
    assert isinstance(report.outcomes, OutcomeList) and report.rotated == 1 and report.counts["total"] == 1


def test_rows_of_finished_numbers_are_not_tracked_by_the_collector() -> None:
    log = OutcomeList()
    for i in range(3000):
        log.append(rotated(str(i)), duration=0.01)
    gc.collect()
    gc.collect()  # a chunk is untracked on the pass after its rows are
    assert len(log._sealed) == 2 and not any(gc.is_tracked(chunk) for chunk in log._sealed)
    assert not any(gc.is_tracked(row) for row in log._rows())
    assert len(log) == 3000 and log[2047].phone_number_id == "2047" and log[-1].phone_number_id == "2999"
    del log[5]
    assert len(log) == 2999 and log[5].phone_number_id == "6" and log[2047].phone_number_id == "2048"
