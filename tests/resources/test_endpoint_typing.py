"""``endpoint`` methods carry their request class's exact signature and response type into mypy."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

SNIPPET = textwrap.dedent(
    """
    from meta_cloud_async import WhatsApp
    from meta_cloud_async.types.phone_numbers import PhoneNumber

    async def main(wa: WhatsApp) -> None:
        number: PhoneNumber = await wa.phone_numbers.get(fields=["id"])
        await wa.phone_numbers.request_code(code_method="VOICE", language="en_GB")
        await wa.phone_numbers.request_code(code_methd="SMS")
        await wa.phone_numbers.request_code(code_method="FAX")
        wrong: int = await wa.registration.deregister()
    """
)


@pytest.mark.slow
def test_mypy_sees_keywords_literals_and_return_types(tmp_path: Path) -> None:
    source = tmp_path / "user_code.py"
    source.write_text(SNIPPET)
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, out + err
    lines = {int(line.split(":")[1]) for line in errors}
    assert lines == {8, 9, 10}, out  # the first two calls are right, the last three wrong
    assert 'Unexpected keyword argument "code_methd"' in out
    assert "code_method" in out and "FAX" in out
    assert 'Incompatible types in assignment (expression has type "SuccessResponse"' in out
