"""mypy sees the account-level namespaces' Literal enumerations, keywords and return types."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

SNIPPET = textwrap.dedent(
    """
    from meta_cloud_async import AsyncPaginator, WhatsApp
    from meta_cloud_async.types.waba import WabaActivity

    async def main(wa: WhatsApp) -> None:
        pages: AsyncPaginator[WabaActivity] = wa.waba.activities(limit=5)
        await wa.waba.add_assigned_user(user="1", tasks=("MANAGE", "VIEW_INSIGHTS"))
        await wa.analytics.pricing(start=1, end=2, granularity="DAILY", dimensions=["TIER"])
        await wa.waba.create_schedule(name="n", schedule_type="NIGHTLY", start_time="01:00", end_time="02:00")
        await wa.analytics.messaging(start=1, end=2, granularity="DAILY")
        await wa.solutions.reject(solution_id="1", request_type="MAYBE")
        await wa.app.subscribe_webhooks("https://h.example.com", "t", object="galaxy")
        wrong: int = await wa.business.get(business_id="1")
    """
)


@pytest.mark.slow
def test_mypy_refuses_wrong_enumerations(tmp_path: Path) -> None:
    source = tmp_path / "user_code.py"
    source.write_text(SNIPPET)
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, out + err
    lines = {int(line.split(":")[1]) for line in errors}
    assert lines == {9, 10, 11, 12, 13}, out  # the first three calls are right, the last five wrong
    assert "NIGHTLY" in out and "MAYBE" in out and "galaxy" in out
    assert 'expression has type "BusinessPortfolio"' in out
