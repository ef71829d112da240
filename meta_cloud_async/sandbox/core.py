"""The :class:`Sandbox`: one fake business, reachable in-process or over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from .._checks import check_callable, check_int
from ..transports.base import DEFAULT_MAX_RESPONSE_BYTES
from .budgets import Budget
from .clock import Clock, Sleep, VirtualClock
from .delivery import WebhookDeliverer, WebhookStats
from .faults import FaultConfig, FaultInjector, WebhookFaults
from .flows_state import FlowsState
from .media_state import MediaStore, store_of
from .messaging import Messaging, SentRecord
from .router import RequestLogEntry, Router
from .state import Business, Limits, PhoneNumberState
from .templates_state import Reviewer, TemplateRules, TemplatesState
from .transport import SandboxTransport

if TYPE_CHECKING:
    from ..flows.driver import MetaFlowClient

__all__ = ["DEFAULT_ACCESS_TOKEN", "DEFAULT_APP_BUDGET", "DEFAULT_WABA_BUDGET", "Sandbox"]

#: The token a sandbox accepts unless told otherwise. Not a secret: it only opens sandboxes.
DEFAULT_ACCESS_TOKEN = "sandbox-access-token"
#: Generous but finite: a large rotation fits, a runaway loop still hits 4 / 80007.
DEFAULT_APP_BUDGET = Budget(1_000_000, 3600.0)
DEFAULT_WABA_BUDGET = Budget(500_000, 3600.0)


#: Bounds that keep a sandbox (often reachable over HTTP) from being sized into exhaustion.
MAX_PHONE_NUMBERS = 10_000_000
MAX_REQUEST_LOG_SIZE = 1_000_000


def _check_args(
    *,
    phone_numbers: object,
    wabas: object,
    seed: object,
    access_token: object,
    clock: object,
    sleep: object,
    faults: object,
    app_budget: object,
    waba_budget: object,
    limits: object,
    registered: object,
    code_verified: object,
    request_log_size: object,
    webhook_url: object = None,
    app_secret: object = None,
) -> None:
    """Types and ranges of the constructor's arguments, each error naming its argument."""
    if webhook_url is not None:
        if not isinstance(webhook_url, str):
            raise TypeError(f"webhook_url must be a string, got {type(webhook_url).__name__}")
        if not webhook_url.lower().startswith(("http://", "https://")) or any(
            c.isspace() for c in webhook_url
        ):
            raise ValueError("webhook_url must be an http:// or https:// URL")
        if app_secret is None:
            raise ValueError("app_secret is required with webhook_url: every delivery is signed")
    if app_secret is not None:
        if not isinstance(app_secret, str):
            raise TypeError(f"app_secret must be a string, got {type(app_secret).__name__}")
        if not app_secret:
            raise ValueError("app_secret must be a non-empty string")
        if webhook_url is None:
            raise ValueError("app_secret is only used with webhook_url")
    check_int("phone_numbers", phone_numbers, minimum=0, maximum=MAX_PHONE_NUMBERS)
    check_int("wabas", wabas, minimum=1, maximum=MAX_PHONE_NUMBERS)
    check_int("seed", seed)
    check_int("request_log_size", request_log_size, minimum=0, maximum=MAX_REQUEST_LOG_SIZE)
    if (
        not isinstance(access_token, str)
        or not access_token
        or not access_token.isascii()
        or not access_token.isprintable()
        or any(c.isspace() for c in access_token)
    ):
        raise ValueError("access_token must be a non-empty printable ASCII string without whitespace")
    check_callable("clock", clock, optional=True)
    check_callable("sleep", sleep, optional=True)
    if faults is not None and not isinstance(faults, (FaultConfig, str)):
        raise TypeError(f"faults must be a FaultConfig, its text form or None, got {type(faults).__name__}")
    for name, budget in (("app_budget", app_budget), ("waba_budget", waba_budget)):
        if not isinstance(budget, (Budget, str)):
            raise TypeError(f"{name} must be a Budget or text like '5000/1h', got {type(budget).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits or None, got {type(limits).__name__}")
    for name, flag in (("registered", registered), ("code_verified", code_verified)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")


class Sandbox:
    """A stateful fake of the Graph API for one business.

    ``phone_numbers`` numbers spread over ``wabas`` WhatsApp Business Accounts,
    all derived from ``seed`` (ids, display numbers, initial PINs, codes).
    Numbers start ``registered`` with ``initial_pin`` (``"random"``: a seeded
    PIN per number; ``None``: no 2SV yet; or one fixed PIN). ``clock`` is a
    callable returning seconds (pass a :class:`VirtualClock` for virtual
    time; then ``sleep`` defaults to advancing it, so latency faults are
    instant). ``faults`` is a :class:`FaultConfig` or its text form.
    ``request_log_size`` (at most 1,000,000) bounds the request log.
    ``webhook_url`` with ``app_secret``: the sandbox POSTs signed webhooks there for inbound
    messages and the statuses of what was sent (see :meth:`webhooks`, :meth:`flush_webhooks`,
    and the ``webhook.*`` fault keys). Wrong
    types are ``TypeError`` and wrong ranges ``ValueError``, naming the argument.
    """

    def __init__(
        self,
        *,
        phone_numbers: int = 1,
        wabas: int = 1,
        seed: int = 0,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        faults: FaultConfig | str | None = None,
        app_budget: Budget | str = DEFAULT_APP_BUDGET,
        waba_budget: Budget | str = DEFAULT_WABA_BUDGET,
        limits: Limits | None = None,
        registered: bool = True,
        initial_pin: str | None = "random",
        code_verified: bool = True,
        request_log_size: int = 10_000,
        template_rules: TemplateRules | None = None,
        template_reviewer: Reviewer | None = None,
        webhook_url: str | None = None,
        app_secret: str | None = None,
    ) -> None:
        _check_args(
            phone_numbers=phone_numbers,
            wabas=wabas,
            seed=seed,
            access_token=access_token,
            clock=clock,
            sleep=sleep,
            faults=faults,
            app_budget=app_budget,
            waba_budget=waba_budget,
            limits=limits,
            registered=registered,
            code_verified=code_verified,
            request_log_size=request_log_size,
            webhook_url=webhook_url,
            app_secret=app_secret,
        )
        self.access_token = access_token
        self.seed = seed
        self.clock: Clock = clock if clock is not None else time.monotonic
        if sleep is None:
            sleep = clock.sleep if isinstance(clock, VirtualClock) else asyncio.sleep
        self.sleep: Sleep = sleep
        self.faults = FaultConfig.parse(faults) if isinstance(faults, str) else faults
        self.limits = limits or Limits()
        self._business_args: dict[str, Any] = {
            "phone_numbers": phone_numbers,
            "wabas": wabas,
            "seed": seed,
            "registered": registered,
            "initial_pin": initial_pin,
            "code_verified": code_verified,
            "limits": self.limits,
            "template_rules": template_rules,
            "template_reviewer": template_reviewer,
        }
        advance = clock.advance if isinstance(clock, VirtualClock) else None
        self.router = Router(
            business=self._new_business(),
            access_token=access_token,
            clock=self.clock,
            faults=FaultInjector(self.faults, seed),
            app_budget=Budget.parse(app_budget) if isinstance(app_budget, str) else app_budget,
            waba_budget=Budget.parse(waba_budget) if isinstance(waba_budget, str) else waba_budget,
            log_size=request_log_size,
            on_reset=self.reset,
            advance=advance,
        )
        #: The webhook deliverer (None without ``webhook_url``).
        self.webhook: WebhookDeliverer | None = None
        if webhook_url is not None:
            assert app_secret is not None
            self.webhook = WebhookDeliverer(
                self, webhook_url, app_secret, self.webhook_faults, self._fault_seed
            )
        self._webhook_task: asyncio.Task[None] | None = None

    @property
    def webhook_faults(self) -> WebhookFaults:
        """How webhooks are delivered (the ``webhook.*`` keys of ``faults``)."""
        return self.faults.webhook if self.faults is not None else WebhookFaults()

    @property
    def _fault_seed(self) -> int:
        return self.seed if self.faults is None or self.faults.seed is None else self.faults.seed

    def _new_business(self) -> Business:
        business = Business(**self._business_args)
        rate = self.webhook_faults.fail
        if rate:
            business.messaging.set_failure_rate(rate, self._fault_seed)
        return business

    # -- the business --------------------------------------------------------------

    @property
    def waba_ids(self) -> list[str]:
        """The ids of the sandbox's WABAs."""
        return list(self.router.business.waba_ids)

    @property
    def phone_number_ids(self) -> list[str]:
        """Every number's id, in a stable order (by WABA, then creation)."""
        return list(self.router.business.phone_ids)

    def phone_number_ids_of(self, waba_id: str) -> list[str]:
        """The ids of one WABA's phone numbers."""
        return [p.id for p in self.router.business.waba_phones[waba_id]]

    def state(self, phone_number_id: str) -> PhoneNumberState:
        """A frozen snapshot of one number, PIN and pending verification code included."""
        if phone_number_id not in self.router.business.phones:
            raise KeyError(f"no phone number {phone_number_id!r} in this sandbox")
        return self.router.business.snapshot(phone_number_id, self.clock())

    # -- messaging ---------------------------------------------------------------------

    @property
    def messaging(self) -> Messaging:
        """The messaging state: templates it knows, numbers not on WhatsApp, throughput per number."""
        return self.router.business.messaging

    def inbound(
        self,
        phone_number_id: str,
        from_: str,
        type: str = "text",
        payload: Mapping[str, Any] | None = None,
        *,
        name: str | None = None,
        reply_to: str | None = None,
    ) -> str:
        """A user's message reaches ``phone_number_id``: opens the 24-hour window; returns its wamid.

        ``payload`` is the type object (``{"body": "hi"}`` for text); ``name`` the profile name
        its webhook shows. ``reply_to`` is the wamid of the message this one answers: a tapped
        reply button (``type="interactive"``, payload ``{"type": "button_reply", "button_reply":
        {"id", "title"}}``) or list row (``list_reply``) carries the wamid of the buttons or the
        list in its webhook's ``context``. Same as ``POST /_sandbox/inbound``. With
        ``webhook_url`` set, it is delivered as a ``messages`` webhook.
        """
        if phone_number_id not in self.router.business.phones:
            raise KeyError(f"no phone number {phone_number_id!r} in this sandbox")
        return self.messaging.inbound(
            phone_number_id, from_, type, payload, self.clock(), name=name, reply_to=reply_to
        )

    def inbound_media(
        self,
        phone_number_id: str,
        from_: str,
        data: bytes,
        mime_type: str,
        *,
        type: str = "image",
        caption: str | None = None,
        name: str | None = None,
    ) -> str:
        """A user sends a photo (or other media): its bytes go to the media store, then the message.

        The webhook carries ``{"id", "mime_type", "sha256"}`` (and ``caption``), as Meta's does;
        the business downloads the bytes by that id. Returns the message's wamid.
        """
        if phone_number_id not in self.router.business.phones:
            raise KeyError(f"no phone number {phone_number_id!r} in this sandbox")
        if type not in ("image", "video", "audio", "document", "sticker"):
            raise ValueError(f"type must be a media message type, got {type!r}")
        stored = self.media.put(phone_number_id, data, mime_type, self.clock())
        payload: dict[str, Any] = {"id": stored.id, "mime_type": mime_type, "sha256": stored.sha256}
        if caption is not None:
            payload["caption"] = caption
        return self.inbound(phone_number_id, from_, type, payload, name=name)

    def messages(self, phone_number_id: str | None = None, *, start: int = 0) -> list[SentRecord]:
        """What was sent through the sandbox (oldest first), each with its status now. Same as ``GET /_sandbox/messages``.

        ``start`` skips the first ``start`` messages of the whole log: a watcher that keeps
        ``len`` of what it read gets only the new ones.
        """
        return self.messaging.messages(self.clock(), phone_number_id, start=start)

    @property
    def media(self) -> MediaStore:
        """Stored media and resumable upload sessions (capped: ``media.capacity`` bytes, 256 MiB by default)."""
        return store_of(self.router.business)

    @property
    def request_log(self) -> list[RequestLogEntry]:
        """The most recent Graph calls (admin calls excluded), oldest first, bodies redacted."""
        return self.router.entries()

    def reset(self) -> None:
        """Back to the state the constructor made: same ids, PINs, budgets and fault sequence.

        Webhooks not yet delivered are dropped and the webhook counters start again.
        """
        self.router.reset(self._new_business(), FaultInjector(self.faults, self.seed))
        if self.webhook is not None:
            self.webhook.reset()

    # -- templates and flows -----------------------------------------------------------

    @property
    def templates(self) -> TemplatesState:
        """Every WABA's message templates (the state behind ``wa.templates``)."""
        return self.router.business.templates

    @property
    def flows(self) -> FlowsState:
        """Every WABA's Flows (the state behind ``wa.flows``)."""
        return self.router.business.flows

    def template_events(self) -> list[dict[str, Any]]:
        """Every template status, quality and category change so far, oldest first.

        Each is ``{"at", "waba_id", "field", "value"}``: ``field`` is the webhook field
        (``message_template_status_update``, ``message_template_quality_update``,
        ``template_category_update``) and ``value`` its payload, ready for a webhook
        delivery. Reviews due by now are applied first; the list is kept (not drained).
        """
        templates = self.templates
        templates.events(
            self.clock()
        )  # applies reviews due by now; the webhook deliverer drains the same way
        return list(templates.history)

    def set_template_quality(self, template_id: str, score: str) -> None:
        """Meta rates a template: ``"RED"`` pauses an approved one (3 h, then 6 h, then disables it)."""
        self.templates.waba_of(template_id).set_quality(template_id, score, self.clock())

    def change_template_category(self, template_id: str, category: str) -> None:
        """Meta re-categorises a template (a ``template_category_update`` event)."""
        self.templates.waba_of(template_id).change_category(template_id, category, self.clock())

    def public_key(self, phone_number_id: str) -> str | None:
        """The business public key registered for a number (``wa.encryption.set_public_key``), or None."""
        if phone_number_id not in self.router.business.phones:
            raise KeyError(f"no phone number {phone_number_id!r} in this sandbox")
        return self.router.business.encryption_keys.get(phone_number_id)

    def flow_client(self, phone_number_id: str, *, app_secret: str | bytes) -> MetaFlowClient:
        """A client that calls a Flow endpoint as Meta does for this number's Flows.

        It encrypts with the public key registered for the number (read again after a
        421, like Meta) and signs with ``app_secret``. Needs the ``flows`` extra.
        """
        from ..flows.driver import MetaFlowClient

        def key() -> str:
            pem = self.public_key(phone_number_id)
            if pem is None:
                raise LookupError(
                    f"no business public key registered for {phone_number_id}; "
                    "call wa.encryption.set_public_key(pem) first"
                )
            return pem

        return MetaFlowClient(public_key=key, app_secret=app_secret)

    # -- webhooks --------------------------------------------------------------------

    def _deliverer(self) -> WebhookDeliverer:
        if self.webhook is None:
            raise RuntimeError(
                "this sandbox has no webhook_url: build it with Sandbox(webhook_url=..., app_secret=...)"
            )
        return self.webhook

    async def flush_webhooks(self) -> WebhookStats:
        """Deliver every webhook due now, waiting out retries on the sandbox's clock; the counters after.

        The deterministic way for tests: inject, ``await flush_webhooks()``, assert. Statuses
        due later (``delivered``, ``read``) need the clock moved first (``advance``).
        """
        return await self._deliverer().flush()

    @property
    def webhook_stats(self) -> WebhookStats:
        """Delivered, retried, duplicates sent, given up and pending POSTs so far."""
        return self._deliverer().stats()

    @contextlib.asynccontextmanager
    async def webhooks(self) -> AsyncIterator[WebhookDeliverer]:
        """Deliver webhooks in the background for the block (``serve()`` does this by itself).

        The loop wakes on every inbound message and send and when a status or retry is due (on
        the sandbox's clock). Leaving the block stops it; undelivered POSTs stay pending.
        """
        deliverer = self._deliverer()
        if self._webhook_task is not None and not self._webhook_task.done():
            yield deliverer  # already running (serve() inside webhooks(), or the reverse)
            return
        task = self._webhook_task = asyncio.ensure_future(deliverer.run())
        try:
            yield deliverer
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._webhook_task = None

    # -- time ------------------------------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move a virtual clock forward; ``TypeError`` on the real clock."""
        if not isinstance(self.clock, VirtualClock):
            raise TypeError("advance() needs a sandbox built with clock=VirtualClock()")
        return self.clock.advance(seconds)

    # -- the two doors ---------------------------------------------------------------

    def transport(
        self, *, sleep: Sleep | None = None, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    ) -> SandboxTransport:
        """An in-process Transport for ``WhatsApp(transport=...)``; no sockets."""
        return SandboxTransport(self, sleep=sleep, max_response_bytes=max_response_bytes)

    @contextlib.asynccontextmanager
    async def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        header_timeout: float = 60.0,
        body_timeout: float = 30.0,
        max_body: int = 101 * 1024 * 1024,
    ) -> AsyncIterator[str]:
        """Serve the same sandbox over HTTP for the block; yields the base URL.

        With ``webhook_url`` set, webhooks are delivered in the background meanwhile.

        A client has ``header_timeout`` seconds to send a request's headers
        and ``body_timeout`` for its body, of at most ``max_body`` bytes (a 100 MB
        document upload by default; see :mod:`.server`).
        """
        from .server import serve

        async with contextlib.AsyncExitStack() as stack:
            base_url = await stack.enter_async_context(
                serve(
                    self,
                    host,
                    port,
                    header_timeout=header_timeout,
                    body_timeout=body_timeout,
                    max_body=max_body,
                )
            )
            if self.webhook is not None:
                await stack.enter_async_context(self.webhooks())
            yield base_url

    def __repr__(self) -> str:
        business = self.router.business
        return f"Sandbox(phone_numbers={len(business.phone_ids)}, wabas={len(business.waba_ids)}, seed={self.seed})"
