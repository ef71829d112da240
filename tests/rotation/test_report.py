"""Reports: counts, JSON and CSV, and where to read a PIN instead of the PIN."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from meta_cloud_async.rotation import NumberOutcome, Outcome, RotationReport


def sample() -> RotationReport:
    report = RotationReport(vault_location="pins.db", started_at=1.0, finished_at=3.0, duration=2.0)
    report.outcomes += [
        NumberOutcome(phone_number_id="1", outcome=Outcome.ROTATED, state="current", attempts=1),
        NumberOutcome(
            phone_number_id="2",
            outcome=Outcome.FAILED,
            state="pending",
            error_type="APITimeoutError",
            error="timed out",
            attempts=4,
        ),
        NumberOutcome(phone_number_id="3", outcome=Outcome.SKIPPED, detail="duplicate in input"),
    ]
    return report


def test_counts_and_summary() -> None:
    report = sample()
    assert report.counts == {"rotated": 1, "skipped": 1, "failed": 1, "total": 3}
    assert not report.ok and report.pending == ["2"]
    assert report.summary() == (
        "3 numbers in 2.0 s (2/s): 1 rotated, 1 skipped, 1 failed; 1 still pending "
        "(run `meta-cloud-async pins resume`)"
    )
    assert "pins show PHONE_NUMBER_ID --vault pins.db --reveal" in report.pin_location


def test_json_and_csv_files(tmp_path: Path) -> None:
    report = sample()
    data = json.loads(report.write(tmp_path / "r.json").read_text())
    assert data["vault"] == "pins.db" and data["counts"]["failed"] == 1
    assert data["numbers"][1] == {
        "phone_number_id": "2",
        "outcome": "failed",
        "detail": "",
        "state": "pending",
        "error_type": "APITimeoutError",
        "error": "timed out",
        "attempts": 4,
        "flagged": False,
        "unsettled": False,
        "duration_s": 0.0,
    }
    rows = list(csv.DictReader(io.StringIO(report.write(tmp_path / "r.csv").read_text())))
    assert [r["outcome"] for r in rows] == ["rotated", "failed", "skipped"]
