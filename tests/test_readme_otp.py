"""The README's OTP flow runs as written on the sandbox (once ``wa.messages`` exists in the tree)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async import WhatsApp

README = Path(__file__).resolve().parents[1] / "README.md"


def otp_snippet() -> str:
    section = README.read_text().split("## Templates and Flows", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the section has one Python example"
    return str(blocks[0])


def test_the_snippet_uses_the_documented_calls() -> None:
    code = otp_snippet()
    for call in ("wa.templates.create_authentication(", "sandbox.advance(60)", "wa.messages.send_template("):
        assert call in code
    compile(code, "README.md", "exec")


class _RecordingMessages:
    """Stands in for ``wa.messages`` until the messages work lands in this tree."""

    def __init__(self) -> None:
        self.sent: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    async def send_template(self, *args: Any, **kwargs: Any) -> None:
        self.sent.append((args, kwargs))


def test_the_snippet_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake = None
    if not hasattr(WhatsApp, "messages"):
        fake = _RecordingMessages()
        monkeypatch.setattr(WhatsApp, "messages", property(lambda self: fake), raising=False)
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(otp_snippet().replace("asyncio.run(main())", ""), namespace)
    asyncio.run(namespace["main"]())
    assert "'event': 'APPROVED'" in capsys.readouterr().out
    if fake is not None:
        ((args, kwargs),) = fake.sent
        assert args == ("+15551234567", "login_code", "en_US")
        assert [c["type"] for c in kwargs["components"]] == ["body", "button"]
