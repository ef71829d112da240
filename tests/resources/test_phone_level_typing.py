"""The phone-level namespaces' Literals and keywords reach mypy: a wrong value fails type checking."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

SNIPPET = textwrap.dedent(
    """
    from meta_cloud_async import WhatsApp
    from meta_cloud_async.types.qr_codes import QrCode

    async def main(wa: WhatsApp) -> None:
        await wa.business_profile.update(about="Hi", vertical="RETAIL")
        qr: QrCode = await wa.qr_codes.create("Hi", generate_qr_image="SVG")
        await wa.phone_numbers.update_status(search_visibility="HIDDEN")
        await wa.calling.reject("wacid.1")
        await wa.business_profile.update(vertical="BAKERY")
        await wa.qr_codes.create("Hi", generate_qr_image="GIF")
        await wa.phone_numbers.update_status(search_visibility="PUBLIC")
        await wa.groups.create(subject="x", join_approval_mode="open")
        await wa.message_history.events("1", status_filter="SEEN")
        await wa.phone_numbers.set_calling("on")
    """
)


@pytest.mark.slow
def test_mypy_catches_wrong_enumerated_values(tmp_path: Path) -> None:
    source = tmp_path / "user_code.py"
    source.write_text(SNIPPET)
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    assert status == 1, out + err
    lines = {int(line.split(":")[1]) for line in out.splitlines() if ": error:" in line}
    assert lines == {10, 11, 12, 13, 14, 15}, out  # the first four calls are right, the last six wrong
