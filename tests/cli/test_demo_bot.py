"""``meta-cloud-async demo bot``: the support bot end to end, and each check able to fail."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from meta_cloud_async.cli import demo_bot, main
from meta_cloud_async.cli.support_bot import SupportBot
from meta_cloud_async.webhooks import InteractiveMessage, WebhookContext

FIGURES = re.compile(
    r"users (\d+) · messages (\d+) · replies (\d+) · duplicates suppressed (\d+) · statuses (\d+) · "
    r"restarts (\d+) · wall time ([\d.]+) s"
)


def _figures(out: str) -> dict[str, float]:
    match = FIGURES.search(out)
    assert match, out
    names = ("users", "messages", "replies", "suppressed", "statuses", "restarts", "wall")
    return dict(zip(names, map(float, match.groups()), strict=True))


def _check_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("  ok   ", "  FAIL "))]


@pytest.mark.slow
def test_a_hundred_users_as_ci_runs_it() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CLOUD_API_ACCESS_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "meta_cloud_async", "demo", "bot", "--users", "100"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    figures = _figures(out)
    # 100 users x 4 messages; a greeting gets 3 answers, the rest 1 each.
    assert figures["users"] == 100 and figures["messages"] == 400 and figures["replies"] == 600
    assert figures["restarts"] == 1 and figures["suppressed"] > 0
    # sent + delivered + read for each reply, sent + failed for the few the sandbox fails.
    assert 2 * 600 < figures["statuses"] <= 3 * 600
    assert f"every status delivered ({int(figures['statuses'])}/{int(figures['statuses'])};" in out
    checks = _check_lines(out)
    assert len(checks) == 5 and all(line.startswith("  ok   ") for line in checks), out
    assert "400/400 messages, 600 replies for 600 expected: 0 missing, 0 extra" in out
    assert "0 given up" in out and "FAILED" not in out
    assert re.search(r"\(\d+ POSTs delivered, \d+ refused while down, \d+ answered 503", out)
    assert "  users 100/100 · " in out  # plain progress lines: stdout is not a terminal
    assert done.stderr == ""


def test_without_dedupe_the_duplicate_deliveries_become_duplicate_replies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "bot", "--users", "30", "--no-dedupe", "--restarts", "0"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: no duplicate reply despite duplicate deliveries:" in out
    assert "FAILED: every user message answered exactly once: 0 answers missing," in out
    assert "  FAIL no duplicate reply" in out
    assert _figures(out)["suppressed"] == 0


def test_a_bot_that_leaves_taps_unanswered_fails_the_answer_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def ignore(self: SupportBot, message: InteractiveMessage, ctx: WebhookContext) -> None:
        return None

    monkeypatch.setattr(SupportBot, "answer_choice", ignore)
    assert main(["demo", "bot", "--users", "10", "--settle", "1", "--restarts", "0"]) == 1
    out = capsys.readouterr().out
    # 10 users tap a button and pick a row: 20 answers missing, none extra.
    assert "FAILED: every user message answered exactly once: 20 answers missing, 0 extra" in out
    assert "FAILED: no duplicate reply" not in out


def test_a_bot_that_answers_twice_fails_both_reply_checks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = SupportBot.answer_choice

    async def twice(self: SupportBot, message: InteractiveMessage, ctx: WebhookContext) -> None:
        await original(self, message, ctx)
        await original(self, message, ctx)

    monkeypatch.setattr(SupportBot, "answer_choice", twice)
    assert main(["demo", "bot", "--users", "10", "--restarts", "0"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: every user message answered exactly once: 0 answers missing, 20 extra" in out
    assert "FAILED: no duplicate reply despite duplicate deliveries: 20 duplicate replies" in out


@pytest.mark.redis
@pytest.mark.slow
def test_with_redis_the_receiver_keeps_nothing_in_memory(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import redis

    assert main(["demo", "bot", "--users", "100", "--redis", redis_url]) == 0
    out = capsys.readouterr().out
    assert "(Redis hand-off and RedisDedupe at redis://127.0.0.1:" in out
    figures = _figures(out)
    assert figures["messages"] == 400 and figures["replies"] == 600 and figures["restarts"] == 1
    assert figures["suppressed"] > 0
    assert all(line.startswith("  ok   ") for line in _check_lines(out)), out
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.keys("mca:demo-bot:*") == []  # the run's stream and dedupe keys are gone
    finally:
        client.close()


def test_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "bot", "--users", "0"]) == 2
    assert "--users must be within 1..100000" in capsys.readouterr().err
    assert main(["demo", "bot", "--webhook-faults", "webhook.nope=1"]) == 2
    assert "--webhook-faults: unknown webhook fault key 'nope'" in capsys.readouterr().err
    assert main(["demo", "bot", "--webhook-faults", "transient=0.1"]) == 2
    assert "--webhook-faults takes only webhook.* keys" in capsys.readouterr().err
    assert main(["demo", "bot", "--receiver-5xx", "1"]) == 2
    assert "--receiver-5xx" in capsys.readouterr().err


def test_an_unreachable_redis_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("redis")
    assert main(["demo", "bot", "--users", "1", "--redis", "redis://:pw@127.0.0.1:9/0"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach Redis at redis://***@127.0.0.1:9/0" in err and "pw" not in err


def test_plain_demo_is_still_the_pin_rotation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--numbers", "5", "--in-process"]) == 0
    assert "5/5 PINs in effect match the vault" in capsys.readouterr().out


def test_the_redis_url_is_shown_without_its_password() -> None:
    assert demo_bot._shown("redis://:s3cret@10.0.0.1:6379/0") == "redis://***@10.0.0.1:6379/0"
    assert demo_bot._shown("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_progress_is_rich_on_a_terminal() -> None:
    pytest.importorskip("rich")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    with demo_bot._Progress(stream, 10) as progress:
        progress.update(4, "messages 16")
    assert "4/10" in stream.getvalue() and "messages 16" in stream.getvalue()
    plain = io.StringIO()
    with demo_bot._Progress(plain, 10) as progress:
        progress.update(4, "messages 16", force=True)
    assert plain.getvalue() == "  users 4/10 · messages 16\n"
