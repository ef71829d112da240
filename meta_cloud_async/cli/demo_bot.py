"""``meta-cloud-async demo bot``: the support bot under Meta's delivery behaviour, checked end to end.

Starts the sandbox over HTTP on 127.0.0.1 with webhook delivery on (POSTs batched, some sent
twice, statuses out of order, retries with backoff) and the support bot of
``examples/support_bot.py`` as an aiohttp receiver in the same process, which answers a share
of POSTs with 503 (Meta then retries). ``--users`` simulated customers each say hello, tap a
reply button, pick a list row and send a last message (every tenth a photo, which the bot
downloads and sends back). Midway the receiver is restarted: stopped, left down while the
sandbox keeps retrying, started again. Then it checks, and prints:

* every user message answered exactly once (the answers each quote the message they answer);
* no duplicate reply despite the duplicate deliveries (the dedupe store suppressed them);
* every status the sandbox produced reached the bot (sent, delivered, read, failed);
* nothing lost across the restart (the retries covered the gap; nothing was given up).

Without ``--redis`` the restart replaces the web server and the router, and the in-memory
dedupe is kept, as the process lives on. With ``--redis URL`` the receiver keeps nothing in
memory: the router hands each accepted POST to a Redis stream (``RedisStreamHandoff``),
stream workers run the bot, the dedupe store is ``RedisDedupe``, and the restart rebuilds all of
it from scratch. Exit 0 only when every check holds; otherwise 1 and a FAILED line naming it.

To finish in seconds, the sandbox's number runs at 1,000 messages/s (Meta raises numbers to
that on request), the pair limit is shortened to 50 ms (Meta's is 6 s, which the client paces
to by default) and statuses follow 0.2 s (delivered) and 0.5 s (read) after a send.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import random
import secrets
import socket
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

import attrs

from . import plain, rich_progress

__all__ = ["BotReport", "register", "run"]

#: The webhook delivery knobs of the run (``--webhook-faults`` replaces them).
DEFAULT_WEBHOOK_FAULTS = (
    "webhook.batch=10,webhook.duplicate=0.1,webhook.reorder=0.2,webhook.fail=0.02,"
    "webhook.backoff=0.05,webhook.max_backoff=0.4,webhook.retry_for=120,webhook.timeout=10"
)
# A tiny valid PNG (1x1 pixel), the photo every tenth user sends.
_GREETING_ANSWERS = ("interactive:button", "interactive:list", "interactive:cta_url")
_PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
_BUTTONS = (("order", "Track my order"), ("hours", "Opening hours"), ("agent", "Talk to a person"))
_ROWS = (("shipping", "Shipping"), ("returns", "Returns"), ("payments", "Payments"), ("warranty", "Warranty"))


def register(demo_sub: Any) -> None:
    p = demo_sub.add_parser(
        "bot",
        help="run the example support bot against the sandbox with Meta's delivery faults, and check it",
        description=plain(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--users", type=int, default=500, help="simulated users (default 500)")
    p.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="hand webhooks off through a Redis stream and dedupe in Redis (e.g. redis://127.0.0.1:6379/0)",
    )
    p.add_argument("--restarts", type=int, default=1, help="receiver restarts during the run (default 1)")
    p.add_argument(
        "--down", type=float, default=0.5, help="seconds the receiver stays down per restart (default 0.5)"
    )
    p.add_argument(
        "--receiver-5xx",
        type=float,
        default=0.05,
        metavar="RATE",
        help="share of webhook POSTs the receiver answers 503 (default 0.05)",
    )
    p.add_argument(
        "--webhook-faults",
        default=DEFAULT_WEBHOOK_FAULTS,
        metavar="SPEC",
        help=f"sandbox webhook knobs (default {DEFAULT_WEBHOOK_FAULTS})",
    )
    p.add_argument(
        "--no-dedupe",
        action="store_true",
        help="handle every delivery, duplicates too (to watch the duplicate check fail)",
    )
    p.add_argument(
        "--settle", type=float, default=30.0, help="seconds to wait for the last answers (default 30)"
    )
    p.add_argument("--seed", type=int, default=7, help="seed of the sandbox and the users (default 7)")
    p.set_defaults(func=run, _parser=p)


@attrs.define
class BotReport:
    """What one run measured; ``failures`` names each check that did not hold."""

    users: int = 0
    messages: int = 0
    replies: int = 0
    expected_replies: int = 0
    missing: int = 0
    duplicate_replies: int = 0
    unread: int = 0
    duplicates_sent: int = 0
    duplicates_suppressed: int = 0
    statuses: int = 0
    statuses_expected: int = 0
    statuses_missing: int = 0
    out_of_order: int = 0
    posts: int = 0
    answered_5xx: int = 0
    failed_attempts: int = 0
    given_up: int = 0
    restarts: int = 0
    down_refused: int = 0
    wall: float = 0.0
    failures: list[str] = attrs.field(factory=list)
    planned: int = 0
    #: Every user message (wamid) and the kinds of reply it should get.
    inbound: dict[str, tuple[str, ...]] = attrs.field(factory=dict, repr=False)


def run(args: argparse.Namespace) -> int:
    errors = []
    if not 1 <= args.users <= 100_000:
        errors.append("--users must be within 1..100000")
    if args.restarts < 0:
        errors.append("--restarts must be >= 0")
    if not 0 <= args.down <= 60:
        errors.append("--down must be within 0..60 seconds")
    if not 0 <= args.receiver_5xx < 1:
        errors.append("--receiver-5xx must be within 0..1 (exclusive)")
    if args.settle <= 0:
        errors.append("--settle must be > 0")
    if errors:
        sys.stderr.write("".join(f"meta-cloud-async demo bot: {e}\n" for e in errors))
        return 2
    from ..sandbox import FaultConfig

    try:
        faults = FaultConfig.parse(args.webhook_faults)
    except ValueError as exc:
        sys.stderr.write(f"meta-cloud-async demo bot: --webhook-faults: {exc}\n")
        return 2
    if faults.active:
        sys.stderr.write("meta-cloud-async demo bot: --webhook-faults takes only webhook.* keys\n")
        return 2
    if args.redis:
        try:
            import redis.asyncio  # noqa: F401
        except ImportError:
            sys.stderr.write(
                "meta-cloud-async demo bot: --redis needs the redis extra: pip install 'meta-cloud-async[redis]'\n"
            )
            return 2
    try:
        report = asyncio.run(_demo(args, faults, sys.stdout))
    except OSError as exc:
        sys.stderr.write(f"meta-cloud-async demo bot: {exc}\n")
        return 2
    return 1 if report.failures else 0


class _CountingDedupe:
    """The receiver's dedupe store, counting what it suppressed (``None``: suppress nothing)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.suppressed = 0

    async def claim(self, keys: Sequence[str]) -> list[bool]:
        if self.inner is None:
            return [True] * len(keys)
        fresh: list[bool] = await self.inner.claim(keys)
        self.suppressed += fresh.count(False)
        return fresh

    async def release(self, keys: Sequence[str]) -> None:
        if self.inner is not None:
            await self.inner.release(keys)


class _Receiver:
    """The bot's webhook receiver, restartable on the same port.

    Memory mode: router + MemoryDedupe (kept across restarts) + aiohttp. Redis mode: router
    with a stream hand-off, stream workers and RedisDedupe, all rebuilt on every start.
    """

    def __init__(
        self,
        *,
        bot: Any,
        client: Any,
        app_secret: str,
        sock: socket.socket,
        redis_url: str | None,
        run_id: str,
        no_dedupe: bool,
        reject_rate: float,
        seed: int,
    ) -> None:
        from ..webhooks import MemoryDedupe

        self.bot = bot
        self.client = client
        self._secret = app_secret
        self._sock: socket.socket | None = sock
        self.port = int(sock.getsockname()[1])
        self.redis_url = redis_url
        self.stream = f"mca:demo-bot:{run_id}"
        self.prefix = f"mca:demo-bot:{run_id}:seen:"
        self.no_dedupe = no_dedupe
        self.memory = MemoryDedupe(max_keys=1_000_000)
        self.reject_rate = reject_rate
        self._rng = random.Random(seed ^ 0x5A5A)
        self.suppressed = 0  # by routers stopped so far
        self.posts = 0
        self.rejected = 0
        self._runner: Any = None
        self._router: Any = None
        self._dedupe: _CountingDedupe | None = None
        self._redis: Any = None
        self._stop: asyncio.Event | None = None
        self._workers: list[asyncio.Task[None]] = []

    @property
    def duplicates_suppressed(self) -> int:
        return self.suppressed + (self._dedupe.suppressed if self._dedupe is not None else 0)

    async def start(self) -> None:
        from aiohttp import web

        from ..webhooks import RedisDedupe, RedisStreamHandoff, StreamWorker, WebhookRouter

        handoff = None
        inner: Any = None if self.no_dedupe else self.memory
        if self.redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(self.redis_url)
            handoff = RedisStreamHandoff(self._redis, stream=self.stream)
            inner = None if self.no_dedupe else RedisDedupe(self._redis, ttl=3600, prefix=self.prefix)
        self._dedupe = _CountingDedupe(inner)
        router = WebhookRouter(
            app_secret=self._secret, client=self.client, dedupe=self._dedupe, handoff=handoff, concurrency=64
        )
        self.bot.install(router)
        self._router = router
        if self.redis_url:
            self._stop = asyncio.Event()
            for i in range(64):
                worker = StreamWorker(
                    router,
                    self._redis,
                    stream=self.stream,
                    consumer=f"worker-{secrets.token_hex(4)}-{i}",
                    batch=1,
                    block_ms=1000,
                    claim_idle_ms=60_000,  # only a crashed worker's entries; ours stop cleanly
                )
                self._workers.append(asyncio.ensure_future(worker.run(self._stop)))

        @web.middleware
        async def flaky(request: web.Request, handler: Any) -> Any:
            if request.method == "POST":
                self.posts += 1
                if self._rng.random() < self.reject_rate:
                    self.rejected += 1
                    return web.Response(status=503, text="try again later")
            return await handler(request)

        app = web.Application(middlewares=[flaky])
        router.aiohttp_app(path="/webhook", app=app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        if self._sock is not None:
            site: Any = web.SockSite(runner, self._sock)
            self._sock = None
        else:
            site = web.TCPSite(runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self._runner = runner

    async def stop(self) -> None:
        """Stop accepting, finish what was accepted (memory: the router drains), drop everything."""
        if self._runner is not None:
            await self._runner.cleanup()  # the app's cleanup drains the router
            self._runner = None
        if self._stop is not None:
            self._stop.set()
            await asyncio.gather(*self._workers, return_exceptions=True)
            self._workers = []
            self._stop = None
        if self._dedupe is not None:
            self.suppressed += self._dedupe.suppressed
            self._dedupe = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        self._router = None

    async def idle(self) -> bool:
        """Whether everything accepted so far was handled."""
        router = self._router
        if router is None:
            return True
        if self.redis_url and self._redis is not None:
            try:
                info = await self._redis.xinfo_stream(self.stream)
                groups = await self._redis.xinfo_groups(self.stream)
            except Exception:
                return True  # no stream yet: nothing accepted
            last = info.get("last-generated-id")
            return all(int(g.get("pending", 0)) == 0 and g.get("last-delivered-id") == last for g in groups)
        return bool(router.backlog == 0)

    async def cleanup_redis(self) -> None:
        if not self.redis_url:
            return
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self.redis_url)
        try:
            await client.delete(self.stream)
            keys = [key async for key in client.scan_iter(match=self.prefix + "*", count=1000)]
            for start in range(0, len(keys), 1000):
                await client.delete(*keys[start : start + 1000])
        finally:
            await client.aclose()


class _Watcher:
    """Reads what the sandbox accepted, as it happens, and hands each answer to its user."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.cursor = 0
        self.answers: dict[str, list[Any]] = {}  # inbound wamid -> the replies quoting it
        self.waiting: dict[str, tuple[int, asyncio.Future[list[Any]]]] = {}
        self._wake = asyncio.Event()
        sandbox.messaging.listeners.append(self._wake.set)

    def expect(self, wamid: str, count: int) -> asyncio.Future[list[Any]]:
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self.waiting[wamid] = (count, future)
        self._check(wamid)
        return future

    def _check(self, wamid: str) -> None:
        wanted = self.waiting.get(wamid)
        got = self.answers.get(wamid, [])
        if wanted is not None and len(got) >= wanted[0]:
            del self.waiting[wamid]
            if not wanted[1].done():
                wanted[1].set_result(list(got))

    def read(self) -> None:
        new = self.sandbox.messages(start=self.cursor)
        self.cursor += len(new)
        for record in new:
            context = record.body.get("context")
            if isinstance(context, dict) and isinstance(context.get("message_id"), str):
                wamid = context["message_id"]
                self.answers.setdefault(wamid, []).append(record)
                self._check(wamid)

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            self.read()
            await asyncio.sleep(0.005)  # read in batches, not once per send


def _kind(record: Any) -> str:
    if record.type == "interactive":
        return f"interactive:{record.body['interactive']['type']}"
    return str(record.type)


class _Progress:
    """A rich live line on a terminal; plain lines (at most one a second) otherwise."""

    def __init__(self, out: TextIO, total: int) -> None:
        self.out = out
        self.total = total
        self._task: Any = None
        self._last = time.monotonic()
        self._rich: Any = rich_progress(
            out,
            lambda p: [
                p.TextColumn("users"),
                p.BarColumn(),
                p.MofNCompleteColumn(),
                p.TextColumn("{task.fields[detail]}"),
                p.TimeElapsedColumn(),
            ],
        )

    def __enter__(self) -> _Progress:
        if self._rich is not None:
            self._rich.start()
            self._task = self._rich.add_task("users", total=self.total, detail="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.stop()

    def update(self, done: int, detail: str, *, force: bool = False) -> None:
        if self._rich is not None:
            self._rich.update(self._task, completed=done, detail=detail)
            return
        now = time.monotonic()
        if force or now - self._last >= 1.0:
            self._last = now
            self.out.write(f"  users {done}/{self.total} · {detail}\n")
            self.out.flush()


async def _demo(args: argparse.Namespace, faults: Any, out: TextIO) -> BotReport:
    from .._client import WhatsApp
    from ..middleware.rate_limit import RateLimitPolicy
    from ..sandbox import Sandbox
    from ..sandbox.messaging import MessagingLimits
    from .support_bot import SupportBot

    started = time.perf_counter()
    report = BotReport(users=args.users)
    if args.redis:
        await _ping(args.redis)
    secret = secrets.token_hex(16)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sandbox = Sandbox(
        seed=args.seed, faults=faults, webhook_url=f"http://127.0.0.1:{port}/webhook", app_secret=secret
    )
    sandbox.messaging.limits = MessagingLimits(
        throughput=1000.0, pair_interval=0.05, pair_burst=10, delivered_after=0.2, read_after=0.5
    )
    number = sandbox.phone_number_ids[0]
    wf = sandbox.webhook_faults
    # The bot logs every status; its lines would drown the figures, so they stay in the log only.
    bot_log = logging.getLogger("meta_cloud_async.support_bot")
    quiet = [bot_log, logging.getLogger("meta_cloud_async.sandbox.webhooks")]
    saved = [(lg.level, lg.propagate) for lg in quiet]
    for lg in quiet:
        lg.setLevel(logging.CRITICAL)
    seen: dict[str, list[str]] = {}
    status_keys: set[tuple[str, str]] = set()

    def on_status(status: Any) -> None:
        status_keys.add((status.id, status.status))
        seen.setdefault(status.id, []).append(status.status)

    bot = SupportBot(on_status=on_status)
    rng = random.Random(args.seed)
    run_id = secrets.token_hex(6)
    mode = f"Redis hand-off and RedisDedupe at {_shown(args.redis)}" if args.redis else "in-memory dedupe"
    receiver: _Receiver | None = None
    try:
        async with sandbox.serve() as base_url:
            policy = RateLimitPolicy(
                messaging_rate=1000.0, messaging_burst=1000.0, pair_interval=0.05, pair_burst=10
            )
            async with WhatsApp(
                access_token=sandbox.access_token,
                phone_number_id=number,
                base_url=base_url,
                rate_limit=policy,
            ) as wa:
                receiver = _Receiver(
                    bot=bot,
                    client=wa,
                    app_secret=secret,
                    sock=sock,
                    redis_url=args.redis,
                    run_id=run_id,
                    no_dedupe=args.no_dedupe,
                    reject_rate=args.receiver_5xx,
                    seed=args.seed,
                )
                await receiver.start()
                out.write(
                    f"sandbox at {base_url}; bot receiving at http://127.0.0.1:{port}/webhook ({mode})\n"
                    f"webhooks: batches of up to {wf.batch}, {wf.duplicate:.0%} sent twice, "
                    f"{wf.reorder:.0%} out of order, {wf.fail:.0%} of messages failed, "
                    f"{args.receiver_5xx:.0%} answered 503 by the receiver; "
                    f"{args.restarts} receiver restart(s) of {args.down:g} s\n"
                )
                out.flush()
                await _simulate(args, sandbox, number, receiver, report, rng, out)
                await _settle(args, sandbox, receiver, status_keys, report)
                await receiver.stop()
                _evaluate(sandbox, report, status_keys, seen, receiver, args.restarts)
    finally:
        for lg, (level, propagate) in zip(quiet, saved, strict=True):
            lg.setLevel(level)
            lg.propagate = propagate
        if receiver is not None:
            with contextlib.suppress(Exception):
                await receiver.stop()
            with contextlib.suppress(Exception):
                await receiver.cleanup_redis()
        with contextlib.suppress(OSError):
            sock.close()
    report.wall = time.perf_counter() - started
    _print(report, out)
    return report


async def _ping(url: str) -> None:
    """Fail early, as an OSError naming the server (never its password), if Redis is unreachable."""
    import redis.asyncio as aioredis

    try:
        client = aioredis.Redis.from_url(url)
    except ValueError as exc:
        raise OSError(f"--redis {_shown(url)}: {exc}") from None
    try:
        await client.ping()
    except Exception as exc:
        raise OSError(f"cannot reach Redis at {_shown(url)}: {type(exc).__name__}") from None
    finally:
        await client.aclose()


def _shown(url: str | None) -> str:
    """A Redis URL without its password."""
    if not url:
        return ""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return scheme + sep + rest


async def _simulate(
    args: argparse.Namespace,
    sandbox: Any,
    number: str,
    receiver: _Receiver,
    report: BotReport,
    rng: random.Random,
    out: TextIO,
) -> None:
    """Every user's four turns, all users at once; the receiver restarts midway."""
    watcher = _Watcher(sandbox)
    watch = asyncio.ensure_future(watcher.run())
    planned = args.users * 4
    injected = 0
    done = 0
    expected: dict[str, tuple[str, ...]] = {}  # wamid -> the kinds of reply it should get
    timeout = args.settle

    injected_more = asyncio.Event()

    def counted(wamid: str, kinds: tuple[str, ...] = ("text",)) -> str:
        nonlocal injected
        expected[wamid] = kinds
        injected += 1
        injected_more.set()
        return wamid

    def say(user: str, kind: str, payload: dict[str, Any], reply_to: str | None = None) -> str:
        wamid: str = sandbox.inbound(number, user, kind, payload, reply_to=reply_to)
        return counted(wamid)

    async def answers(wamid: str) -> list[Any]:
        try:
            return await asyncio.wait_for(watcher.expect(wamid, len(expected[wamid])), timeout)
        except asyncio.TimeoutError:
            return watcher.answers.get(wamid, [])

    async def user(index: int) -> None:
        nonlocal done
        await asyncio.sleep(rng.random() * min(2.0, args.users / 250))  # users arrive over a moment
        wa_id = f"4915{index:09d}"
        greeting = {"body": rng.choice(["Hi", "Hello", "hey", "Good morning!"])}
        hello = counted(sandbox.inbound(number, wa_id, "text", greeting), _GREETING_ANSWERS)
        got = {_kind(r): r.id for r in await answers(hello)}
        buttons, menu = got.get("interactive:button"), got.get("interactive:list")
        if buttons is not None:
            button_id, title = rng.choice(_BUTTONS)
            tap = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
            await answers(say(wa_id, "interactive", tap, reply_to=buttons))
        if menu is not None:
            row_id, title = rng.choice(_ROWS)
            pick = {"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
            await answers(say(wa_id, "interactive", pick, reply_to=menu))
        if index % 10 == 0:
            wamid = counted(sandbox.inbound_media(number, wa_id, _PHOTO, "image/png"), ("image",))
        else:
            wamid = say(wa_id, "text", {"body": rng.choice(["thanks", "ok, thank you", "bye"])})
        await answers(wamid)
        done += 1

    async def restarts() -> None:
        for n in range(1, args.restarts + 1):
            while injected < planned * n / (args.restarts + 1):
                injected_more.clear()
                await injected_more.wait()
            before = sandbox.webhook_stats.failed_attempts
            await receiver.stop()
            await asyncio.sleep(args.down)
            report.down_refused += sandbox.webhook_stats.failed_attempts - before
            await receiver.start()
            report.restarts += 1

    def detail() -> str:
        stats = sandbox.webhook_stats
        return (
            f"messages {injected} · replies {sum(len(v) for v in watcher.answers.values())} · "
            f"statuses {sum(receiver.bot.statuses.values())} · "
            f"restarts {report.restarts} · retried {stats.retried}"
        )

    tasks = [asyncio.ensure_future(user(i)) for i in range(args.users)]
    restarter = asyncio.ensure_future(restarts())
    with _Progress(out, args.users) as progress:
        while not all(t.done() for t in tasks):
            progress.update(done, detail())
            await asyncio.sleep(0.1)
        progress.update(done, detail(), force=True)
    for t in tasks:
        t.result()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(restarter, timeout)
    restarter.cancel()
    watcher.read()
    watch.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watch
    sandbox.messaging.listeners.remove(watcher._wake.set)
    report.planned = planned
    report.messages = len(expected)
    report.expected_replies = sum(len(k) for k in expected.values())
    report.unread = sum(
        1
        for wamid in expected
        if not (sandbox.messaging.is_read(wamid) and sandbox.messaging.showed_typing(wamid))
    )
    report.inbound = expected


async def _settle(
    args: argparse.Namespace,
    sandbox: Any,
    receiver: _Receiver,
    status_keys: set[tuple[str, str]],
    report: BotReport,
) -> None:
    """Wait until the last status is due, delivered and handled (or ``--settle`` runs out)."""
    deadline = time.monotonic() + args.settle
    messaging = sandbox.messaging
    while time.monotonic() < deadline:
        stats = sandbox.webhook_stats
        if messaging.next_status_at() is None and stats.pending == 0 and await receiver.idle():
            expected = {(e.message_id, e.status) for e in messaging.status_events(sandbox.clock())}
            if expected <= status_keys:
                break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # a late duplicate reply would show up now


def _evaluate(
    sandbox: Any,
    report: BotReport,
    status_keys: set[tuple[str, str]],
    seen: dict[str, list[str]],
    receiver: _Receiver,
    planned_restarts: int,
) -> None:
    messaging = sandbox.messaging
    expected = {(e.message_id, e.status) for e in messaging.status_events(sandbox.clock())}
    stats = sandbox.webhook_stats
    report.statuses_expected = len(expected)
    report.statuses = len(expected & status_keys)
    report.statuses_missing = len(expected - status_keys)
    rank = {"sent": 0, "delivered": 1, "read": 2, "failed": 1}
    report.out_of_order = sum(
        1 for order in seen.values() if any(rank[a] > rank[b] for a, b in itertools.pairwise(order))
    )
    # Every reply in the sandbox's log, by the user message it quotes, against what that
    # message should have got: missing kinds, and copies or kinds it should not have got.
    got: dict[str, Counter[str]] = {wamid: Counter() for wamid in report.inbound}
    for record in sandbox.messages():
        context = record.body.get("context")
        quoted = context.get("message_id") if isinstance(context, dict) else None
        if quoted in got:
            got[quoted][_kind(record)] += 1
    report.replies = sum(sum(c.values()) for c in got.values())
    for wamid, kinds in report.inbound.items():
        want = Counter(kinds)
        report.missing += sum((want - got[wamid]).values())
        report.duplicate_replies += sum((got[wamid] - want).values())
    report.duplicates_sent = stats.duplicates_sent
    report.duplicates_suppressed = receiver.duplicates_suppressed
    report.posts = stats.delivered
    report.failed_attempts = stats.failed_attempts
    report.answered_5xx = receiver.rejected
    report.given_up = stats.given_up
    f = report.failures
    if report.missing or report.duplicate_replies or report.messages < report.planned:
        f.append(
            f"every user message answered exactly once: {report.missing} answers missing, "
            f"{report.duplicate_replies} extra, {report.planned - report.messages} user messages never sent "
            "(their user got no buttons or list to tap)"
        )
    if report.duplicate_replies:
        f.append(
            f"no duplicate reply despite duplicate deliveries: {report.duplicate_replies} duplicate replies "
            f"({report.duplicates_sent} duplicate POSTs, {report.duplicates_suppressed} events suppressed)"
        )
    if report.unread:
        f.append(f"every message marked read with a typing indicator: {report.unread} were not")
    if report.statuses_missing:
        f.append(f"every status delivered: {report.statuses_missing} of {report.statuses_expected} missing")
    if report.given_up or stats.pending:
        f.append(f"nothing lost: the sandbox gave up {report.given_up} POSTs, {stats.pending} still pending")
    if report.restarts < planned_restarts:
        f.append(
            f"nothing lost across restarts: only {report.restarts} of {planned_restarts} restarts happened"
        )


def _print(report: BotReport, out: TextIO) -> None:
    def line(ok: bool, text: str) -> None:
        out.write(f"  {'ok  ' if ok else 'FAIL'} {text}\n")

    names = " ".join(report.failures)
    out.write("checks:\n")
    line(
        "answered exactly once" not in names,
        f"every user message answered exactly once ({report.messages}/{report.planned} messages, "
        f"{report.replies} replies for {report.expected_replies} expected: {report.missing} missing, "
        f"{report.duplicate_replies} extra)",
    )
    line(
        "no duplicate reply" not in names,
        f"no duplicate reply despite {report.duplicates_sent} duplicate deliveries "
        f"({report.duplicates_suppressed} duplicate events suppressed)",
    )
    line(
        "marked read" not in names, f"every message marked read with a typing indicator ({report.unread} not)"
    )
    line(
        "every status delivered" not in names,
        f"every status delivered ({report.statuses}/{report.statuses_expected}; "
        f"{report.out_of_order} messages saw theirs out of order)",
    )
    line(
        "nothing lost" not in names,
        f"nothing lost across {report.restarts} receiver restart(s) ({report.posts} POSTs delivered, "
        f"{report.down_refused} refused while "
        f"down, {report.answered_5xx} answered 503, {report.failed_attempts} failed attempts retried, "
        f"{report.given_up} given up)",
    )
    out.write(
        f"users {report.users} · messages {report.messages} · replies {report.replies} · "
        f"duplicates suppressed {report.duplicates_suppressed} · statuses {report.statuses} · "
        f"restarts {report.restarts} · wall time {report.wall:.1f} s\n"
    )
    for failure in report.failures:
        out.write(f"FAILED: {failure}\n")
    out.flush()
