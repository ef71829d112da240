"""Outbound message payloads, their local checks, and the send body Meta receives.

Each message type is a frozen attrs model whose ``to_wire()`` is the type
object of Meta's send body (``{"body": ..., "preview_url": ...}`` for text).
:func:`build_message_body` wraps one in the envelope (``messaging_product``,
``recipient_type``, ``to``, ``type``, ``context``, ``biz_opaque_callback_data``).

Plain dicts in Meta's wire shape are accepted wherever a model is, and a whole
message can be a dict ``{"type": "text", "text": {...}}``. Every check is
written once over the wire JSON (:mod:`._wire_checks`) and applied to both
inputs, and the type object is emitted with sorted keys, so a typed message
and its dict spelling produce the same bytes.

Recipients: a string is a phone number (digits, optional leading ``+``);
a group is named explicitly with :class:`Group` (``recipient_type: "group"``).
Group ids are opaque strings that a phone-number check could not tell apart
from a typo, so the wrapper, not a guess, decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Union, cast

import attrs

from .._facts import is_ascii_digits
from .._http import _slot_setters
from ._wire_checks import (
    as_tuple,
    canonical,
    check_bool,
    check_choice,
    check_http_url,
    check_list,
    check_mapping,
    check_number,
    check_text,
    check_unique,
    is_mapping,
    to_wire,
)
from .shared import BODY, ApiRequest, Budget, SuccessResponse
from .templates_send import Template, check_template

__all__ = [
    "AddressRequest",
    "Audio",
    "Buttons",
    "CallPermissionRequest",
    "Carousel",
    "CarouselCard",
    "Catalog",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "Contacts",
    "CtaUrl",
    "Document",
    "Flow",
    "Group",
    "Image",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "LocationRequest",
    "MarkAsRead",
    "MarkAsReadRequest",
    "Message",
    "Product",
    "ProductList",
    "ProductSection",
    "Reaction",
    "ReplyButton",
    "SendEncryptedMessageRequest",
    "SendMarketingMessageRequest",
    "SendMessageRequest",
    "SentMessage",
    "Sticker",
    "Text",
    "Video",
    "build_marketing_message_body",
    "build_message_body",
    "build_text_body",
    "check_message",
    "parse_sent_message",
]

# Meta's documented limits (see docs/messages.md for the table and where they come from).
TEXT_BODY_MAX = 4096
CAPTION_MAX = 1024
FILENAME_MAX = 240
INTERACTIVE_BODY_MAX = 1024
LIST_BODY_MAX = 4096
HEADER_MAX = 60
FOOTER_MAX = 60
CALLBACK_DATA_MAX = 512


_wire = to_wire


def _opt(wire: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        wire[key] = value


# -- recipients ------------------------------------------------------------------


@attrs.frozen(slots=True)
class Group:
    """A WhatsApp group as the recipient: sends ``recipient_type: "group"`` and ``to: <group id>``."""

    id: str = attrs.field()

    @id.validator
    def _check(self, _: Any, value: str) -> None:
        check_text(value, "to (group id)", max_len=256)
        if any(c.isspace() for c in value):
            raise ValueError("to (group id) must not contain whitespace")


def _recipient(to: str | Group) -> tuple[str, str]:
    if isinstance(to, Group):
        return "group", to.id
    if not isinstance(to, str):
        raise TypeError(f"to must be a phone number string or a Group, got {type(to).__name__}")
    digits = to[1:] if to.startswith("+") else to
    if not (is_ascii_digits(digits) and 1 <= len(digits) <= 15):
        raise ValueError(
            "to must be a phone number: 1-15 digits with an optional leading '+' "
            "(use Group(id) to send to a group)"
        )
    return "individual", to


# -- text, media, location, contacts, reaction -----------------------------------


class _Checked:
    """Runs the wire check once at construction, so a typed message is valid from birth."""

    __slots__ = ()
    type: ClassVar[str]

    def to_wire(self) -> dict[str, Any]:
        """The message's object in Meta's JSON shape: what goes under the message's ``type`` key."""
        raise NotImplementedError  # abstract

    def __attrs_post_init__(self) -> None:
        check_message(self.type, self.to_wire())


@attrs.frozen(kw_only=True, slots=True)
class Text(_Checked):
    """A text message: ``body`` of 1 to 4096 characters; ``preview_url`` renders the first link."""

    type: ClassVar[str] = "text"
    body: str
    preview_url: bool = False

    def to_wire(self) -> dict[str, Any]:
        return _text_wire(self.body, self.preview_url)

    def __attrs_post_init__(self) -> None:
        # The text check on the fields themselves (the commonest send: no wire dict built to check).
        _check_text_fields(self.body, self.preview_url, "text")


def _text_wire(body: str, preview_url: bool) -> dict[str, Any]:
    # Canonical as built (two leaves, keys in order), so a text send skips the canonical walk.
    return {"body": body, "preview_url": preview_url}


@attrs.frozen(kw_only=True, slots=True)
class _Media(_Checked):
    media_id: str | None = None
    link: str | None = None

    def _media(self) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        _opt(wire, "id", self.media_id)
        _opt(wire, "link", self.link)
        return wire

    def to_wire(self) -> dict[str, Any]:
        return self._media()


@attrs.frozen(kw_only=True, slots=True)
class Image(_Media):
    """An image message: exactly one of ``media_id`` and ``link``; ``caption`` up to 1024 characters."""

    type: ClassVar[str] = "image"
    caption: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = self._media()
        _opt(wire, "caption", self.caption)
        return wire


@attrs.frozen(kw_only=True, slots=True)
class Video(_Media):
    """A video message: exactly one of ``media_id`` and ``link``; ``caption`` up to 1024 characters."""

    type: ClassVar[str] = "video"
    caption: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = self._media()
        _opt(wire, "caption", self.caption)
        return wire


@attrs.frozen(kw_only=True, slots=True)
class Audio(_Media):
    """Audio takes no caption; ``voice=True`` sends a voice message (OGG/OPUS, transcribed, "played")."""

    type: ClassVar[str] = "audio"
    voice: bool = False

    def to_wire(self) -> dict[str, Any]:
        wire = self._media()
        if self.voice:
            wire["voice"] = True
        return wire


@attrs.frozen(kw_only=True, slots=True)
class Document(_Media):
    """A document message: exactly one of ``media_id`` and ``link``; ``caption`` and ``filename`` optional."""

    type: ClassVar[str] = "document"
    caption: str | None = None
    filename: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = self._media()
        _opt(wire, "caption", self.caption)
        _opt(wire, "filename", self.filename)
        return wire


@attrs.frozen(kw_only=True, slots=True)
class Sticker(_Media):
    """Stickers take no caption (Meta's rule)."""

    type: ClassVar[str] = "sticker"


@attrs.frozen(kw_only=True, slots=True)
class Location(_Checked):
    """A location message: latitude in [-90, 90], longitude in [-180, 180], optional name and address."""

    type: ClassVar[str] = "location"
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"latitude": self.latitude, "longitude": self.longitude}
        _opt(wire, "name", self.name)
        _opt(wire, "address", self.address)
        return wire


def _asdict_without_none(inst: Any) -> dict[str, Any]:
    return {
        a.name: getattr(inst, a.name) for a in attrs.fields(type(inst)) if getattr(inst, a.name) is not None
    }


@attrs.frozen(kw_only=True, slots=True)
class ContactName:
    """The name on a contact card you send; ``formatted_name`` is required by Meta."""

    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This part of a contact card in Meta's JSON shape."""
        return _asdict_without_none(self)


@attrs.frozen(kw_only=True, slots=True)
class ContactPhone:
    """A phone number on a contact card you send; ``wa_id`` adds a WhatsApp button."""

    phone: str | None = None
    type: str | None = None  # HOME, WORK, CELL, MAIN, IPHONE
    wa_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This part of a contact card in Meta's JSON shape."""
        return _asdict_without_none(self)


@attrs.frozen(kw_only=True, slots=True)
class ContactEmail:
    """An email address on a contact card you send."""

    email: str | None = None
    type: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This part of a contact card in Meta's JSON shape."""
        return _asdict_without_none(self)


@attrs.frozen(kw_only=True, slots=True)
class ContactUrl:
    """A website on a contact card you send."""

    url: str | None = None
    type: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This part of a contact card in Meta's JSON shape."""
        return _asdict_without_none(self)


@attrs.frozen(kw_only=True, slots=True)
class ContactAddress:
    """A postal address on a contact card you send."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This part of a contact card in Meta's JSON shape."""
        return _asdict_without_none(self)


@attrs.frozen(kw_only=True, slots=True)
class ContactOrg:
    """The company, department and title on a contact card you send."""

    company: str | None = None
    department: str | None = None
    title: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This part of a contact card in Meta's JSON shape."""
        return _asdict_without_none(self)


@attrs.frozen(kw_only=True, slots=True)
class Contact:
    """One contact card; ``name.formatted_name`` is the only required field."""

    name: ContactName | Mapping[str, Any]
    phones: Sequence[ContactPhone | Mapping[str, Any]] = attrs.field(default=(), converter=as_tuple)
    emails: Sequence[ContactEmail | Mapping[str, Any]] = attrs.field(default=(), converter=as_tuple)
    urls: Sequence[ContactUrl | Mapping[str, Any]] = attrs.field(default=(), converter=as_tuple)
    addresses: Sequence[ContactAddress | Mapping[str, Any]] = attrs.field(default=(), converter=as_tuple)
    org: ContactOrg | Mapping[str, Any] | None = None
    birthday: str | None = None  # YYYY-MM-DD

    def to_wire(self) -> dict[str, Any]:
        """This card as an entry of a contacts message, in Meta's JSON shape."""
        wire: dict[str, Any] = {"name": _wire(self.name)}
        for key in ("phones", "emails", "urls", "addresses"):
            items = getattr(self, key)
            if items:
                wire[key] = [_wire(i) for i in items]
        if self.org is not None:
            wire["org"] = _wire(self.org)
        _opt(wire, "birthday", self.birthday)
        return wire


@attrs.frozen(kw_only=True, slots=True)
class Contacts(_Checked):
    """``type: "contacts"``; its wire object is a list, not a dict."""

    type: ClassVar[str] = "contacts"
    contacts: Sequence[Contact | Mapping[str, Any]] = attrs.field(converter=as_tuple)

    def to_wire(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [_wire(c) for c in self.contacts]


@attrs.frozen(kw_only=True, slots=True)
class Reaction(_Checked):
    """A reaction to ``message_id``; ``emoji=""`` removes the reaction."""

    type: ClassVar[str] = "reaction"
    message_id: str
    emoji: str

    def to_wire(self) -> dict[str, Any]:
        return {"message_id": self.message_id, "emoji": self.emoji}


# -- interactive -------------------------------------------------------------------

HeaderInput = Union[str, Image, Video, Document, Mapping[str, Any]]


def _header(value: HeaderInput | None) -> dict[str, Any] | None:
    """A text header from a string, a media header from an Image/Video/Document, or a wire dict."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"type": "text", "text": value}
    if isinstance(value, (Image, Video, Document)):
        return {"type": value.type, value.type: value.to_wire()}
    return cast("dict[str, Any]", value)


class _Interactive(_Checked):
    __slots__ = ()
    type: ClassVar[str] = "interactive"
    kind: ClassVar[str]

    def _envelope(
        self,
        action: Any,
        *,
        body: str | None = None,
        header: HeaderInput | None = None,
        footer: str | None = None,
    ) -> dict[str, Any]:
        wire: dict[str, Any] = {"type": self.kind}
        head = _header(header)
        _opt(wire, "header", head)
        if body is not None:
            wire["body"] = {"text": body}
        if footer is not None:
            wire["footer"] = {"text": footer}
        if action is not None:
            wire["action"] = action
        return wire


@attrs.frozen(kw_only=True, slots=True)
class ReplyButton:
    """A quick-reply button: ``id`` comes back in the reply, ``title`` is what the user sees."""

    id: str
    title: str

    def to_wire(self) -> dict[str, Any]:
        """The button in Meta's JSON shape (``{"type": "reply", "reply": {...}}``)."""
        return {"type": "reply", "reply": {"id": self.id, "title": self.title}}


@attrs.frozen(kw_only=True, slots=True)
class Buttons(_Interactive):
    """Reply buttons (1-3); the header may be text or media."""

    kind: ClassVar[str] = "button"
    body: str
    buttons: Sequence[ReplyButton | Mapping[str, Any]] = attrs.field(converter=as_tuple)
    header: HeaderInput | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        action = {"buttons": [_wire(b) for b in self.buttons]}
        return self._envelope(action, body=self.body, header=self.header, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class ListRow:
    """A row of a list message: ``id`` comes back in the reply, ``title`` and ``description`` are shown."""

    id: str
    title: str
    description: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The row in Meta's JSON shape (``description`` only when set)."""
        wire = {"id": self.id, "title": self.title}
        _opt(wire, "description", self.description)
        return wire


@attrs.frozen(kw_only=True, slots=True)
class ListSection:
    """A titled group of rows; the title is required once a list has more than one section."""

    rows: Sequence[ListRow | Mapping[str, Any]] = attrs.field(converter=as_tuple)
    title: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The section in Meta's JSON shape; rows given as dicts pass through as they are."""
        wire: dict[str, Any] = {"rows": [_wire(r) for r in self.rows]}
        _opt(wire, "title", self.title)
        return wire


@attrs.frozen(kw_only=True, slots=True)
class ListMessage(_Interactive):
    """A list: ``button`` opens up to 10 sections with at most 10 rows in total."""

    kind: ClassVar[str] = "list"
    body: str
    button: str
    sections: Sequence[ListSection | Mapping[str, Any]] = attrs.field(converter=as_tuple)
    header: str | Mapping[str, Any] | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        action = {"button": self.button, "sections": [_wire(s) for s in self.sections]}
        return self._envelope(action, body=self.body, header=self.header, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class CtaUrl(_Interactive):
    """A call-to-action URL button."""

    kind: ClassVar[str] = "cta_url"
    body: str
    display_text: str
    url: str
    header: HeaderInput | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        action = {"name": "cta_url", "parameters": {"display_text": self.display_text, "url": self.url}}
        return self._envelope(action, body=self.body, header=self.header, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class Flow(_Interactive):
    """A Flow: exactly one of ``flow_id``/``flow_name``; ``navigate`` (to ``screen``) or ``data_exchange``."""

    kind: ClassVar[str] = "flow"
    body: str
    flow_cta: str
    flow_id: str | None = None
    flow_name: str | None = None
    flow_token: str | None = None
    flow_action: Literal["navigate", "data_exchange"] = "navigate"
    screen: str | None = None
    data: Mapping[str, Any] | None = None
    mode: Literal["published", "draft"] = "published"
    header: str | Mapping[str, Any] | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        params: dict[str, Any] = {"flow_message_version": "3"}
        _opt(params, "flow_id", self.flow_id)
        _opt(params, "flow_name", self.flow_name)
        _opt(params, "flow_token", self.flow_token)
        params["flow_cta"] = self.flow_cta
        params["flow_action"] = self.flow_action
        if self.mode == "draft":
            params["mode"] = "draft"
        if self.screen is not None or self.data is not None:
            payload: dict[str, Any] = {}
            _opt(payload, "screen", self.screen)
            if self.data is not None:
                payload["data"] = dict(self.data)
            params["flow_action_payload"] = payload
        action = {"name": "flow", "parameters": params}
        return self._envelope(action, body=self.body, header=self.header, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class LocationRequest(_Interactive):
    """Asks the user to share their location (``send_location`` action)."""

    kind: ClassVar[str] = "location_request_message"
    body: str

    def to_wire(self) -> dict[str, Any]:
        return self._envelope({"name": "send_location"}, body=self.body)


@attrs.frozen(kw_only=True, slots=True)
class AddressRequest(_Interactive):
    """Asks for a delivery address (Meta offers it in India and Singapore: ``country`` IN or SG)."""

    kind: ClassVar[str] = "address_message"
    body: str
    country: str
    values: Mapping[str, Any] | None = None
    saved_addresses: Sequence[Mapping[str, Any]] | None = None
    validation_errors: Mapping[str, Any] | None = None
    header: str | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        params: dict[str, Any] = {"country": self.country}
        if self.values is not None:
            params["values"] = dict(self.values)
        if self.saved_addresses is not None:
            params["saved_addresses"] = [dict(a) for a in self.saved_addresses]
        if self.validation_errors is not None:
            params["validation_errors"] = dict(self.validation_errors)
        action = {"name": "address_message", "parameters": params}
        return self._envelope(action, body=self.body, header=self.header, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class CarouselCard:
    """One card of an interactive media carousel: an image or video header, then either one URL
    button (``display_text`` and ``url``) or quick-reply ``buttons``; all cards must match."""

    header: Image | Video | Mapping[str, Any]
    body: str | None = None
    display_text: str | None = None
    url: str | None = None
    buttons: Sequence[ReplyButton | Mapping[str, Any]] = attrs.field(default=(), converter=as_tuple)

    def to_wire(self, index: int = 0) -> dict[str, Any]:
        """This card as an entry of the carousel's ``cards``, in Meta's JSON shape."""
        wire: dict[str, Any] = {"card_index": index}
        if not self.buttons:
            wire["type"] = "cta_url"
        wire["header"] = _header(self.header)
        if self.body is not None:
            wire["body"] = {"text": self.body}
        if self.buttons:
            wire["action"] = {
                "buttons": [
                    {"type": "quick_reply", "quick_reply": {"id": b.id, "title": b.title}}
                    if isinstance(b, ReplyButton)
                    else b
                    for b in self.buttons
                ]
            }
        else:
            wire["action"] = {
                "name": "cta_url",
                "parameters": {"display_text": self.display_text, "url": self.url},
            }
        return wire


@attrs.frozen(kw_only=True, slots=True)
class Carousel(_Interactive):
    """An interactive media carousel: body text and 2-10 horizontally scrolling cards."""

    kind: ClassVar[str] = "carousel"
    body: str
    cards: Sequence[CarouselCard | Mapping[str, Any]] = attrs.field(converter=as_tuple)

    def to_wire(self) -> dict[str, Any]:
        cards = [c.to_wire(i) if isinstance(c, CarouselCard) else c for i, c in enumerate(self.cards)]
        return self._envelope({"cards": cards}, body=self.body)


@attrs.frozen(kw_only=True, slots=True)
class Product(_Interactive):
    """One product of a catalog; body and footer optional, no header."""

    kind: ClassVar[str] = "product"
    catalog_id: str
    product_retailer_id: str
    body: str | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        action = {"catalog_id": self.catalog_id, "product_retailer_id": self.product_retailer_id}
        return self._envelope(action, body=self.body, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class ProductSection:
    """A titled group of catalog products in a product-list message."""

    title: str
    product_retailer_ids: Sequence[str] = attrs.field(converter=as_tuple)

    def to_wire(self) -> dict[str, Any]:
        """This section as an entry of a product list's ``sections``, in Meta's JSON shape."""
        return {
            "title": self.title,
            "product_items": [{"product_retailer_id": p} for p in self.product_retailer_ids],
        }


@attrs.frozen(kw_only=True, slots=True)
class ProductList(_Interactive):
    """A multi-product message: a text header, body, and up to 30 products in up to 10 sections."""

    kind: ClassVar[str] = "product_list"
    header: str | Mapping[str, Any]
    body: str
    catalog_id: str
    sections: Sequence[ProductSection | Mapping[str, Any]] = attrs.field(converter=as_tuple)
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        action = {"catalog_id": self.catalog_id, "sections": [_wire(s) for s in self.sections]}
        return self._envelope(action, body=self.body, header=self.header, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class Catalog(_Interactive):
    """Opens the business's catalog; the thumbnail is one of its products."""

    kind: ClassVar[str] = "catalog_message"
    body: str
    thumbnail_product_retailer_id: str | None = None
    footer: str | None = None

    def to_wire(self) -> dict[str, Any]:
        action: dict[str, Any] = {"name": "catalog_message"}
        if self.thumbnail_product_retailer_id is not None:
            action["parameters"] = {"thumbnail_product_retailer_id": self.thumbnail_product_retailer_id}
        return self._envelope(action, body=self.body, footer=self.footer)


@attrs.frozen(kw_only=True, slots=True)
class CallPermissionRequest(_Interactive):
    """Asks the user for permission to call them; only the body is the business's to write."""

    kind: ClassVar[str] = "call_permission_request"
    body: str

    def to_wire(self) -> dict[str, Any]:
        return self._envelope({"name": "call_permission_request"}, body=self.body)


Message = Union[
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    Buttons,
    ListMessage,
    CtaUrl,
    Flow,
    LocationRequest,
    AddressRequest,
    Carousel,
    Product,
    ProductList,
    Catalog,
    CallPermissionRequest,
    Template,
]


# -- checks over the wire shape ------------------------------------------------------


def _check_media(obj: Any, field: str, kind: str, *, in_header: bool = False) -> None:
    obj = check_mapping(obj, field)
    has_id, has_link = obj.get("id") is not None, obj.get("link") is not None
    if has_id == has_link:
        raise ValueError(
            f"{field} needs exactly one of id (media_id) and link, got {'both' if has_id else 'neither'}"
        )
    if has_id:
        check_text(obj["id"], f"{field}.id", max_len=256)
    else:
        check_http_url(obj["link"], f"{field}.link")
    caption_allowed = kind in ("image", "video", "document") and not in_header
    if "caption" in obj:
        if not caption_allowed:
            raise ValueError(
                f"{field}.caption is not allowed: Meta takes captions on image, video and document"
            )
        check_text(obj["caption"], f"{field}.caption", max_len=CAPTION_MAX)
    if "filename" in obj:
        if kind != "document":
            raise ValueError(f"{field}.filename is only allowed on documents")
        check_text(obj["filename"], f"{field}.filename", max_len=FILENAME_MAX)
    if "voice" in obj:
        if kind != "audio":
            raise ValueError(f"{field}.voice is only allowed on audio")
        check_bool(obj["voice"], f"{field}.voice")


def _check_location(obj: Any, field: str) -> None:
    obj = check_mapping(obj, field)
    check_number(obj.get("latitude"), f"{field}.latitude", low=-90, high=90)
    check_number(obj.get("longitude"), f"{field}.longitude", low=-180, high=180)
    check_text(obj.get("name"), f"{field}.name", max_len=1000, required=False)
    check_text(obj.get("address"), f"{field}.address", max_len=1000, required=False)


def _check_contacts(obj: Any, field: str) -> None:
    for i, contact in enumerate(check_list(obj, field, max_items=257)):
        where = f"{field}[{i}]"
        contact = check_mapping(contact, where)
        name = check_mapping(contact.get("name"), f"{where}.name")
        check_text(name.get("formatted_name"), f"{where}.name.formatted_name", max_len=1000)
        birthday = contact.get("birthday")
        if birthday is not None:
            ok = isinstance(birthday, str) and len(birthday) == 10 and birthday[4] == birthday[7] == "-"
            if not (ok and (birthday[:4] + birthday[5:7] + birthday[8:]).isdigit()):
                raise ValueError(f"{where}.birthday must be YYYY-MM-DD")
        for key in ("phones", "emails", "urls", "addresses"):
            for j, item in enumerate(
                check_list(contact.get(key), f"{where}.{key}", max_items=100, required=False)
            ):
                check_mapping(item, f"{where}.{key}[{j}]")


def _check_reaction(obj: Any, field: str) -> None:
    obj = check_mapping(obj, field)
    check_text(obj.get("message_id"), f"{field}.message_id", max_len=512)
    emoji = obj.get("emoji")
    if not isinstance(emoji, str):
        raise TypeError(f'{field}.emoji must be a string (an emoji, or "" to remove the reaction)')
    if len(emoji) > 16:
        raise ValueError(f"{field}.emoji must be a single emoji, got {len(emoji)} characters")


_MEDIA_HEADERS = ("image", "video", "document")


def _check_header(header: Any, field: str, *, media: bool, required: bool = False) -> None:
    if header is None:
        if required:
            raise ValueError(f"{field} is required")
        return
    header = check_mapping(header, field)
    kinds = ("text", *_MEDIA_HEADERS) if media else ("text",)
    check_choice(header.get("type"), f"{field}.type", kinds)
    kind = header["type"]
    if kind == "text":
        check_text(header.get("text"), f"{field}.text", max_len=HEADER_MAX)
    else:
        _check_media(header.get(kind), f"{field}.{kind}", kind, in_header=True)


def _check_text_part(obj: Any, field: str, *, max_len: int, required: bool) -> None:
    if obj is None:
        if required:
            raise ValueError(f"{field} is required")
        return
    check_text(check_mapping(obj, field).get("text"), f"{field}.text", max_len=max_len)


def _check_interactive(obj: Any, field: str) -> None:
    obj = check_mapping(obj, field)
    kind = obj.get("type")
    checker = _INTERACTIVE.get(kind) if isinstance(kind, str) else None
    if checker is None:
        raise ValueError(f"{field}.type must be one of {', '.join(map(repr, _INTERACTIVE))}, got {kind!r}")
    action = obj.get("action")
    if action is None:
        raise ValueError(f"{field}.action is required")
    checker(obj, field, check_mapping(action, f"{field}.action"))


def _common(
    obj: Mapping[str, Any],
    field: str,
    *,
    body_max: int = INTERACTIVE_BODY_MAX,
    body_required: bool = True,
    header: Literal["none", "text", "media", "text_required"] = "none",
    footer: bool = True,
) -> None:
    _check_text_part(obj.get("body"), f"{field}.body", max_len=body_max, required=body_required)
    if header == "none":
        if "header" in obj:
            raise ValueError(f"{field}.header is not allowed for {obj['type']} messages")
    else:
        _check_header(
            obj.get("header"), f"{field}.header", media=header == "media", required=header == "text_required"
        )
    if footer:
        _check_text_part(obj.get("footer"), f"{field}.footer", max_len=FOOTER_MAX, required=False)
    elif "footer" in obj:
        raise ValueError(f"{field}.footer is not allowed for {obj['type']} messages")


def _check_buttons(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, header="media")
    buttons = check_list(action.get("buttons"), f"{field}.action.buttons", max_items=3)
    ids, titles = [], []
    for i, button in enumerate(buttons):
        where = f"{field}.action.buttons[{i}]"
        button = check_mapping(button, where)
        check_choice(button.get("type"), f"{where}.type", ("reply",))
        reply = check_mapping(button.get("reply"), f"{where}.reply")
        ids.append(check_text(reply.get("id"), f"{where}.reply.id", max_len=256))
        titles.append(check_text(reply.get("title"), f"{where}.reply.title", max_len=20))
    check_unique(ids, f"{field}.action.buttons ids")
    check_unique(titles, f"{field}.action.buttons titles")


def _check_list(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, body_max=LIST_BODY_MAX, header="text")
    check_text(action.get("button"), f"{field}.action.button", max_len=20)
    sections = check_list(action.get("sections"), f"{field}.action.sections", max_items=10)
    total, ids = 0, []
    for i, section in enumerate(sections):
        where = f"{field}.action.sections[{i}]"
        section = check_mapping(section, where)
        check_text(section.get("title"), f"{where}.title", max_len=24, required=len(sections) > 1)
        rows = check_list(section.get("rows"), f"{where}.rows", max_items=10)
        total += len(rows)
        for j, row in enumerate(rows):
            rfield = f"{where}.rows[{j}]"
            row = check_mapping(row, rfield)
            ids.append(check_text(row.get("id"), f"{rfield}.id", max_len=200))
            check_text(row.get("title"), f"{rfield}.title", max_len=24)
            check_text(row.get("description"), f"{rfield}.description", max_len=72, required=False)
    if total > 10:
        raise ValueError(
            f"{field}.action.sections must have at most 10 rows in total across sections, got {total}"
        )
    check_unique(ids, f"{field}.action.sections row ids")


def _check_cta_url(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, header="media")
    check_choice(action.get("name"), f"{field}.action.name", ("cta_url",))
    params = check_mapping(action.get("parameters"), f"{field}.action.parameters")
    check_text(params.get("display_text"), f"{field}.action.parameters.display_text", max_len=20)
    check_http_url(params.get("url"), f"{field}.action.parameters.url")


def _check_flow(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, header="text")
    check_choice(action.get("name"), f"{field}.action.name", ("flow",))
    where = f"{field}.action.parameters"
    params = check_mapping(action.get("parameters"), where)
    if (params.get("flow_id") is None) == (params.get("flow_name") is None):
        raise ValueError(f"{where} needs exactly one of flow_id and flow_name")
    check_text(params.get("flow_id"), f"{where}.flow_id", max_len=256, required=False)
    check_text(params.get("flow_name"), f"{where}.flow_name", max_len=256, required=False)
    check_text(params.get("flow_cta"), f"{where}.flow_cta", max_len=20)
    check_text(params.get("flow_token"), f"{where}.flow_token", max_len=1024, required=False)
    check_choice(params.get("flow_message_version"), f"{where}.flow_message_version", ("3",))
    check_choice(params.get("mode"), f"{where}.mode", ("published", "draft"), required=False)
    flow_action = params.get("flow_action", "navigate")
    check_choice(flow_action, f"{where}.flow_action", ("navigate", "data_exchange"))
    payload = params.get("flow_action_payload")
    if flow_action == "data_exchange":
        if payload is not None:
            raise ValueError(f"{where}.flow_action_payload must be omitted for data_exchange")
        return
    if payload is None:
        raise ValueError(f"{where}.flow_action_payload (screen) is required for navigate")
    payload = check_mapping(payload, f"{where}.flow_action_payload")
    check_text(payload.get("screen"), f"{where}.flow_action_payload.screen", max_len=256)
    data = payload.get("data")
    if data is not None and not (isinstance(data, Mapping) and data):
        raise ValueError(f"{where}.flow_action_payload.data must be a non-empty object when given")


def _check_named_action(name: str) -> Any:
    def check(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
        _common(obj, field, footer=False)
        check_choice(action.get("name"), f"{field}.action.name", (name,))

    return check


def _check_address(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, header="text")
    check_choice(action.get("name"), f"{field}.action.name", ("address_message",))
    params = check_mapping(action.get("parameters"), f"{field}.action.parameters")
    check_choice(params.get("country"), f"{field}.action.parameters.country", ("IN", "SG"))


def _check_carousel(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, footer=False)
    cards = check_list(action.get("cards"), f"{field}.action.cards", max_items=10, min_items=2)
    kinds = set()
    for i, card in enumerate(cards):
        where = f"{field}.action.cards[{i}]"
        card = check_mapping(card, where)
        if card.get("card_index") != i:
            raise ValueError(f"{where}.card_index must be {i}")
        header = check_mapping(card.get("header"), f"{where}.header")
        check_choice(header.get("type"), f"{where}.header.type", ("image", "video"))
        _check_media(
            header.get(header["type"]), f"{where}.header.{header['type']}", header["type"], in_header=True
        )
        _check_text_part(card.get("body"), f"{where}.body", max_len=160, required=False)
        card_action = check_mapping(card.get("action"), f"{where}.action")
        if "buttons" in card_action:
            buttons = check_list(card_action["buttons"], f"{where}.action.buttons", max_items=2)
            ids = []
            for k, button in enumerate(buttons):
                bfield = f"{where}.action.buttons[{k}]"
                button = check_mapping(button, bfield)
                check_choice(button.get("type"), f"{bfield}.type", ("quick_reply",))
                reply = check_mapping(button.get("quick_reply"), f"{bfield}.quick_reply")
                ids.append(check_text(reply.get("id"), f"{bfield}.quick_reply.id", max_len=256))
                check_text(reply.get("title"), f"{bfield}.quick_reply.title", max_len=20)
            check_unique(ids, f"{where}.action.buttons ids")
            kinds.add(("quick_reply", len(buttons)))
        else:
            check_choice(card_action.get("name"), f"{where}.action.name", ("cta_url",))
            params = check_mapping(card_action.get("parameters"), f"{where}.action.parameters")
            check_text(params.get("display_text"), f"{where}.action.parameters.display_text", max_len=20)
            check_http_url(params.get("url"), f"{where}.action.parameters.url")
            kinds.add(("cta_url", 1))
    if len(kinds) > 1:
        raise ValueError(
            f"{field}.action.cards must all have the same buttons (one URL button, or the same number of "
            "quick-reply buttons)"
        )


def _check_product(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, body_required=False)
    check_text(action.get("catalog_id"), f"{field}.action.catalog_id", max_len=256)
    check_text(action.get("product_retailer_id"), f"{field}.action.product_retailer_id", max_len=256)


def _check_product_list(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field, header="text_required")
    check_text(action.get("catalog_id"), f"{field}.action.catalog_id", max_len=256)
    sections = check_list(action.get("sections"), f"{field}.action.sections", max_items=10)
    total = 0
    for i, section in enumerate(sections):
        where = f"{field}.action.sections[{i}]"
        section = check_mapping(section, where)
        check_text(section.get("title"), f"{where}.title", max_len=24)
        items = check_list(section.get("product_items"), f"{where}.product_items", max_items=30)
        total += len(items)
        for j, item in enumerate(items):
            item = check_mapping(item, f"{where}.product_items[{j}]")
            check_text(
                item.get("product_retailer_id"),
                f"{where}.product_items[{j}].product_retailer_id",
                max_len=256,
            )
    if total > 30:
        raise ValueError(f"{field}.action.sections must have at most 30 products in total, got {total}")


def _check_catalog(obj: Mapping[str, Any], field: str, action: Mapping[str, Any]) -> None:
    _common(obj, field)
    check_choice(action.get("name"), f"{field}.action.name", ("catalog_message",))


_INTERACTIVE: dict[str, Any] = {
    "button": _check_buttons,
    "list": _check_list,
    "cta_url": _check_cta_url,
    "flow": _check_flow,
    "location_request_message": _check_named_action("send_location"),
    "address_message": _check_address,
    "carousel": _check_carousel,
    "product": _check_product,
    "product_list": _check_product_list,
    "catalog_message": _check_catalog,
    "call_permission_request": _check_named_action("call_permission_request"),
}


def _check_text_fields(body: Any, preview_url: Any, field: str) -> None:
    check_text(body, f"{field}.body", max_len=TEXT_BODY_MAX)
    check_bool(preview_url, f"{field}.preview_url")


def _check_text_message(obj: Any, field: str) -> None:
    obj = check_mapping(obj, field)
    _check_text_fields(obj.get("body"), obj.get("preview_url"), field)


_CHECKS: dict[str, Any] = {
    "text": _check_text_message,
    "image": lambda o, f: _check_media(o, f, "image"),
    "video": lambda o, f: _check_media(o, f, "video"),
    "audio": lambda o, f: _check_media(o, f, "audio"),
    "document": lambda o, f: _check_media(o, f, "document"),
    "sticker": lambda o, f: _check_media(o, f, "sticker"),
    "location": _check_location,
    "contacts": _check_contacts,
    "reaction": _check_reaction,
    "interactive": _check_interactive,
    "template": check_template,
}


def check_message(type: str, obj: Any) -> None:
    """Check one message's type object in Meta's wire shape; ValueError/TypeError name the field."""
    checker = _CHECKS.get(type)
    if checker is None:
        raise ValueError(f"type must be one of {', '.join(map(repr, _CHECKS))}, got {type!r}")
    checker(obj, type)


# -- the body ------------------------------------------------------------------------


def _message_parts(message: Message | Mapping[str, Any]) -> tuple[str, Any]:
    kind = getattr(type(message), "type", None)
    if isinstance(kind, str) and hasattr(message, "to_wire"):
        return kind, message.to_wire()  # a typed message: checked at construction
    if is_mapping(message):
        kind = message.get("type")
        if not isinstance(kind, str) or kind not in message:
            raise ValueError(
                "a message dict needs 'type' and the object of that type, e.g. "
                '{"type": "text", "text": {"body": "hi"}}'
            )
        obj = message[kind]
        check_message(kind, obj)
        return kind, obj
    raise TypeError(f"message must be a message model or a dict, got {type(message).__name__}")


def _envelope(to: str | Group, reply_to: str | None, callback_data: str | None) -> dict[str, Any]:
    recipient_type, recipient = _recipient(to)
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": recipient_type,
        "to": recipient,
    }
    if reply_to is not None:
        check_text(reply_to, "reply_to", max_len=512)
        body["context"] = {"message_id": reply_to}
    if callback_data is not None:
        check_text(callback_data, "callback_data", max_len=CALLBACK_DATA_MAX)
        body["biz_opaque_callback_data"] = callback_data
    return body


def build_message_body(
    to: str | Group,
    message: Message | Mapping[str, Any],
    *,
    reply_to: str | None = None,
    callback_data: str | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /{phone_number_id}/messages``, checked; nothing is sent here."""
    kind, obj = _message_parts(message)
    body = _envelope(to, reply_to, callback_data)
    body["type"] = kind
    # A Text's wire dict is canonical as built (see _text_wire): the commonest message skips the
    # walk. Every other message, and every dict, is put in canonical form.
    body[kind] = obj if type(message) is Text else canonical(obj)
    return body


def build_text_body(
    to: str | Group,
    body: str,
    preview_url: bool = False,
    *,
    reply_to: str | None = None,
    callback_data: str | None = None,
) -> dict[str, Any]:
    """``build_message_body(to, Text(body=body, preview_url=preview_url), ...)``, the same checks in
    the same order and the same dict, without the model object: the commonest send's body."""
    _check_text_fields(body, preview_url, "text")
    wire = _envelope(to, reply_to, callback_data)
    wire["type"] = "text"
    wire["text"] = _text_wire(body, preview_url)
    return wire


def build_marketing_message_body(
    to: str,
    template: Template | Mapping[str, Any],
    *,
    product_policy: Literal["CLOUD_API_FALLBACK", "STRICT"] | None = None,
    message_activity_sharing: bool | None = None,
) -> dict[str, Any]:
    """The body of ``POST /{phone_number_id}/marketing_messages`` (Marketing Messages API; templates only)."""
    if isinstance(template, Mapping):
        check_template(template, "template")
        obj: Any = template
    elif isinstance(template, Template):
        obj = template.to_wire()
    else:
        raise TypeError(f"template must be a Template or a dict, got {type(template).__name__}")
    if isinstance(to, Group):
        raise ValueError("to: marketing messages go to individuals only, not groups")
    body = _envelope(to, None, None)
    body["type"] = "template"
    body["template"] = canonical(obj)
    check_choice(product_policy, "product_policy", ("CLOUD_API_FALLBACK", "STRICT"), required=False)
    _opt(body, "product_policy", product_policy)
    check_bool(message_activity_sharing, "message_activity_sharing")
    _opt(body, "message_activity_sharing", message_activity_sharing)
    return body


@attrs.frozen(kw_only=True, slots=True)
class MarkAsRead:
    """Marks an inbound message read and, optionally, shows a typing indicator (up to 25 s)."""

    message_id: str = attrs.field()
    typing_indicator: bool = False

    @message_id.validator
    def _check(self, _: Any, value: str) -> None:
        check_text(value, "message_id", max_len=512)

    def to_wire(self) -> dict[str, Any]:
        """Meta's shape: ``status: "read"`` plus ``typing_indicator: {"type": "text"}``, never ``status: "typing"``."""
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": self.message_id,
        }
        if self.typing_indicator:
            body["typing_indicator"] = {"type": "text"}
        return body


# -- the response ----------------------------------------------------------------------

MessageStatus = Literal["accepted", "held_for_quality_assessment", "paused"]
_STATUSES = ("accepted", "held_for_quality_assessment", "paused")


@attrs.frozen(kw_only=True, slots=True)
class SentMessage:
    """What Meta answers to a send: the wamid, the recipient's WhatsApp id, and the pacing status."""

    id: str
    wa_id: str | None = None
    input: str | None = None
    message_status: MessageStatus | None = None


# The slots' own setters: a send's answer is built without the attrs __init__ (it costs about as
# much as the rest of the parse); parse_sent_message fills every field, so nothing is left unset.
_sent_id, _sent_wa_id, _sent_input, _sent_status = _slot_setters(
    SentMessage, "id", "wa_id", "input", "message_status"
)


def parse_sent_message(data: Mapping[str, Any], _cls: Any = None) -> SentMessage:
    """Parse ``{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id", "message_status"}]}``.

    Unknown keys are ignored; an unknown ``message_status`` is kept as ``None``
    rather than failing a send that Meta accepted. (The second argument lets the
    converter call it as its structure hook, with no wrapper in between.)
    """
    messages = data.get("messages")
    if not (isinstance(messages, list) and messages and is_mapping(messages[0])):
        raise ValueError("a send response needs messages[0].id")
    first = messages[0]
    wamid = first.get("id")
    if not isinstance(wamid, str):
        raise ValueError("a send response needs messages[0].id")
    status = first.get("message_status")
    contacts = data.get("contacts")
    contact = contacts[0] if isinstance(contacts, list) and contacts and is_mapping(contacts[0]) else {}
    sent: SentMessage = object.__new__(SentMessage)
    _sent_id(sent, wamid)
    _sent_wa_id(sent, contact.get("wa_id"))
    _sent_input(sent, contact.get("input"))
    _sent_status(sent, status if status in _STATUSES else None)
    return sent


# -- the operations ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SendMessageRequest(ApiRequest[SentMessage]):
    """``POST /{phone_number_id}/messages``: one message, its body built and checked by ``build_message_body``.

    Meta has no idempotency key, so a send is never repeated once it may have
    reached Meta; it is retried only when Meta refused it unprocessed (130429
    throughput, 131056 pair limit, 131057 maintenance) or no connection opened.
    It draws on the sending number's messaging budget and the recipient's pair limit.
    """

    operation_id: ClassVar[str | None] = "sendMessage"
    path: ClassVar[str] = "{phone_number_id}/messages"
    idempotent: ClassVar[bool] = False
    retry_refused: ClassVar[bool] = True
    budget: ClassVar[Budget] = "messaging"
    pair_field: ClassVar[str | None] = "to"

    body: dict[str, Any] = attrs.field(metadata=BODY, repr=False)


@attrs.frozen(kw_only=True)
class MarkAsReadRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/messages`` with ``status: "read"``: marking twice changes nothing, so retried."""

    operation_id: ClassVar[str | None] = "sendMessage"
    path: ClassVar[str] = "{phone_number_id}/messages"
    idempotent: ClassVar[bool] = True
    budget: ClassVar[Budget] = "messaging"

    body: dict[str, Any] = attrs.field(metadata=BODY)


@attrs.frozen(kw_only=True)
class SendMarketingMessageRequest(ApiRequest[SentMessage]):
    """``POST /{phone_number_id}/marketing_messages`` (Marketing Messages API): templates only, same send rules."""

    operation_id: ClassVar[str | None] = "sendMarketingMessage"
    path: ClassVar[str] = "{phone_number_id}/marketing_messages"
    idempotent: ClassVar[bool] = False
    retry_refused: ClassVar[bool] = True
    budget: ClassVar[Budget] = "messaging"
    pair_field: ClassVar[str | None] = "to"

    body: dict[str, Any] = attrs.field(metadata=BODY, repr=False)


def _check_jwe(_: Any, __: Any, value: str) -> None:
    if not isinstance(value, str) or value.count(".") < 4 or any(c.isspace() for c in value):
        raise ValueError("encrypted_contents must be a JWE in compact form (five dot-separated parts)")


@attrs.frozen(kw_only=True)
class SendEncryptedMessageRequest(ApiRequest[dict[str, Any]]):
    """``POST /{phone_number_id}/messages_encrypted``: a send whose body you encrypted as a JWE.

    Needs payload encryption enabled in the number's settings; Meta answers
    successes encrypted, so the answer is returned as the raw JSON object.
    Same safety rules and budget as any send.
    """

    operation_id: ClassVar[str | None] = "sendEncryptedMessage"
    path: ClassVar[str] = "{phone_number_id}/messages_encrypted"
    idempotent: ClassVar[bool] = False
    retry_refused: ClassVar[bool] = True
    budget: ClassVar[Budget] = "messaging"

    messaging_product: str = "whatsapp"
    encrypted_contents: str = attrs.field(validator=_check_jwe, repr=False)
