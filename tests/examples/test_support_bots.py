"""The support bot examples (aiohttp and FastAPI) against the sandbox: every answer, by value."""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from meta_cloud_async.cli import support_bot as bot_logic
from meta_cloud_async.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType]]:
    """``support_bot`` and ``fastapi_bot`` imported as the scripts import each other."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for name in ("support_bot", "fastapi_bot"):
        sys.modules.pop(name, None)
    yield importlib.import_module("support_bot"), importlib.import_module("fastapi_bot")
    for name in ("support_bot", "fastapi_bot"):
        sys.modules.pop(name, None)


def _interactive(record: Any) -> dict[str, Any]:
    inner: dict[str, Any] = record.body["interactive"]
    return inner


@pytest.mark.parametrize("server", ["aiohttp", "fastapi"])
async def test_the_conversation_against_the_sandbox(
    examples: tuple[ModuleType, ModuleType], server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    support, fastapi_bot = examples
    receiver = support.aiohttp_receiver if server == "aiohttp" else fastapi_bot.uvicorn_receiver
    made: list[Sandbox] = []

    def spy(**kwargs: Any) -> Sandbox:
        made.append(Sandbox(**kwargs))
        return made[-1]

    monkeypatch.setattr(support, "Sandbox", spy)
    out = io.StringIO()
    assert await support.sandbox_conversation(receiver, out) == 0, out.getvalue()
    assert "FAILED" not in out.getvalue() and "all checks passed" in out.getvalue()
    sandbox = made[0]
    customer = support.CUSTOMER
    sent = sandbox.messages()
    assert [r.type for r in sent] == ["interactive"] * 3 + ["text", "text", "image", "template"]
    assert all(r.to == customer for r in sent)

    # The greeting: buttons, list and CTA, each quoting the customer's "Hi".
    buttons, menu, cta = (_interactive(r) for r in sent[:3])
    assert buttons["type"] == "button"
    assert buttons["body"] == {"text": "Hello User 4567! How can we help?"}
    assert [b["reply"] for b in buttons["action"]["buttons"]] == [
        {"id": "order", "title": "Track my order"},
        {"id": "hours", "title": "Opening hours"},
        {"id": "agent", "title": "Talk to a person"},
    ]
    assert menu["type"] == "list" and menu["action"]["button"] == "Help topics"
    assert [row["id"] for row in menu["action"]["sections"][0]["rows"]] == [
        "shipping",
        "returns",
        "payments",
        "warranty",
    ]
    assert cta["type"] == "cta_url"
    assert cta["action"] == {
        "name": "cta_url",
        "parameters": {"display_text": "Open help centre", "url": "https://www.example.com/help"},
    }
    hello = sent[0].body["context"]["message_id"]
    assert {r.body["context"]["message_id"] for r in sent[:3]} == {hello}

    # The tapped button and the picked row: answered, each quoting the tap.
    assert sent[3].body["text"]["body"] == bot_logic.BUTTON_ANSWERS["order"]
    assert sent[4].body["text"]["body"] == bot_logic.TOPIC_ANSWERS["returns"]
    taps = [sent[3].body["context"]["message_id"], sent[4].body["context"]["message_id"]]
    assert len(set(taps)) == 2 and hello not in taps

    # The photo came back byte for byte, from a fresh upload.
    image = sent[5].body["image"]
    assert image["caption"] == "Got your photo, thanks!"
    echoed = sandbox.media.media[image["id"]]
    assert hashlib.sha256(echoed.data).hexdigest() == hashlib.sha256(support.PHOTO).hexdigest()

    # Every inbound message was marked read with a typing indicator.
    inbound = [hello, *taps, sent[5].body["context"]["message_id"]]
    assert all(sandbox.messaging.is_read(m) and sandbox.messaging.showed_typing(m) for m in inbound)

    # 25 hours later: free-form refused by the sandbox's own window rule, then the template.
    refused = [e for e in sandbox.request_log if e.error_code == 131047]
    assert len(refused) == 1 and refused[0].status == 400
    template = sent[6].body["template"]
    assert template["name"] == "order_update" and template["language"] == {"code": "en_US"}
    assert template["components"] == [{"type": "body", "parameters": [{"type": "text", "text": "#4711"}]}]
    assert sent[6].timestamp - sent[5].timestamp > 24 * 3600

    # Statuses: every transition the sandbox produced reached the bot's log, and all were read.
    assert [r.status for r in sandbox.messages()] == ["read"] * 7
    assert "every status was logged: {'delivered': 7, 'read': 7, 'sent': 7}" in out.getvalue()


def test_meta_settings_come_from_the_environment_only(examples: tuple[ModuleType, ModuleType]) -> None:
    support, _ = examples
    with pytest.raises(SystemExit, match="set META_APP_SECRET, META_VERIFY_TOKEN"):
        support.meta_settings({"CLOUD_API_ACCESS_TOKEN": "EAAx", "WA_PHONE_NUMBER_ID": "1"})
    full = dict.fromkeys(support.ENVIRONMENT, "v")
    assert support.meta_settings(full) == full


@pytest.mark.slow
@pytest.mark.parametrize("script", ["support_bot.py", "fastapi_bot.py"])
def test_one_command_runs_it_against_the_sandbox(script: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"CLOUD_API_ACCESS_TOKEN", "META_APP_SECRET"}}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--sandbox"],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "  bot -> button: 'Hello User 4567! How can we help?'" in done.stdout
    assert "  bot -> template order_update (en_US)" in done.stdout
    assert done.stdout.count("  ok ") == 7 and "BAD" not in done.stdout
    assert done.stdout.endswith("all checks passed\n")


@pytest.mark.slow
def test_without_the_environment_it_names_what_is_missing() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"CLOUD_API_ACCESS_TOKEN", "META_APP_SECRET"}}
    env.pop("WA_PHONE_NUMBER_ID", None)
    env.pop("META_VERIFY_TOKEN", None)
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "support_bot.py")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert "set CLOUD_API_ACCESS_TOKEN, WA_PHONE_NUMBER_ID, META_APP_SECRET, META_VERIFY_TOKEN" in done.stderr
