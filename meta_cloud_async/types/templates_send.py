"""Template messages: the ``template`` object of a send, with typed components and parameters.

A user never hand-writes Meta's nesting::

    Template(
        name="order_update",
        language="en_US",
        components=[
            header(ImageParam(link="https://example.com/box.jpg")),
            body(TextParam("Jessica", parameter_name="first_name")),
            quick_reply_button(index=0, payload="track"),
        ],
    )

Authentication (OTP) templates are sent with the code twice: as the body's
one parameter and as the text parameter of button 0, whose sub_type is
``url`` for copy-code, one-tap and zero-tap alike (Meta stores the OTP
button as a URL button): :func:`authentication_components` builds both.

Any component or parameter may also be given as a plain dict in Meta's wire
shape; the same checks run on both, over the wire JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Union

import attrs

from ._wire_checks import as_tuple, check_list, check_mapping, check_number, check_text, to_wire

__all__ = [
    "ActionParam",
    "ButtonComponent",
    "CarouselComponent",
    "Component",
    "CurrencyParam",
    "DateTimeParam",
    "DocumentParam",
    "ImageParam",
    "LimitedTimeOffer",
    "LocationParam",
    "Parameter",
    "PayloadParam",
    "Template",
    "TemplateCarouselCard",
    "TextComponent",
    "TextParam",
    "VideoParam",
    "authentication_components",
    "body",
    "catalog_button",
    "check_template",
    "copy_code_button",
    "flow_button",
    "header",
    "quick_reply_button",
    "url_button",
]

#: Parameters whose values fill ``{{1}}`` / ``{{name}}`` placeholders (the only ones that can be named).
_PLACEHOLDER_TYPES = frozenset({"text", "currency", "date_time"})


_wire = to_wire


# -- parameters ------------------------------------------------------------------


@attrs.frozen(slots=True)
class TextParam:
    """A text value for a header or body placeholder; ``parameter_name`` for named templates."""

    text: str
    parameter_name: str | None = attrs.field(default=None, kw_only=True)

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        wire: dict[str, Any] = {"type": "text", "text": self.text}
        if self.parameter_name is not None:
            wire["parameter_name"] = self.parameter_name
        return wire


@attrs.frozen(kw_only=True, slots=True)
class CurrencyParam:
    """An amount: ``amount_1000`` is the value times 1000 (USD 100.99 -> 100990)."""

    fallback_value: str
    code: str
    amount_1000: int
    parameter_name: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        wire: dict[str, Any] = {
            "type": "currency",
            "currency": {
                "fallback_value": self.fallback_value,
                "code": self.code,
                "amount_1000": self.amount_1000,
            },
        }
        if self.parameter_name is not None:
            wire["parameter_name"] = self.parameter_name
        return wire


@attrs.frozen(kw_only=True, slots=True)
class DateTimeParam:
    """A date shown as ``fallback_value`` (Meta no longer localizes the other date fields)."""

    fallback_value: str
    parameter_name: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        wire: dict[str, Any] = {"type": "date_time", "date_time": {"fallback_value": self.fallback_value}}
        if self.parameter_name is not None:
            wire["parameter_name"] = self.parameter_name
        return wire


@attrs.frozen(kw_only=True, slots=True)
class _MediaParam:
    kind: ClassVar[str] = ""
    media_id: str | None = None
    link: str | None = None

    def _media(self) -> dict[str, Any]:
        media: dict[str, Any] = {}
        if self.media_id is not None:
            media["id"] = self.media_id
        if self.link is not None:
            media["link"] = self.link
        return media

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        return {"type": self.kind, self.kind: self._media()}


@attrs.frozen(kw_only=True, slots=True)
class ImageParam(_MediaParam):
    """An image for a template's header: ``media_id`` or ``link``."""

    kind: ClassVar[str] = "image"


@attrs.frozen(kw_only=True, slots=True)
class VideoParam(_MediaParam):
    """A video for a template's header: ``media_id`` or ``link``."""

    kind: ClassVar[str] = "video"


@attrs.frozen(kw_only=True, slots=True)
class DocumentParam(_MediaParam):
    """A document for a template's header: ``media_id`` or ``link``, and a ``filename``."""

    kind: ClassVar[str] = "document"
    filename: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        media = self._media()
        if self.filename is not None:
            media["filename"] = self.filename
        return {"type": "document", "document": media}


@attrs.frozen(kw_only=True, slots=True)
class LocationParam:
    """A location header."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        location: dict[str, Any] = {"latitude": self.latitude, "longitude": self.longitude}
        if self.name is not None:
            location["name"] = self.name
        if self.address is not None:
            location["address"] = self.address
        return {"type": "location", "location": location}


@attrs.frozen(kw_only=True, slots=True)
class PayloadParam:
    """The payload a quick-reply button returns in the webhook."""

    payload: str

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        return {"type": "payload", "payload": self.payload}


@attrs.frozen(kw_only=True, slots=True)
class ActionParam:
    """An ``action`` parameter (flow, catalog, multi-product buttons)."""

    action: Mapping[str, Any]

    def to_wire(self) -> dict[str, Any]:
        """This parameter as an entry of a component's ``parameters``, in Meta's JSON shape."""
        return {"type": "action", "action": dict(self.action)}


Parameter = Union[
    TextParam,
    CurrencyParam,
    DateTimeParam,
    ImageParam,
    VideoParam,
    DocumentParam,
    LocationParam,
    PayloadParam,
    ActionParam,
    Mapping[str, Any],
]


# -- components ------------------------------------------------------------------


def _params(values: Sequence[Parameter] | Parameter) -> tuple[Parameter, ...]:
    if isinstance(values, Mapping) or hasattr(values, "to_wire"):
        return (values,)  # type: ignore[return-value]
    return tuple(values)


@attrs.frozen(kw_only=True, slots=True)
class TextComponent:
    """A ``header`` or ``body`` component with its parameters, in placeholder order."""

    type: Literal["header", "body"]
    parameters: tuple[Parameter, ...] = attrs.field(converter=_params)

    def to_wire(self) -> dict[str, Any]:
        """This component as an entry of a template message's ``components``, in Meta's JSON shape."""
        return {"type": self.type, "parameters": [_wire(p) for p in self.parameters]}


def header(*parameters: Parameter) -> TextComponent:
    """The header component: one text parameter, or one image/video/document/location."""
    return TextComponent(type="header", parameters=parameters)


def body(*parameters: Parameter) -> TextComponent:
    """The body component: one parameter per placeholder."""
    return TextComponent(type="body", parameters=parameters)


@attrs.frozen(kw_only=True, slots=True)
class ButtonComponent:
    """Any template button: ``sub_type`` (quick_reply, url, copy_code, flow, catalog, mpm...) and index."""

    sub_type: str
    index: int
    parameters: tuple[Parameter, ...] = attrs.field(converter=_params)

    def to_wire(self) -> dict[str, Any]:
        """This component as an entry of a template message's ``components``, in Meta's JSON shape."""
        return {
            "type": "button",
            "sub_type": self.sub_type,
            "index": str(self.index),
            "parameters": [_wire(p) for p in self.parameters],
        }


def quick_reply_button(*, index: int, payload: str) -> ButtonComponent:
    """The payload of the quick-reply button at ``index``, echoed back in the button webhook."""
    return ButtonComponent(sub_type="quick_reply", index=index, parameters=(PayloadParam(payload=payload),))


def url_button(*, index: int, text: str) -> ButtonComponent:
    """A dynamic URL button: ``text`` is the suffix appended to the template's URL."""
    return ButtonComponent(sub_type="url", index=index, parameters=(TextParam(text),))


def copy_code_button(*, index: int, coupon_code: str) -> ButtonComponent:
    """A marketing coupon's copy-code button (up to 15 characters, Meta's limit)."""
    return ButtonComponent(
        sub_type="copy_code", index=index, parameters=({"type": "coupon_code", "coupon_code": coupon_code},)
    )


def flow_button(
    *, index: int, flow_token: str | None = None, flow_action_data: Mapping[str, Any] | None = None
) -> ButtonComponent:
    """The Flow button at ``index``: the ``flow_token`` and the first screen's ``flow_action_data``."""
    action: dict[str, Any] = {}
    if flow_token is not None:
        action["flow_token"] = flow_token
    if flow_action_data is not None:
        action["flow_action_data"] = dict(flow_action_data)
    return ButtonComponent(sub_type="flow", index=index, parameters=(ActionParam(action=action),))


def catalog_button(*, index: int = 0, thumbnail_product_retailer_id: str | None = None) -> ButtonComponent:
    """The catalog button at ``index``, with the product shown as its thumbnail."""
    action: dict[str, Any] = {}
    if thumbnail_product_retailer_id is not None:
        action["thumbnail_product_retailer_id"] = thumbnail_product_retailer_id
    return ButtonComponent(sub_type="CATALOG", index=index, parameters=(ActionParam(action=action),))


@attrs.frozen(kw_only=True, slots=True)
class LimitedTimeOffer:
    """The limited-time-offer component: when the offer ends, in Unix milliseconds."""

    expiration_time_ms: int

    def to_wire(self) -> dict[str, Any]:
        """This component as an entry of a template message's ``components``, in Meta's JSON shape."""
        return {
            "type": "limited_time_offer",
            "parameters": [
                {
                    "type": "limited_time_offer",
                    "limited_time_offer": {"expiration_time_ms": self.expiration_time_ms},
                }
            ],
        }


@attrs.frozen(kw_only=True, slots=True)
class TemplateCarouselCard:
    """The parameters of one carousel card, by ``card_index``."""

    card_index: int
    components: tuple[Component, ...] = attrs.field(converter=as_tuple)

    def to_wire(self) -> dict[str, Any]:
        """This card as an entry of a carousel component's ``cards``."""
        return {"card_index": self.card_index, "components": [_wire(c) for c in self.components]}


@attrs.frozen(kw_only=True, slots=True)
class CarouselComponent:
    """A media/product card carousel: 2-10 cards, each with its own header and buttons."""

    cards: tuple[TemplateCarouselCard | Mapping[str, Any], ...] = attrs.field(converter=as_tuple)

    def to_wire(self) -> dict[str, Any]:
        """This component as an entry of a template message's ``components``, in Meta's JSON shape."""
        return {"type": "carousel", "cards": [_wire(c) for c in self.cards]}


Component = Union[TextComponent, ButtonComponent, LimitedTimeOffer, CarouselComponent, Mapping[str, Any]]


def authentication_components(code: str) -> list[Component]:
    """Body and button 0 for an authentication template (copy-code, one-tap or zero-tap)."""
    return [body(TextParam(code)), url_button(index=0, text=code)]


# -- the template ----------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class Template:
    """``type: "template"``: an approved template by name and language code (``en_US``)."""

    type: ClassVar[str] = "template"
    name: str
    language: str
    components: tuple[Component, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        check_template(self.to_wire(), "template")

    def to_wire(self) -> dict[str, Any]:
        """The ``template`` object of a template message, as Meta takes it."""
        wire: dict[str, Any] = {"name": self.name, "language": {"code": self.language}}
        if self.components:
            wire["components"] = [_wire(c) for c in self.components]
        return wire


# -- checks over the wire shape ----------------------------------------------------

_MEDIA_KINDS = ("image", "video", "document")


def _check_parameter(param: Any, field: str) -> str | None:
    """Check one parameter; return its ``parameter_name`` (None when positional)."""
    param = check_mapping(param, field)
    kind = param.get("type")
    if not isinstance(kind, str):
        raise ValueError(f"{field}.type is required")
    if kind in _MEDIA_KINDS:
        media = check_mapping(param.get(kind), f"{field}.{kind}")
        if ("id" in media) == ("link" in media):
            raise ValueError(f"{field}.{kind} needs exactly one of id and link")
    elif kind == "location":
        location = check_mapping(param.get("location"), f"{field}.location")
        check_number(location.get("latitude"), f"{field}.location.latitude", low=-90, high=90)
        check_number(location.get("longitude"), f"{field}.location.longitude", low=-180, high=180)
    elif kind == "text":
        check_text(param.get("text"), f"{field}.text", max_len=32768)
    elif kind == "currency":
        currency = check_mapping(param.get("currency"), f"{field}.currency")
        check_text(currency.get("fallback_value"), f"{field}.currency.fallback_value", max_len=1024)
        check_text(currency.get("code"), f"{field}.currency.code", min_len=3, max_len=3)
        amount = currency.get("amount_1000")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"{field}.currency.amount_1000 must be an integer (the amount times 1000)")
    elif kind == "date_time":
        date_time = check_mapping(param.get("date_time"), f"{field}.date_time")
        check_text(date_time.get("fallback_value"), f"{field}.date_time.fallback_value", max_len=1024)
    elif kind == "payload":
        check_text(param.get("payload"), f"{field}.payload", max_len=1000)
    elif kind == "coupon_code":
        check_text(param.get("coupon_code"), f"{field}.coupon_code", max_len=15)
    elif kind == "action":
        check_mapping(param.get("action"), f"{field}.action")
    name = param.get("parameter_name")
    if name is not None:
        if kind not in _PLACEHOLDER_TYPES:
            raise ValueError(f"{field}.parameter_name is only allowed on text, currency and date_time")
        check_text(name, f"{field}.parameter_name", max_len=512)
    return name  # type: ignore[no-any-return]


def _check_components(components: Any, field: str) -> None:
    named: str | None = None  # field of the first named placeholder
    positional: str | None = None
    for i, component in enumerate(check_list(components, field, max_items=64)):
        where = f"{field}[{i}]"
        component = check_mapping(component, where)
        kind = component.get("type")
        if kind in ("header", "body"):
            params = check_list(component.get("parameters"), f"{where}.parameters", max_items=128)
            for j, param in enumerate(params):
                pfield = f"{where}.parameters[{j}]"
                name = _check_parameter(param, pfield)
                if param.get("type") not in _PLACEHOLDER_TYPES:
                    continue
                if name is None:
                    positional = positional or pfield
                else:
                    named = named or pfield
                if named and positional:
                    raise ValueError(
                        f"{field}: template parameters must be all named or all positional, never mixed "
                        f"({named} is named, {positional} is positional)"
                    )
        elif kind == "button":
            check_text(component.get("sub_type"), f"{where}.sub_type", max_len=32)
            index = component.get("index")
            text_index = str(index) if isinstance(index, int) and not isinstance(index, bool) else index
            if not (isinstance(text_index, str) and text_index.isdigit() and int(text_index) < 10):
                raise ValueError(f"{where}.index must be 0-9, got {index!r}")
            params = check_list(component.get("parameters"), f"{where}.parameters", max_items=10)
            for j, param in enumerate(params):
                _check_parameter(param, f"{where}.parameters[{j}]")
        elif kind == "limited_time_offer":
            params = check_list(component.get("parameters"), f"{where}.parameters", max_items=1)
            offer = check_mapping(params[0], f"{where}.parameters[0]").get("limited_time_offer")
            offer = check_mapping(offer, f"{where}.parameters[0].limited_time_offer")
            ms = offer.get("expiration_time_ms")
            if isinstance(ms, bool) or not isinstance(ms, int) or ms <= 0:
                raise ValueError(
                    f"{where}.parameters[0].limited_time_offer.expiration_time_ms must be a positive "
                    "Unix time in milliseconds"
                )
        elif kind == "carousel":
            cards = check_list(component.get("cards"), f"{where}.cards", max_items=10, min_items=1)
            for j, card in enumerate(cards):
                card = check_mapping(card, f"{where}.cards[{j}]")
                if card.get("card_index") != j:
                    raise ValueError(f"{where}.cards[{j}].card_index must be {j}")
                _check_components(card.get("components"), f"{where}.cards[{j}].components")
        elif not isinstance(kind, str):
            raise ValueError(f"{where}.type is required")


def check_template(template: Any, field: str = "template") -> None:
    """Meta's template object: name, language code, and well-formed components."""
    template = check_mapping(template, field)
    check_text(template.get("name"), f"{field}.name", max_len=512)
    language = check_mapping(template.get("language"), f"{field}.language")
    check_text(language.get("code"), f"{field}.language.code", max_len=15, min_len=2)
    if "components" in template:
        _check_components(template["components"], f"{field}.components")
