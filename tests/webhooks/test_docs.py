"""docs/webhooks.md: both complete receivers stay under 20 lines and compile."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _receivers() -> dict[str, str]:
    text = DOC.read_text()
    out = {}
    for title in ("aiohttp", "FastAPI"):
        section = text.split(f"## A complete receiver: {title}", 1)[1]
        out[title] = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    return out


def test_receivers_are_complete_and_short() -> None:
    for title, code in _receivers().items():
        lines = [line for line in code.splitlines() if line.strip()]
        assert len(lines) < 20, (title, len(lines))
        compile(code, f"<docs {title}>", "exec")
        assert "WebhookRouter(" in code and "app_secret=" in code and "verify_token=" in code
