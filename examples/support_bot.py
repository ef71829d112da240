"""A small WhatsApp support bot on aiohttp.web: menus, buttons, a photo echo, a late template.

The handlers live in ``meta_cloud_async.cli.support_bot`` (shared with ``fastapi_bot.py`` and
``meta-cloud-async demo bot``); this file is the web server around them. A greeting gets reply
buttons, a list menu and a CTA URL; a tapped button or list row gets its answer; a photo comes
back; every message is marked read with a typing indicator; statuses are logged; and a
follow-up written after the 24-hour window closed goes out as the approved template.

Offline, against the embedded sandbox (Meta's side and a scripted customer, signed webhooks
over HTTP to this receiver on 127.0.0.1, a virtual clock for the 25-hour jump)::

    python examples/support_bot.py --sandbox

Against Meta (Meta must reach ``--host``/``--port``, e.g. through a tunnel, at ``/webhook``)::

    CLOUD_API_ACCESS_TOKEN=EAAG... WA_PHONE_NUMBER_ID=1234 \\
    META_APP_SECRET=... META_VERIFY_TOKEN=... python examples/support_bot.py --port 8080

The token, app secret and verify token are read from the environment only and never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, TextIO

from aiohttp import web

from meta_cloud_async import WhatsApp
from meta_cloud_async.cli.support_bot import SupportBot
from meta_cloud_async.sandbox import Sandbox, VirtualClock
from meta_cloud_async.sandbox.messaging import SentRecord
from meta_cloud_async.webhooks import WebhookRouter

CUSTOMER = "15551234567"
# A tiny valid PNG (1x1 pixel): the customer's photo.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
#: The environment variables of a run against Meta.
ENVIRONMENT = ("CLOUD_API_ACCESS_TOKEN", "WA_PHONE_NUMBER_ID", "META_APP_SECRET", "META_VERIFY_TOKEN")

#: Starts a receiver serving ``router`` on 127.0.0.1 (port 0: a free one); yields its webhook URL.
Receiver = Callable[[WebhookRouter, str, int], contextlib.AbstractAsyncContextManager[str]]


@contextlib.asynccontextmanager
async def aiohttp_receiver(router: WebhookRouter, host: str, port: int) -> AsyncIterator[str]:
    """``router.aiohttp_app()`` on ``host:port``; leaving drains the router (its app cleanup)."""
    runner = web.AppRunner(router.aiohttp_app(path="/webhook"))
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1]
        yield f"http://{host}:{bound}/webhook"
    finally:
        await runner.cleanup()


def meta_settings(environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, str]:
    """The four settings of a run against Meta, from the environment; SystemExit naming the missing ones."""
    missing = [name for name in ENVIRONMENT if not environ.get(name)]
    if missing:
        raise SystemExit(f"set {', '.join(missing)} (or pass --sandbox to run offline)")
    return {name: environ[name] for name in ENVIRONMENT}


async def serve_meta(receiver: Receiver, host: str, port: int) -> int:
    """Serve the bot for Meta until interrupted."""
    settings = meta_settings()
    async with WhatsApp(
        access_token=settings["CLOUD_API_ACCESS_TOKEN"], phone_number_id=settings["WA_PHONE_NUMBER_ID"]
    ) as wa:
        router = WebhookRouter(
            app_secret=settings["META_APP_SECRET"], verify_token=settings["META_VERIFY_TOKEN"], client=wa
        )
        SupportBot().install(router)
        async with receiver(router, host, port) as url:
            logging.getLogger("meta_cloud_async.support_bot").info("serving webhooks at %s", url)
            await asyncio.Event().wait()  # until Ctrl-C
    return 0


def _kinds(records: Sequence[SentRecord]) -> list[str]:
    out = []
    for r in records:
        inner = r.body.get("interactive", {})
        out.append(f"{r.type}:{inner['type']}" if r.type == "interactive" else r.type)
    return out


async def sandbox_conversation(receiver: Receiver, out: TextIO = sys.stdout) -> int:
    """A scripted customer talks to the bot through the sandbox; checks every answer; 0 if all hold."""
    app_secret = secrets.token_hex(16)
    clock = VirtualClock()
    problems: list[str] = []
    bot = SupportBot()
    router = WebhookRouter(app_secret=app_secret, verify_token="sandbox-verify")
    bot.install(router)

    def check(ok: bool, what: str) -> None:
        out.write(f"  {'ok ' if ok else 'BAD'} {what}\n")
        if not ok:
            problems.append(what)

    async with receiver(router, "127.0.0.1", 0) as url:
        sandbox = Sandbox(webhook_url=url, app_secret=app_secret, clock=clock)
        number = sandbox.phone_number_ids[0]
        async with (
            sandbox.serve() as base_url,
            # The client paces on the same virtual clock (Meta's pair limit: 6 s between messages
            # to one user), so the 10 s a customer takes to tap pass in no real time.
            WhatsApp(
                access_token=sandbox.access_token,
                phone_number_id=number,
                base_url=base_url,
                clock=clock,
                sleep=clock.sleep,
            ) as wa,
        ):
            router.client = wa

            async def turn(say: str, inject: Callable[[], str]) -> tuple[str, list[SentRecord]]:
                """The customer writes; returns the wamid and what the bot answered to it."""
                before = sandbox.messaging.sent_count
                wamid = inject()
                inbound.append(wamid)
                await sandbox.flush_webhooks()
                await router.join()
                answers = [r for r in sandbox.messages(start=before) if _quotes(r, wamid)]
                out.write(f"customer: {say}\n")
                for record in answers:
                    out.write(f"  bot -> {_describe(record)}\n")
                clock.advance(10)  # the customer reads and taps
                return wamid, answers

            inbound: list[str] = []
            _, answers = await turn("Hi", lambda: sandbox.inbound(number, CUSTOMER, "text", {"body": "Hi"}))
            check(
                _kinds(answers) == ["interactive:button", "interactive:list", "interactive:cta_url"],
                "a greeting gets reply buttons, a list menu and a CTA URL",
            )
            buttons = answers[0].id if answers else ""
            menu = answers[1].id if len(answers) > 1 else ""

            tap = {"type": "button_reply", "button_reply": {"id": "order", "title": "Track my order"}}
            _, answers = await turn(
                "[taps 'Track my order']",
                lambda: sandbox.inbound(number, CUSTOMER, "interactive", tap, reply_to=buttons or None),
            )
            check(
                _kinds(answers) == ["text"] and "warehouse" in answers[0].body["text"]["body"],
                "the tapped button is answered",
            )
            pick = {"type": "list_reply", "list_reply": {"id": "returns", "title": "Returns"}}
            _, answers = await turn(
                "[picks 'Returns' from the list]",
                lambda: sandbox.inbound(number, CUSTOMER, "interactive", pick, reply_to=menu or None),
            )
            check(
                _kinds(answers) == ["text"] and "30 days" in answers[0].body["text"]["body"],
                "the picked list row is answered",
            )
            _, answers = await turn(
                "[sends a photo]", lambda: sandbox.inbound_media(number, CUSTOMER, PHOTO, "image/png")
            )
            same = False
            if _kinds(answers) == ["image"]:
                echoed = sandbox.media.media[answers[0].body["image"]["id"]].data
                same = hashlib.sha256(echoed).digest() == hashlib.sha256(PHOTO).digest()
            check(same, "the photo is downloaded and sent back unchanged")
            read = [sandbox.messaging.is_read(m) and sandbox.messaging.showed_typing(m) for m in inbound]
            check(all(read), f"all {len(inbound)} messages were marked read with a typing indicator")

            clock.advance(25 * 3600)
            out.write("25 hours later, an agent answers the ticket:\n")
            before = sandbox.messaging.sent_count
            await bot.follow_up(wa, CUSTOMER, "Your parcel arrives tomorrow.", order="#4711")
            late = sandbox.messages(start=before)
            refused = [e for e in sandbox.request_log if e.error_code == 131047]
            for record in late:
                out.write(f"  bot -> {_describe(record)}\n")
            check(
                len(refused) == 1
                and [r.type for r in late] == ["template"]
                and late[0].body["template"]["name"] == "order_update",
                "outside the 24-hour window the follow-up is the approved template (free-form got 131047)",
            )

            clock.advance(10)  # every message delivered and read
            await sandbox.flush_webhooks()
            await router.join()
            expected = sorted(e.status for e in sandbox.messaging.status_events(clock()))
            check(
                sorted(bot.statuses.elements()) == expected,
                f"every status was logged: {dict(sorted(bot.statuses.items()))}",
            )
    if problems:
        out.write(f"FAILED: {len(problems)} check(s): {'; '.join(problems)}\n")
        return 1
    out.write("all checks passed\n")
    return 0


def _quotes(record: SentRecord, wamid: str) -> bool:
    context = record.body.get("context")
    return isinstance(context, dict) and context.get("message_id") == wamid


def _describe(record: SentRecord) -> str:
    body = record.body
    if record.type == "interactive":
        inner = body["interactive"]
        return f"{inner['type']}: {inner['body']['text']!r}"
    if record.type == "text":
        return f"text: {body['text']['body']!r}"
    if record.type == "image":
        return f"image: {body['image'].get('caption')!r}"
    if record.type == "template":
        return f"template {body['template']['name']} ({body['template']['language']['code']})"
    return record.type


def parser(description: str | None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sandbox", action="store_true", help="run offline against the embedded sandbox")
    p.add_argument("--host", default="127.0.0.1", help="address to serve webhooks on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to serve webhooks on (default 8080)")
    return p


def run(receiver: Receiver, argv: Sequence[str] | None, description: str | None) -> int:
    args = parser(description).parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.sandbox else logging.INFO)
    main: Coroutine[Any, Any, int] = (
        sandbox_conversation(receiver) if args.sandbox else serve_meta(receiver, args.host, args.port)
    )
    try:
        return asyncio.run(main)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(run(aiohttp_receiver, None, __doc__))
