"""The support bot behind ``examples/support_bot.py``, ``examples/fastapi_bot.py`` and ``demo bot``.

Written once, here, so the aiohttp example, the FastAPI example and ``meta-cloud-async demo
bot`` all run the same handlers (the demo must work from an installed wheel, which carries no
``examples/``). Everything is the SDK's public surface: a :class:`~meta_cloud_async.webhooks.WebhookRouter`
with handlers, the context's reply helpers, ``wa.messages.send_*``, ``wa.media`` and a template.

What it does with each inbound message: marks it read with a typing indicator, then

* a greeting (``hi``, ``hello``, ``menu``...) gets three answers: reply buttons, a list menu of
  help topics and a call-to-action URL button to the help centre;
* a tapped button or list row gets the answer for that button or topic;
* a photo is downloaded (hash-checked), uploaded again and sent back;
* any other text gets a short pointer to the menu.

Every answer quotes the message it answers (``reply_to``), so a checker can tell which user
message each reply belongs to. :meth:`SupportBot.follow_up` is the business writing first
(an agent answering a ticket later): free-form inside the 24-hour customer-service window,
the approved ``order_update`` template once Meta refuses free-form with 131047. Statuses are
logged (message id, status, recipient; never a token) and counted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..errors import GraphAPIError
from ..types.messages import ListRow, ListSection, ReplyButton
from ..types.templates_send import TextParam, body
from ..webhooks import (
    ButtonReply,
    ImageMessage,
    InteractiveMessage,
    ListReply,
    MessageEvent,
    StatusEvent,
    TextMessage,
    WebhookContext,
    WebhookRouter,
)

__all__ = [
    "BUTTONS",
    "BUTTON_ANSWERS",
    "GREETINGS",
    "HELP_URL",
    "TOPICS",
    "TOPIC_ANSWERS",
    "SupportBot",
]

logger = logging.getLogger("meta_cloud_async.support_bot")

#: Texts the bot treats as a greeting (compared lower-cased, without punctuation).
GREETINGS = frozenset({"hi", "hello", "hey", "hola", "good morning", "good evening", "menu", "start"})
HELP_URL = "https://www.example.com/help"
BUTTONS = (
    ReplyButton(id="order", title="Track my order"),
    ReplyButton(id="hours", title="Opening hours"),
    ReplyButton(id="agent", title="Talk to a person"),
)
BUTTON_ANSWERS = {
    "order": "Your order has left our warehouse; the tracking link follows by e-mail.",
    "hours": "We answer Monday to Friday, 9:00 to 18:00.",
    "agent": "A person from our team will write to you here soon.",
}
TOPICS = (
    ListRow(id="shipping", title="Shipping", description="Delivery times and costs"),
    ListRow(id="returns", title="Returns", description="Send something back"),
    ListRow(id="payments", title="Payments", description="Cards, invoices, refunds"),
    ListRow(id="warranty", title="Warranty", description="Repairs and replacements"),
)
TOPIC_ANSWERS = {
    "shipping": "Orders ship within one working day; delivery takes two to four days.",
    "returns": "You can return anything within 30 days: reply 'return' with your order number.",
    "payments": "We take cards and bank transfer; refunds reach you within five days.",
    "warranty": "Everything carries a two-year warranty; send a photo of the fault to start.",
}
FALLBACK = "Type 'hi' to see the menu, or send a photo of the problem."
FOLLOW_UP_TEMPLATE = ("order_update", "en_US")  # approved, one body parameter
REENGAGEMENT = 131047


def _normalised(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


class SupportBot:
    """The handlers of a small support bot; :meth:`install` puts them on a router.

    One bot may be installed on several routers in turn (a receiver restarted with a new
    router keeps the bot's counters). ``on_status`` is called with every status after it was
    logged (the demo counts with it); ``help_url`` is the CTA button's target.
    """

    def __init__(
        self,
        *,
        help_url: str = HELP_URL,
        on_status: Callable[[StatusEvent], None] | None = None,
    ) -> None:
        self.help_url = help_url
        self.on_status = on_status
        #: Statuses seen, by status name (sent, delivered, read, failed).
        self.statuses: Counter[str] = Counter()
        #: Inbound messages handled, by message type.
        self.handled: Counter[str] = Counter()

    def install(self, router: WebhookRouter) -> WebhookRouter:
        """Register the message and status handlers on ``router``; returns it."""
        router.on_message()(self.handle_message)
        router.on_status()(self.handle_status)
        return router

    # -- inbound messages -------------------------------------------------------------------

    async def handle_message(self, message: MessageEvent, ctx: WebhookContext) -> None:
        """Blue ticks and "typing..." first, then the answer for this kind of message."""
        await ctx.mark_as_read(typing_indicator=True)
        self.handled[message.type] += 1
        if isinstance(message, TextMessage):
            if _normalised(message.body) in GREETINGS:
                await self.greet(message, ctx)
            else:
                await ctx.reply_text(FALLBACK)
        elif isinstance(message, InteractiveMessage):
            await self.answer_choice(message, ctx)
        elif isinstance(message, ImageMessage):
            await self.echo_image(message, ctx)
        else:
            await ctx.reply_text("I can read text and photos for now. " + FALLBACK)

    async def greet(self, message: MessageEvent, ctx: WebhookContext) -> None:
        """Reply buttons, a list menu and a CTA URL, each quoting the greeting."""
        name = message.contact.name if message.contact is not None and message.contact.name else "there"
        messages = ctx.client.messages
        await messages.send_buttons(
            message.sender,
            f"Hello {name}! How can we help?",
            BUTTONS,
            footer="Support bot",
            reply_to=message.id,
        )
        await messages.send_list(
            message.sender,
            "Or pick a help topic:",
            button="Help topics",
            sections=[ListSection(title="Topics", rows=TOPICS)],
            reply_to=message.id,
        )
        await messages.send_cta_url(
            message.sender,
            "Everything else is in our help centre.",
            display_text="Open help centre",
            url=self.help_url,
            reply_to=message.id,
        )

    async def answer_choice(self, message: InteractiveMessage, ctx: WebhookContext) -> None:
        """The answer for a tapped reply button or a picked list row."""
        reply = message.reply
        answer = None
        if isinstance(reply, ButtonReply):
            answer = BUTTON_ANSWERS.get(reply.id or "")
        elif isinstance(reply, ListReply):
            answer = TOPIC_ANSWERS.get(reply.id or "")
        await ctx.reply_text(answer or FALLBACK)

    async def echo_image(self, message: ImageMessage, ctx: WebhookContext) -> None:
        """Download the photo (sha256-checked), upload it again and send it back."""
        photo = await ctx.download()
        uploaded = await ctx.client.media.upload(
            photo, mime_type=message.media_object.mime_type or "image/jpeg"
        )
        await ctx.client.messages.send_image(
            message.sender, media_id=uploaded.id, caption="Got your photo, thanks!", reply_to=message.id
        )

    # -- statuses ---------------------------------------------------------------------------

    async def handle_status(self, status: Any, ctx: WebhookContext) -> None:
        """Log each status of what the bot sent (and count it)."""
        if not isinstance(status, StatusEvent):
            return  # a call status: this bot makes no calls
        self.statuses[status.status] += 1
        if status.errors:
            error = status.errors[0]
            logger.warning(
                "message %s to %s %s: %s %s",
                status.id,
                status.recipient_id,
                status.status,
                error.code,
                error.title,
            )
        else:
            logger.info("message %s to %s %s", status.id, status.recipient_id, status.status)
        if self.on_status is not None:
            self.on_status(status)

    # -- the business writes first ------------------------------------------------------------

    async def follow_up(self, client: Any, to: str, text: str, *, order: str = "your order") -> Any:
        """Write to ``to`` later (an agent's answer): free-form in the window, else the template.

        Meta refuses free-form messages more than 24 hours after the user's last message with
        131047; the bot then sends the approved ``order_update`` template, whose one body
        parameter is ``order``. Returns the :class:`~meta_cloud_async.SentMessage`.
        """
        try:
            return await client.messages.send_text(to, text)
        except GraphAPIError as exc:
            if exc.code != REENGAGEMENT:
                raise
        logger.info(
            "the 24-hour window with %s is closed: sending the %s template", to, FOLLOW_UP_TEMPLATE[0]
        )
        name, language = FOLLOW_UP_TEMPLATE
        return await client.messages.send_template(to, name, language, components=[body(TextParam(order))])
