"""Messages: every outbound type, checked locally, sent once.

Each ``send_*`` builds its typed message (its checks raise ``ValueError``
naming the field before anything is sent) and hands it to :meth:`Messages.send`.
A send is never repeated once it may have reached Meta (Meta has no
idempotency key, and a duplicate message to a customer is worse than an
error); it is retried only when Meta refused it unprocessed (130429, 131056,
131057) or no connection opened. Sends draw on the sending number's messaging
budget and the recipient's pair limit; management calls never wait behind them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any, Literal

from .._options import NOT_GIVEN, NotGiven
from ..types.messages import (
    AddressRequest,
    Audio,
    Buttons,
    CallPermissionRequest,
    Carousel,
    Catalog,
    Contacts,
    CtaUrl,
    Document,
    Flow,
    Group,
    Image,
    ListMessage,
    Location,
    LocationRequest,
    MarkAsRead,
    MarkAsReadRequest,
    Message,
    Product,
    ProductList,
    Reaction,
    SendEncryptedMessageRequest,
    SendMarketingMessageRequest,
    SendMessageRequest,
    SentMessage,
    Sticker,
    Video,
    build_marketing_message_body,
    build_message_body,
    build_text_body,
)
from ..types.shared import SuccessResponse
from ..types.templates import Template as TemplateDefinition
from ..types.templates import check_send_parameters
from ..types.templates_send import Template
from ._base import Resource

__all__ = ["MarketingMessages", "Messages"]

Recipient = str | Group
Timeout = float | NotGiven | None


class Messages(Resource):
    """Send any message type from the client's phone number, and mark inbound messages read.

    ``to`` is a phone number (digits, optional leading ``+``) or a :class:`Group`.
    Every send takes ``reply_to=`` (the wamid it answers: ``context.message_id``),
    ``callback_data=`` (``biz_opaque_callback_data``, echoed in its status webhooks)
    and ``timeout=``, and returns a :class:`SentMessage` (``.id`` is the wamid).
    """

    async def send(
        self,
        to: Recipient,
        message: Message | Mapping[str, Any],
        *,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """Send any typed message object, or a dict in Meta's wire shape (``{"type": "text", "text": {...}}``)."""
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    def _send(
        self,
        to: Recipient,
        message: Message | Mapping[str, Any],
        *,
        reply_to: str | None,
        callback_data: str | None,
        timeout: Timeout,
    ) -> Awaitable[SentMessage]:
        # Checks and builds now, and hands back the client's coroutine: each ``send_*`` awaits it
        # directly, one coroutine frame fewer to resume on every I/O wake-up of the send.
        body = build_message_body(to, message, reply_to=reply_to, callback_data=callback_data)
        return self._client._call(SendMessageRequest(body=body), timeout=timeout)

    async def send_text(
        self,
        to: Recipient,
        body: str,
        *,
        preview_url: bool = False,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A text message (1-4096 characters); ``preview_url=True`` renders a link preview."""
        # The body of send(to, Text(...)), built without the model object: the commonest send.
        wire = build_text_body(to, body, preview_url, reply_to=reply_to, callback_data=callback_data)
        return await self._client._call(SendMessageRequest(body=wire), timeout=timeout)

    async def send_image(
        self,
        to: Recipient,
        *,
        media_id: str | None = None,
        link: str | None = None,
        caption: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """An image by uploaded ``media_id`` or an http(s) ``link`` (exactly one); caption ≤ 1024."""
        message = Image(media_id=media_id, link=link, caption=caption)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_video(
        self,
        to: Recipient,
        *,
        media_id: str | None = None,
        link: str | None = None,
        caption: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A video by ``media_id`` or ``link`` (exactly one); caption ≤ 1024."""
        message = Video(media_id=media_id, link=link, caption=caption)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_audio(
        self,
        to: Recipient,
        *,
        media_id: str | None = None,
        link: str | None = None,
        voice: bool = False,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """An audio file, or a voice note with ``voice=True`` (OGG/Opus); no caption (Meta allows none)."""
        message = Audio(media_id=media_id, link=link, voice=voice)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_document(
        self,
        to: Recipient,
        *,
        media_id: str | None = None,
        link: str | None = None,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A document by ``media_id`` or ``link``; ``filename`` (≤ 240) is what the user sees."""
        message = Document(media_id=media_id, link=link, caption=caption, filename=filename)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_sticker(
        self,
        to: Recipient,
        *,
        media_id: str | None = None,
        link: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A WebP sticker by ``media_id`` or ``link``; no caption."""
        message = Sticker(media_id=media_id, link=link)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_location(
        self,
        to: Recipient,
        *,
        latitude: float,
        longitude: float,
        name: str | None = None,
        address: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A location pin: latitude in [-90, 90], longitude in [-180, 180]."""
        message = Location(latitude=latitude, longitude=longitude, name=name, address=address)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_contacts(
        self,
        to: Recipient,
        contacts: Sequence[Any],
        *,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """Contact cards: :class:`~meta_cloud_async.types.messages.Contact` objects or Meta's dicts."""
        message = Contacts(contacts=contacts)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_reaction(
        self,
        to: Recipient,
        message_id: str,
        emoji: str,
        *,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """React to ``message_id`` with ``emoji``; ``emoji=""`` removes the reaction."""
        message = Reaction(message_id=message_id, emoji=emoji)
        return await self._send(to, message, reply_to=None, callback_data=callback_data, timeout=timeout)

    async def send_buttons(
        self,
        to: Recipient,
        body: str,
        buttons: Iterable[Any],
        *,
        header: Any = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """1-3 reply buttons (``ReplyButton(id, title)`` or dicts); header text or media, footer ≤ 60."""
        message = Buttons(body=body, buttons=buttons, header=header, footer=footer)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_list(
        self,
        to: Recipient,
        body: str,
        *,
        button: str,
        sections: Iterable[Any],
        header: Any = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A list menu: ``button`` text 1-20, ≤ 10 sections and ≤ 10 rows in total across them."""
        message = ListMessage(body=body, button=button, sections=sections, header=header, footer=footer)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_cta_url(
        self,
        to: Recipient,
        body: str,
        *,
        display_text: str,
        url: str,
        header: Any = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A call-to-action URL button."""
        message = CtaUrl(body=body, display_text=display_text, url=url, header=header, footer=footer)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_flow(
        self,
        to: Recipient,
        body: str,
        *,
        flow_cta: str,
        flow_id: str | None = None,
        flow_name: str | None = None,
        flow_token: str | None = None,
        flow_action: Literal["navigate", "data_exchange"] = "navigate",
        screen: str | None = None,
        data: Mapping[str, Any] | None = None,
        mode: Literal["draft", "published"] = "published",
        header: Any = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A WhatsApp Flow: exactly one of ``flow_id``/``flow_name``; ``mode="draft"`` tests an unpublished flow."""
        message = Flow(
            body=body,
            flow_cta=flow_cta,
            flow_id=flow_id,
            flow_name=flow_name,
            flow_token=flow_token,
            flow_action=flow_action,
            screen=screen,
            data=data,
            mode=mode,
            header=header,
            footer=footer,
        )
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_location_request(
        self,
        to: Recipient,
        body: str,
        *,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """Ask the user to share their location."""
        message = LocationRequest(body=body)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_address_request(
        self,
        to: Recipient,
        body: str,
        *,
        country: str,
        values: Mapping[str, Any] | None = None,
        saved_addresses: Sequence[Any] | None = None,
        validation_errors: Mapping[str, Any] | None = None,
        header: Any = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """Ask for a delivery address (Meta supports it in a few countries)."""
        message = AddressRequest(
            body=body,
            country=country,
            values=values,
            saved_addresses=saved_addresses,
            validation_errors=validation_errors,
            header=header,
            footer=footer,
        )
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_carousel(
        self,
        to: Recipient,
        body: str,
        cards: Iterable[Any],
        *,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A media card carousel (2-10 cards, all of one kind)."""
        message = Carousel(body=body, cards=cards)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_product(
        self,
        to: Recipient,
        *,
        catalog_id: str,
        product_retailer_id: str,
        body: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """One product of a catalog."""
        message = Product(
            catalog_id=catalog_id, product_retailer_id=product_retailer_id, body=body, footer=footer
        )
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_product_list(
        self,
        to: Recipient,
        *,
        header: Any,
        body: str,
        catalog_id: str,
        sections: Iterable[Any],
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """Several products of a catalog, in sections."""
        message = ProductList(
            header=header, body=body, catalog_id=catalog_id, sections=sections, footer=footer
        )
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_catalog(
        self,
        to: Recipient,
        body: str,
        *,
        thumbnail_product_retailer_id: str | None = None,
        footer: str | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """The business's whole catalog."""
        message = Catalog(
            body=body, thumbnail_product_retailer_id=thumbnail_product_retailer_id, footer=footer
        )
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_call_permission_request(
        self,
        to: Recipient,
        body: str,
        *,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """Ask the user for permission to call them (Calling API)."""
        message = CallPermissionRequest(body=body)
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_template(
        self,
        to: Recipient,
        name: str | TemplateDefinition,
        language: str | None = None,
        *,
        components: Iterable[Any] | None = None,
        reply_to: str | None = None,
        callback_data: str | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """An approved template (allowed outside the 24-hour window); build ``components`` with the builders.

        ``name`` may be a template object from ``wa.templates.get/list/create``: its
        name and language are used, and the parameters are checked against it before
        sending (count, names, types, header kind, button indexes: what Meta would
        refuse with 132000 or 132012).
        """
        definition = name if isinstance(name, TemplateDefinition) else None
        if definition is not None:
            if not definition.name or not (language or definition.language):
                raise ValueError("the template object has no name or language; pass language=")
            name, language = definition.name, language or definition.language
        if not isinstance(name, str) or language is None:
            raise ValueError(
                "send_template needs a template name and its language, e.g. ('hello_world', 'en_US')"
            )
        message = Template(name=name, language=language, components=tuple(components or ()))
        if definition is not None:
            check_send_parameters(definition, message.to_wire().get("components", []))
        return await self._send(to, message, reply_to=reply_to, callback_data=callback_data, timeout=timeout)

    async def send_encrypted(
        self, encrypted_contents: str, *, timeout: Timeout = NOT_GIVEN
    ) -> dict[str, Any]:
        """Send a message body you encrypted yourself (JWE compact form) to ``/messages_encrypted``."""
        request = SendEncryptedMessageRequest(encrypted_contents=encrypted_contents)
        return await self._client._call(request, timeout=timeout)

    async def mark_as_read(
        self, message_id: str, *, typing_indicator: bool = False, timeout: Timeout = NOT_GIVEN
    ) -> SuccessResponse:
        """Mark an inbound message read (blue ticks); ``typing_indicator=True`` also shows "typing…".

        Meta's shape is ``status: "read"`` plus ``typing_indicator: {"type": "text"}``.
        Idempotent, so retried.
        """
        body = MarkAsRead(message_id=message_id, typing_indicator=typing_indicator).to_wire()
        return await self._client._call(MarkAsReadRequest(body=body), timeout=timeout)


class MarketingMessages(Resource):
    """Meta's Marketing Messages API (``/marketing_messages``): marketing templates with delivery optimisation."""

    async def send_template(
        self,
        to: str,
        name: str,
        language: str,
        *,
        components: Iterable[Any] | None = None,
        product_policy: Literal["CLOUD_API_FALLBACK", "STRICT"] | None = None,
        message_activity_sharing: bool | None = None,
        timeout: Timeout = NOT_GIVEN,
    ) -> SentMessage:
        """A marketing template; ``product_policy`` and ``message_activity_sharing`` as Meta defines them."""
        template = Template(name=name, language=language, components=tuple(components or ()))
        body = build_marketing_message_body(
            to, template, product_policy=product_policy, message_activity_sharing=message_activity_sharing
        )
        return await self._client._call(SendMarketingMessageRequest(body=body), timeout=timeout)
