"""Message template definitions (create / edit), the template Meta returns, and send-time checks.

Components are Meta's wire dicts. Pass them as dicts (sent unchanged, the same
objects, so a body copied from Meta's documentation goes out byte-for-byte) or
build them with the typed builders here; both go through the same local checks
in :func:`build_template_body`, which read the dicts case-insensitively
(Meta's own examples mix ``"BODY"`` and ``"body"``).

The limits checked locally (a ``ValueError`` naming the component, before any
request) are Meta's documented ones; see ``docs/templates.md`` for the list and
where each comes from. Send-time parameters are another module's business:
:func:`check_send_parameters` only compares them, as wire dicts, with a
:class:`Template`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Protocol, Union

import attrs

from .shared import BODY, ApiRequest, Page, SuccessResponse, fields_param

__all__ = [
    "AUTHENTICATION",
    "MARKETING",
    "UTILITY",
    "AndroidApp",
    "AuthenticationBody",
    "AuthenticationFooter",
    "Body",
    "Buttons",
    "Carousel",
    "CarouselCard",
    "CatalogButton",
    "Component",
    "CopyCodeButton",
    "CreateTemplateRequest",
    "DeleteTemplateRequest",
    "EditTemplateRequest",
    "FlowButton",
    "Footer",
    "GetTemplateRequest",
    "HeaderLocation",
    "HeaderMedia",
    "HeaderText",
    "LimitedTimeOffer",
    "ListTemplatesRequest",
    "MultiProductButton",
    "OtpCopyCodeButton",
    "OtpOneTapButton",
    "OtpZeroTapButton",
    "PhoneNumberButton",
    "QualityScore",
    "QuickReplyButton",
    "Template",
    "TemplateCreated",
    "UrlButton",
    "VoiceCallButton",
    "authentication_template",
    "build_template_body",
    "check_send_parameters",
    "template_variables",
]

AUTHENTICATION = "AUTHENTICATION"
MARKETING = "MARKETING"
UTILITY = "UTILITY"
_CATEGORIES = frozenset({AUTHENTICATION, MARKETING, UTILITY})

# Meta's documented limits (docs/templates.md lists the source of each).
NAME_MAX = 512
HEADER_TEXT_MAX = 60
BODY_MAX = 1024
FOOTER_MAX = 60
BUTTONS_MAX = 10
URL_BUTTONS_MAX = 2
PHONE_BUTTONS_MAX = 1
BUTTON_TEXT_MAX = 25
URL_MAX = 2000
PHONE_MAX = 20
COPY_CODE_EXAMPLE_MAX = 15
CODE_EXPIRATION_RANGE = (1, 90)
CAROUSEL_CARDS_MAX = 10
LTO_TEXT_MAX = 16
LTO_BODY_MAX = 600

_NAME = re.compile(r"[a-z0-9_]+")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]{2,4})?")
_VARIABLE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_POSITIONAL = re.compile(r"[1-9][0-9]*")
_NAMED = re.compile(r"[a-z_][a-z0-9_]*")
_MEDIA_FORMATS = frozenset({"IMAGE", "VIDEO", "DOCUMENT", "GIF"})


class Component(Protocol):
    """Anything that renders itself as one of Meta's component (or button) wire dicts."""

    def to_dict(self) -> dict[str, Any]:
        """The component (or button) as Meta's wire dict."""
        ...


ComponentLike = Union[Component, Mapping[str, Any]]


# -- variables -------------------------------------------------------------------------


def template_variables(text: str, where: str = "text") -> tuple[str, list[str]]:
    """The variables in ``text`` in order of appearance, and their kind.

    Kind is ``"positional"`` (``{{1}}``), ``"named"`` (``{{first_name}}``) or
    ``"none"``; a text mixing both kinds, or holding a variable that is
    neither, is a ``ValueError`` naming ``where``.
    """
    names = [m.group(1) for m in _VARIABLE.finditer(text)]
    if not names:
        return "none", []
    kinds = set()
    for name in names:
        if _POSITIONAL.fullmatch(name):
            kinds.add("positional")
        elif _NAMED.fullmatch(name):
            kinds.add("named")
        else:
            raise ValueError(
                f"{where}: variable {{{{{name}}}}} is neither positional ({{{{1}}}}) nor named "
                "(lower-case letters, digits and underscores, not starting with a digit)"
            )
    if len(kinds) > 1:
        raise ValueError(f"{where}: mixes named and positional variables; use one kind")
    return kinds.pop(), names


def _check_positional_sequence(names: list[str], where: str) -> None:
    numbers = sorted({int(n) for n in names})
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(
            f"{where}: positional variables must be numbered from {{{{1}}}} without gaps, got "
            + ", ".join(f"{{{{{n}}}}}" for n in numbers)
        )


# -- typed builders ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class HeaderText:
    """A text header (≤ 60 characters, at most one variable, with its example)."""

    text: str
    example: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        out: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": self.text}
        kind, names = template_variables(self.text, "header")
        if names and self.example is not None:
            if kind == "named":
                out["example"] = {
                    "header_text_named_params": [{"param_name": names[0], "example": self.example}]
                }
            else:
                out["example"] = {"header_text": [self.example]}
        return out


@attrs.frozen(kw_only=True)
class HeaderMedia:
    """An IMAGE / VIDEO / GIF / DOCUMENT header; ``handle`` is a resumable-upload handle (``h``)."""

    format: Literal["IMAGE", "VIDEO", "GIF", "DOCUMENT"]
    handle: str

    @classmethod
    def image(cls, handle: str) -> HeaderMedia:
        """An IMAGE header whose example is the upload ``handle`` (``wa.uploads.upload``)."""
        return cls(format="IMAGE", handle=handle)

    @classmethod
    def video(cls, handle: str) -> HeaderMedia:
        """A VIDEO header whose example is the upload ``handle``."""
        return cls(format="VIDEO", handle=handle)

    @classmethod
    def document(cls, handle: str) -> HeaderMedia:
        """A DOCUMENT header whose example is the upload ``handle``."""
        return cls(format="DOCUMENT", handle=handle)

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {"type": "HEADER", "format": self.format, "example": {"header_handle": [self.handle]}}


@attrs.frozen(kw_only=True)
class HeaderLocation:
    """A location header; the location itself is given at send time."""

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {"type": "HEADER", "format": "LOCATION"}


@attrs.frozen(kw_only=True)
class Body:
    """The body text with its examples: a sequence for ``{{1}}``..., a mapping for named variables.

    Named examples are rendered in the order the variables appear in the text.
    """

    text: str
    examples: Sequence[str] | Mapping[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        out: dict[str, Any] = {"type": "BODY", "text": self.text}
        if self.examples is None:
            return out
        if isinstance(self.examples, Mapping):
            kind, names = template_variables(self.text, "body")
            ordered = list(dict.fromkeys(names)) if kind == "named" else list(self.examples)
            ordered += [k for k in self.examples if k not in ordered]
            out["example"] = {
                "body_text_named_params": [
                    {"param_name": k, "example": self.examples[k]} for k in ordered if k in self.examples
                ]
            }
        else:
            if isinstance(self.examples, str):
                raise TypeError("Body.examples must be a sequence or mapping of strings, not one string")
            out["example"] = {"body_text": [list(self.examples)]}
        return out


@attrs.frozen(kw_only=True)
class Footer:
    """Footer text (≤ 60 characters, no variables)."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {"type": "FOOTER", "text": self.text}


@attrs.frozen(kw_only=True)
class AuthenticationBody:
    """Meta's fixed authentication body: no text of your own, only the security line option."""

    add_security_recommendation: bool = False

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        out: dict[str, Any] = {"type": "BODY"}
        if self.add_security_recommendation:
            out["add_security_recommendation"] = True
        return out


@attrs.frozen(kw_only=True)
class AuthenticationFooter:
    """Meta's fixed expiry footer: "This code expires in N minutes" (1-90)."""

    code_expiration_minutes: int

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {"type": "FOOTER", "code_expiration_minutes": self.code_expiration_minutes}


@attrs.frozen(kw_only=True)
class QuickReplyButton:
    """A quick-reply button; the tap comes back in a ``button`` webhook."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return {"type": "QUICK_REPLY", "text": self.text}


@attrs.frozen(kw_only=True)
class UrlButton:
    """A URL button; a ``{{1}}`` at the end of ``url`` needs ``example`` (a full sample URL)."""

    text: str
    url: str
    example: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        out: dict[str, Any] = {"type": "URL", "text": self.text, "url": self.url}
        if self.example is not None:
            out["example"] = [self.example]
        return out


@attrs.frozen(kw_only=True)
class PhoneNumberButton:
    """A button that calls ``phone_number``."""

    text: str
    phone_number: str

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return {"type": "PHONE_NUMBER", "text": self.text, "phone_number": self.phone_number}


@attrs.frozen(kw_only=True)
class CopyCodeButton:
    """A coupon-code button (marketing); ``example`` is a sample code of ≤ 15 characters."""

    example: str

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return {"type": "COPY_CODE", "example": self.example}


@attrs.frozen(kw_only=True)
class AndroidApp:
    """An Android app allowed to receive one-tap / zero-tap codes."""

    package_name: str
    signature_hash: str

    def to_dict(self) -> dict[str, Any]:
        """The app entry of a one-tap or zero-tap button, in Meta's JSON shape."""
        return {"package_name": self.package_name, "signature_hash": self.signature_hash}


@attrs.frozen(kw_only=True)
class OtpCopyCodeButton:
    """Authentication: the code is copied by a button (label defaults to Meta's "Copy code")."""

    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        out: dict[str, Any] = {"type": "OTP", "otp_type": "COPY_CODE"}
        if self.text is not None:
            out["text"] = self.text
        return out


def _otp_app_button(
    otp_type: str,
    text: str | None,
    autofill_text: str | None,
    apps: Sequence[AndroidApp],
    terms: bool | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "OTP", "otp_type": otp_type}
    if text is not None:
        out["text"] = text
    if autofill_text is not None:
        out["autofill_text"] = autofill_text
    if terms is not None:
        out["zero_tap_terms_accepted"] = terms
    out["supported_apps"] = [app.to_dict() for app in apps]
    return out


@attrs.frozen(kw_only=True)
class OtpOneTapButton:
    """Authentication: one-tap autofill into the listed Android apps (copy code elsewhere)."""

    supported_apps: Sequence[AndroidApp]
    text: str | None = None
    autofill_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return _otp_app_button("ONE_TAP", self.text, self.autofill_text, self.supported_apps)


@attrs.frozen(kw_only=True)
class OtpZeroTapButton:
    """Authentication: zero-tap delivery; you must accept Meta's zero-tap terms."""

    supported_apps: Sequence[AndroidApp]
    zero_tap_terms_accepted: bool
    text: str | None = None
    autofill_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return _otp_app_button(
            "ZERO_TAP", self.text, self.autofill_text, self.supported_apps, self.zero_tap_terms_accepted
        )


@attrs.frozen(kw_only=True)
class FlowButton:
    """Opens a Flow, named by exactly one of ``flow_id``, ``flow_name`` or ``flow_json``."""

    text: str
    flow_id: str | None = None
    flow_name: str | None = None
    flow_json: str | None = None
    flow_action: Literal["navigate", "data_exchange"] | None = None
    navigate_screen: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        out: dict[str, Any] = {"type": "FLOW", "text": self.text}
        for key in ("flow_id", "flow_name", "flow_json", "flow_action", "navigate_screen"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@attrs.frozen(kw_only=True)
class CatalogButton:
    """A button that opens the business's catalog (catalog templates)."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return {"type": "CATALOG", "text": self.text}


@attrs.frozen(kw_only=True)
class MultiProductButton:
    """A button that shows several products (multi-product templates)."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return {"type": "MPM", "text": self.text}


@attrs.frozen(kw_only=True)
class VoiceCallButton:
    """A button that starts a WhatsApp voice call with the business."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        """This button as an entry of a ``BUTTONS`` component, in Meta's JSON shape."""
        return {"type": "VOICE_CALL", "text": self.text}


@attrs.frozen(kw_only=True)
class Buttons:
    """The BUTTONS component; each entry is a builder above or a button wire dict."""

    buttons: Sequence[ComponentLike]

    def to_dict(self) -> dict[str, Any]:
        """This ``BUTTONS`` component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {"type": "BUTTONS", "buttons": [_as_dict(b) for b in self.buttons]}


@attrs.frozen(kw_only=True)
class CarouselCard:
    """One card of a carousel template: a header and body, and its buttons."""

    components: Sequence[ComponentLike]

    def to_dict(self) -> dict[str, Any]:
        """This card as an entry of a ``CAROUSEL`` component's ``cards``."""
        return {"components": [_as_dict(c) for c in self.components]}


@attrs.frozen(kw_only=True)
class Carousel:
    """A carousel of up to 10 cards, each with a media header, optional body and buttons."""

    cards: Sequence[CarouselCard | Mapping[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {"type": "CAROUSEL", "cards": [_as_dict(c) for c in self.cards]}


@attrs.frozen(kw_only=True)
class LimitedTimeOffer:
    """The limited-time-offer component (marketing); the expiry itself is given at send time."""

    text: str
    has_expiration: bool = True

    def to_dict(self) -> dict[str, Any]:
        """This component as an entry of a template's ``components``, in Meta's JSON shape."""
        return {
            "type": "LIMITED_TIME_OFFER",
            "limited_time_offer": {"text": self.text, "has_expiration": self.has_expiration},
        }


def _as_dict(component: Any) -> Any:
    """A builder's dict, or the wire dict itself (the same object: sent exactly as given)."""
    if isinstance(component, Mapping):
        return component
    to_dict = getattr(component, "to_dict", None)
    if to_dict is None:
        raise TypeError(
            f"a component must be a Meta wire dict or a builder from meta_cloud_async.types.templates, "
            f"got {type(component).__name__}"
        )
    return to_dict()


# -- the request body ------------------------------------------------------------------


def authentication_template(
    name: str,
    language: str,
    *,
    button: OtpCopyCodeButton | OtpOneTapButton | OtpZeroTapButton | Mapping[str, Any],
    add_security_recommendation: bool = False,
    code_expiration_minutes: int | None = None,
    message_send_ttl_seconds: int | None = None,
) -> dict[str, Any]:
    """An AUTHENTICATION template body as Meta defines it: fixed text, one OTP button."""
    components: list[ComponentLike] = [
        AuthenticationBody(add_security_recommendation=add_security_recommendation)
    ]
    if code_expiration_minutes is not None:
        components.append(AuthenticationFooter(code_expiration_minutes=code_expiration_minutes))
    components.append(Buttons(buttons=[button]))
    return build_template_body(
        name, language, AUTHENTICATION, components, message_send_ttl_seconds=message_send_ttl_seconds
    )


def build_template_body(
    name: str,
    language: str,
    category: str,
    components: Sequence[ComponentLike],
    *,
    parameter_format: Literal["NAMED", "POSITIONAL"] | None = None,
    allow_category_change: bool | None = None,
    message_send_ttl_seconds: int | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /{waba}/message_templates`` (and of an edit), checked locally.

    Wire dicts are placed in the body unchanged. When the components use named
    variables and ``parameter_format`` is not given, ``"NAMED"`` is added: Meta
    refuses named variables without it (``(#100) Invalid parameter``).
    """
    if not isinstance(name, str) or not name:
        raise ValueError("name: a template name is required")
    if len(name) > NAME_MAX:
        raise ValueError(f"name: at most {NAME_MAX} characters, got {len(name)}")
    if not _NAME.fullmatch(name):
        raise ValueError(f"name: only lower-case letters, digits and underscores, got {name!r}")
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        raise ValueError(f"language: a template language code such as 'en_US' or 'en', got {language!r}")
    if not isinstance(category, str) or category.upper() not in _CATEGORIES:
        raise ValueError(f"category: one of {sorted(_CATEGORIES)}, got {category!r}")
    if parameter_format is not None and parameter_format not in ("NAMED", "POSITIONAL"):
        raise ValueError(f"parameter_format: 'NAMED' or 'POSITIONAL', got {parameter_format!r}")
    if allow_category_change is not None and not isinstance(allow_category_change, bool):
        raise TypeError("allow_category_change must be a bool")
    if message_send_ttl_seconds is not None and (
        isinstance(message_send_ttl_seconds, bool)
        or not isinstance(message_send_ttl_seconds, int)
        or message_send_ttl_seconds <= 0
    ):
        raise ValueError(f"message_send_ttl_seconds: a positive int, got {message_send_ttl_seconds!r}")
    if isinstance(components, (str, bytes, Mapping)) or not isinstance(components, Sequence):
        raise TypeError("components must be a list of components")
    wire = [_as_dict(c) for c in components]
    kind = validate_components(category.upper(), wire)
    if kind == "named":
        if parameter_format == "POSITIONAL":
            raise ValueError("parameter_format: 'POSITIONAL' but the components use named variables")
        parameter_format = "NAMED"
    elif kind == "positional" and parameter_format == "NAMED":
        raise ValueError("parameter_format: 'NAMED' but the components use positional variables")
    body: dict[str, Any] = {"name": name, "language": language, "category": category}
    if parameter_format is not None:
        body["parameter_format"] = parameter_format
    if allow_category_change is not None:
        body["allow_category_change"] = allow_category_change
    if message_send_ttl_seconds is not None:
        body["message_send_ttl_seconds"] = message_send_ttl_seconds
    body["components"] = wire
    return body


# -- local checks on wire dicts ----------------------------------------------------------


def _type_of(component: Any, where: str) -> str:
    if not isinstance(component, Mapping):
        raise TypeError(f"{where}: a component must be a dict, got {type(component).__name__}")
    kind = component.get("type")
    if not isinstance(kind, str):
        raise ValueError(f"{where}: missing 'type'")
    return kind.upper()


def _text(component: Mapping[str, Any], key: str, where: str, limit: int, *, required: bool = True) -> str:
    value = component.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    if len(value) > limit:
        raise ValueError(f"{where}: '{key}' has {len(value)} characters, at most {limit} allowed")
    return value


class _Vars:
    """The variable kind seen so far across the template: one kind for the whole template."""

    def __init__(self) -> None:
        self.kind = "none"

    def add(self, kind: str, where: str) -> None:
        if kind == "none":
            return
        if self.kind not in ("none", kind):
            raise ValueError(f"{where}: mixes named and positional variables across the template")
        self.kind = kind


def validate_components(category: str, components: Sequence[Any], *, _where: str = "components") -> str:
    """Check wire components against Meta's rules; return the variable kind they use."""
    if not components:
        raise ValueError(f"{_where}: at least a BODY component is required")
    seen: dict[str, int] = {}
    variables = _Vars()
    for i, component in enumerate(components):
        kind = _type_of(component, f"{_where}[{i}]")
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] > 1:
            raise ValueError(f"{kind.lower()}: a template has at most one {kind} component")
        if kind == "HEADER":
            _check_header(category, component, variables)
        elif kind == "BODY":
            _check_body(category, component, variables)
        elif kind == "FOOTER":
            _check_footer(category, component)
        elif kind == "BUTTONS":
            _check_buttons(category, component, variables)
        elif kind == "CAROUSEL":
            _check_carousel(category, component, variables)
        elif kind == "LIMITED_TIME_OFFER":
            _check_lto(category, component)
        else:
            raise ValueError(f"{_where}[{i}]: unknown component type {component.get('type')!r}")
    if "BODY" not in seen:
        raise ValueError("body: every template needs a BODY component")
    if "LIMITED_TIME_OFFER" in seen:
        if "FOOTER" in seen:
            raise ValueError("footer: limited-time offer templates take no footer")
        body = next(c for c in components if _type_of(c, _where) == "BODY")
        if len(str(body.get("text", ""))) > LTO_BODY_MAX:
            raise ValueError(f"body: at most {LTO_BODY_MAX} characters in a limited-time offer template")
    return variables.kind


def _check_header(category: str, header: Mapping[str, Any], variables: _Vars, where: str = "header") -> None:
    if category == AUTHENTICATION:
        raise ValueError(f"{where}: authentication templates have no header")
    fmt = header.get("format")
    if not isinstance(fmt, str):
        raise ValueError(f"{where}: 'format' is required (TEXT, IMAGE, VIDEO, GIF, DOCUMENT or LOCATION)")
    fmt = fmt.upper()
    example = header.get("example")
    if fmt == "TEXT":
        text = _text(header, "text", where, HEADER_TEXT_MAX)
        kind, names = template_variables(text, where)
        if len(names) > 1:
            raise ValueError(f"{where}: at most one variable in a text header, got {len(names)}")
        variables.add(kind, where)
        if kind == "positional":
            _check_positional_sequence(names, where)
            values = example.get("header_text") if isinstance(example, Mapping) else None
            if not isinstance(values, list) or len(values) != 1 or not _nonempty_str(values[0]):
                raise ValueError(f"{where}: a variable needs example.header_text with one example value")
        elif kind == "named":
            params = example.get("header_text_named_params") if isinstance(example, Mapping) else None
            _check_named_examples(params, names, where, "header_text_named_params")
    elif fmt in _MEDIA_FORMATS:
        handles = example.get("header_handle") if isinstance(example, Mapping) else None
        if not isinstance(handles, list) or len(handles) != 1 or not _nonempty_str(handles[0]):
            raise ValueError(
                f"{where}: a {fmt} header needs example.header_handle with one resumable-upload handle"
            )
    elif fmt == "LOCATION":
        if category not in (MARKETING, UTILITY):
            raise ValueError(f"{where}: location headers are for MARKETING and UTILITY templates")
    else:
        raise ValueError(f"{where}: unknown header format {header.get('format')!r}")


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _check_named_examples(params: Any, names: list[str], where: str, key: str) -> None:
    if not isinstance(params, list):
        raise ValueError(f"{where}: named variables need example.{key}")
    given: dict[str, Any] = {}
    for p in params:
        if not isinstance(p, Mapping) or not _nonempty_str(p.get("param_name")):
            raise ValueError(f"{where}: each example.{key} entry needs 'param_name' and 'example'")
        given[p["param_name"]] = p.get("example")
    missing = [n for n in dict.fromkeys(names) if not _nonempty_str(given.get(n))]
    if missing:
        raise ValueError(f"{where}: no example for variable(s) " + ", ".join(f"{{{{{n}}}}}" for n in missing))
    extra = sorted(set(given) - set(names))
    if extra:
        raise ValueError(f"{where}: examples for variables not in the text: {', '.join(extra)}")


def _check_body(category: str, body: Mapping[str, Any], variables: _Vars, where: str = "body") -> None:
    if category == AUTHENTICATION:
        if "text" in body:
            raise ValueError(
                f"{where}: authentication templates use Meta's fixed text; give add_security_recommendation "
                "instead of 'text'"
            )
        flag = body.get("add_security_recommendation")
        if flag is not None and not isinstance(flag, bool):
            raise ValueError(f"{where}: add_security_recommendation must be a bool")
        return
    text = _text(body, "text", where, BODY_MAX)
    kind, names = template_variables(text, where)
    variables.add(kind, where)
    if not names:
        return
    stripped = text.strip()
    if stripped.startswith("{{") or stripped.endswith("}}"):
        raise ValueError(f"{where}: a variable may not be at the very start or end of the body text")
    example = body.get("example")
    if kind == "positional":
        _check_positional_sequence(names, where)
        rows = example.get("body_text") if isinstance(example, Mapping) else None
        count = len(set(names))
        if (
            not isinstance(rows, list)
            or len(rows) != 1
            or not isinstance(rows[0], list)
            or len(rows[0]) != count
            or not all(_nonempty_str(v) for v in rows[0])
        ):
            raise ValueError(
                f"{where}: {count} variable(s) need example.body_text with one row of {count} example value(s)"
            )
    else:
        _check_named_examples(
            example.get("body_text_named_params") if isinstance(example, Mapping) else None,
            names,
            where,
            "body_text_named_params",
        )


def _check_footer(category: str, footer: Mapping[str, Any], where: str = "footer") -> None:
    if category == AUTHENTICATION:
        if "text" in footer:
            raise ValueError(f"{where}: authentication templates take code_expiration_minutes, not 'text'")
        minutes = footer.get("code_expiration_minutes")
        low, high = CODE_EXPIRATION_RANGE
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise ValueError(
                f"{where}: code_expiration_minutes must be an int from {low} to {high}, got {minutes!r}"
            )
        return
    text = _text(footer, "text", where, FOOTER_MAX)
    if _VARIABLE.search(text):
        raise ValueError(f"{where}: footers take no variables")


def _check_buttons(
    category: str, component: Mapping[str, Any], variables: _Vars, where: str = "buttons"
) -> None:
    buttons = component.get("buttons")
    if not isinstance(buttons, list) or not buttons:
        raise ValueError(f"{where}: 'buttons' must be a non-empty list")
    if len(buttons) > BUTTONS_MAX:
        raise ValueError(f"{where}: at most {BUTTONS_MAX} buttons in all, got {len(buttons)}")
    counts: dict[str, int] = {}
    for i, button in enumerate(buttons):
        bwhere = f"{where}[{i}]"
        kind = _type_of(button, bwhere)
        counts[kind] = counts.get(kind, 0) + 1
        if category == AUTHENTICATION and kind != "OTP":
            raise ValueError(f"{bwhere}: authentication templates take one OTP button, got {kind}")
        if kind != "OTP" and kind != "COPY_CODE":
            _text(button, "text", bwhere, BUTTON_TEXT_MAX)
        if kind == "URL":
            _check_url_button(button, bwhere)
        elif kind == "PHONE_NUMBER":
            _text(button, "phone_number", bwhere, PHONE_MAX)
        elif kind == "COPY_CODE":
            _text(button, "example", bwhere, COPY_CODE_EXAMPLE_MAX)
        elif kind == "OTP":
            if category != AUTHENTICATION:
                raise ValueError(f"{bwhere}: OTP buttons belong to AUTHENTICATION templates")
            _check_otp_button(button, bwhere)
        elif kind == "FLOW":
            named = [k for k in ("flow_id", "flow_name", "flow_json") if button.get(k) is not None]
            if len(named) != 1:
                raise ValueError(
                    f"{bwhere}: a FLOW button names its flow by exactly one of flow_id, flow_name, flow_json"
                )
            action = button.get("flow_action")
            if action is not None and action not in ("navigate", "data_exchange"):
                raise ValueError(f"{bwhere}: flow_action must be 'navigate' or 'data_exchange'")
        elif kind not in ("QUICK_REPLY", "CATALOG", "MPM", "VOICE_CALL", "SPM", "APP"):
            raise ValueError(f"{bwhere}: unknown button type {button.get('type')!r}")
    if counts.get("URL", 0) > URL_BUTTONS_MAX:
        raise ValueError(f"{where}: at most {URL_BUTTONS_MAX} URL buttons, got {counts['URL']}")
    if counts.get("PHONE_NUMBER", 0) > PHONE_BUTTONS_MAX:
        raise ValueError(
            f"{where}: at most {PHONE_BUTTONS_MAX} phone number button, got {counts['PHONE_NUMBER']}"
        )
    for single in ("COPY_CODE", "OTP", "FLOW", "CATALOG", "MPM", "VOICE_CALL"):
        if counts.get(single, 0) > 1:
            raise ValueError(f"{where}: at most one {single} button")


def _check_url_button(button: Mapping[str, Any], where: str) -> None:
    url = _text(button, "url", where, URL_MAX)
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError(f"{where}: 'url' must be an http(s) URL")
    names = [m.group(1) for m in _VARIABLE.finditer(url)]
    if not names:
        return
    if names != ["1"] or not url.endswith("{{1}}"):
        raise ValueError(f"{where}: a URL takes one variable, {{{{1}}}}, at its end")
    example = button.get("example")
    if not isinstance(example, list) or len(example) != 1 or not _nonempty_str(example[0]):
        raise ValueError(f"{where}: a URL with {{{{1}}}} needs 'example' with one full sample URL")


def _check_otp_button(button: Mapping[str, Any], where: str) -> None:
    otp_type = button.get("otp_type")
    if otp_type not in ("COPY_CODE", "ONE_TAP", "ZERO_TAP"):
        raise ValueError(f"{where}: otp_type must be COPY_CODE, ONE_TAP or ZERO_TAP, got {otp_type!r}")
    for key in ("text", "autofill_text"):
        if key in button:
            _text(button, key, where, BUTTON_TEXT_MAX)
    if otp_type == "COPY_CODE":
        return
    apps = button.get("supported_apps")
    if apps is None and button.get("package_name") is not None:  # Meta's older, single-app form
        apps = [{"package_name": button.get("package_name"), "signature_hash": button.get("signature_hash")}]
    if not isinstance(apps, list) or not apps:
        raise ValueError(
            f"{where}: a {otp_type} button needs supported_apps (package_name and signature_hash)"
        )
    for app in apps:
        if not isinstance(app, Mapping) or not all(
            _nonempty_str(app.get(k)) for k in ("package_name", "signature_hash")
        ):
            raise ValueError(f"{where}: each supported app needs package_name and signature_hash")
    if otp_type == "ZERO_TAP" and button.get("zero_tap_terms_accepted") is not True:
        raise ValueError(f"{where}: a ZERO_TAP button needs zero_tap_terms_accepted: true")


def _check_carousel(category: str, component: Mapping[str, Any], variables: _Vars) -> None:
    if category != MARKETING:
        raise ValueError("carousel: carousel templates are MARKETING templates")
    cards = component.get("cards")
    if not isinstance(cards, list) or not cards:
        raise ValueError("carousel: 'cards' must be a non-empty list")
    if len(cards) > CAROUSEL_CARDS_MAX:
        raise ValueError(f"carousel: at most {CAROUSEL_CARDS_MAX} cards, got {len(cards)}")
    for i, card in enumerate(cards):
        where = f"carousel.cards[{i}]"
        inner = card.get("components") if isinstance(card, Mapping) else None
        if not isinstance(inner, list) or not inner:
            raise ValueError(f"{where}: 'components' must be a non-empty list")
        for j, part in enumerate(inner):
            kind = _type_of(part, f"{where}.components[{j}]")
            if kind == "HEADER":
                _check_header(category, part, variables, f"{where}.header")
            elif kind == "BODY":
                _check_body(category, part, variables, f"{where}.body")
            elif kind == "BUTTONS":
                _check_buttons(category, part, variables, f"{where}.buttons")
            else:
                raise ValueError(f"{where}: a card holds a header, a body and buttons, not {kind}")


def _check_lto(category: str, component: Mapping[str, Any]) -> None:
    if category != MARKETING:
        raise ValueError("limited_time_offer: limited-time offers are MARKETING templates")
    offer = component.get("limited_time_offer")
    if not isinstance(offer, Mapping):
        raise ValueError("limited_time_offer: the 'limited_time_offer' object is required")
    _text(offer, "text", "limited_time_offer", LTO_TEXT_MAX)
    flag = offer.get("has_expiration")
    if flag is not None and not isinstance(flag, bool):
        raise ValueError("limited_time_offer: has_expiration must be a bool")


# -- the template Meta returns ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class QualityScore:
    """A template's quality (GREEN, YELLOW, RED or UNKNOWN), when Meta last scored it, and why."""

    score: str | None = None
    date: int | None = None
    reasons: list[str] | None = None


@attrs.frozen(kw_only=True)
class TemplateCreated:
    """Meta's answer to a create: ``{"id", "status", "category"}``."""

    id: str
    status: str | None = None
    category: str | None = None


@attrs.frozen(kw_only=True)
class Template:
    """A message template as ``GET /{template_id}`` or the WABA's list returns it.

    ``components`` stay Meta's wire dicts (that is what send-time checks read).
    """

    id: str
    name: str | None = None
    language: str | None = None
    status: str | None = None
    category: str | None = None
    components: list[dict[str, Any]] = attrs.field(factory=list)
    parameter_format: str | None = None
    quality_score: QualityScore | None = None
    previous_category: str | None = None
    sub_category: str | None = None
    rejected_reason: str | None = None
    message_send_ttl_seconds: int | None = None
    cta_url_link_tracking_opted_out: bool | None = None
    library_template_name: str | None = None

    def component(self, kind: str) -> dict[str, Any] | None:
        """The first component of ``kind`` (case-insensitive), or None."""
        for c in self.components:
            if isinstance(c, dict) and str(c.get("type", "")).upper() == kind.upper():
                return c
        return None


# -- send-time parameters against a template ------------------------------------------------

_HEADER_PARAM_TYPES = {
    "IMAGE": {"image"},
    "VIDEO": {"video"},
    "GIF": {"gif", "video"},
    "DOCUMENT": {"document"},
    "LOCATION": {"location"},
    "TEXT": {"text"},
}
_BODY_PARAM_TYPES = frozenset({"text", "currency", "date_time"})
_BUTTON_SUB_TYPES = {
    "QUICK_REPLY": "quick_reply",
    "URL": "url",
    "OTP": "url",
    "COPY_CODE": "copy_code",
    "FLOW": "flow",
    "CATALOG": "catalog",
    "MPM": "mpm",
    "VOICE_CALL": "voice_call",
}


def _params(component: Mapping[str, Any], where: str) -> list[Mapping[str, Any]]:
    params = component.get("parameters", [])
    if not isinstance(params, list) or not all(isinstance(p, Mapping) for p in params):
        raise ValueError(f"{where}: 'parameters' must be a list of objects")
    return params


def _check_text_params(
    params: list[Mapping[str, Any]], names: list[str], kind: str, where: str, allowed: frozenset[str]
) -> None:
    expected = list(dict.fromkeys(names))
    if len(params) != len(expected):
        raise ValueError(f"{where}: the template expects {len(expected)} parameter(s), got {len(params)}")
    for i, p in enumerate(params):
        if p.get("type") not in allowed:
            raise ValueError(
                f"{where}: parameter {i} has type {p.get('type')!r}, expected one of {sorted(allowed)}"
            )
    if kind == "named":
        given = [p.get("parameter_name") for p in params]
        if sorted(map(str, given)) != sorted(expected) or None in given:
            raise ValueError(
                f"{where}: named parameters {sorted(map(str, given))} do not match the template's {sorted(expected)}"
            )
    elif any("parameter_name" in p for p in params):
        raise ValueError(f"{where}: the template uses positional variables; drop parameter_name")


def check_send_parameters(template: Template, components: Sequence[Mapping[str, Any]]) -> None:
    """Check send-time components (Meta's wire dicts) against ``template`` before sending.

    Catches what Meta answers with 132000 / 132012 / ``(#100)``: the number and
    names of parameters, their types, the header kind and button indexes.
    """
    header = template.component("HEADER")
    body = template.component("BODY")
    buttons_component = template.component("BUTTONS")
    buttons = list(buttons_component.get("buttons", [])) if buttons_component else []
    given: dict[str, Mapping[str, Any]] = {}
    button_params: dict[int, Mapping[str, Any]] = {}
    authentication = str(template.category or "").upper() == AUTHENTICATION
    for i, component in enumerate(components):
        where = f"components[{i}]"
        kind = _type_of(component, where)
        if kind == "BUTTON":
            raw_index = component.get("index")
            try:
                index = int(raw_index)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ValueError(f"button: 'index' must be a number, got {raw_index!r}") from None
            if not 0 <= index < len(buttons):
                raise ValueError(f"button: index {index} but the template has {len(buttons)} button(s)")
            if index in button_params:
                raise ValueError(f"button: index {index} given twice")
            button_params[index] = component
            continue
        if kind in given:
            raise ValueError(f"{kind.lower()}: given twice")
        given[kind] = component
    # header
    sent_header = given.pop("HEADER", None)
    if header is None:
        if sent_header is not None:
            raise ValueError("header: the template has no header")
    else:
        fmt = str(header.get("format", "")).upper()
        if fmt == "TEXT":
            kind, names = template_variables(str(header.get("text", "")), "header")
            params = _params(sent_header, "header") if sent_header else []
            _check_text_params(params, names, kind, "header", frozenset({"text"}))
        else:
            if sent_header is None:
                raise ValueError(f"header: the template has a {fmt} header; its parameter is required")
            params = _params(sent_header, "header")
            allowed = _HEADER_PARAM_TYPES.get(fmt, set())
            if len(params) != 1 or params[0].get("type") not in allowed:
                raise ValueError(
                    f"header: the template's header is {fmt}; send one {'/'.join(sorted(allowed))} parameter"
                )
    # body
    sent_body = given.pop("BODY", None)
    params = _params(sent_body, "body") if sent_body else []
    if authentication:
        if len(params) != 1 or params[0].get("type") != "text":
            raise ValueError("body: an authentication template takes one text parameter, the code")
    elif body is not None:
        kind, names = template_variables(str(body.get("text", "")), "body")
        _check_text_params(params, names, kind, "body", _BODY_PARAM_TYPES)
    # buttons
    for index, button in enumerate(buttons):
        kind = str(button.get("type", "")).upper()
        sent = button_params.get(index)
        needs = kind == "OTP" or kind == "COPY_CODE" or (kind == "URL" and "{{" in str(button.get("url", "")))
        if sent is None:
            if needs:
                raise ValueError(f"button: index {index} ({kind}) needs a parameter")
            continue
        sub_type = str(sent.get("sub_type", "")).lower()
        expected = _BUTTON_SUB_TYPES.get(kind)
        if expected is not None and sub_type != expected:
            raise ValueError(
                f"button: index {index} is a {kind} button; sub_type must be {expected!r}, got {sub_type!r}"
            )
        if kind == "URL" and not needs:
            raise ValueError(
                f"button: index {index} is a URL button without a variable; send no parameter for it"
            )
    for kind, component in given.items():
        if kind == "CAROUSEL":
            _check_carousel_params(template, component)
        elif kind == "LIMITED_TIME_OFFER":
            if template.component("LIMITED_TIME_OFFER") is None:
                raise ValueError("limited_time_offer: the template has no limited-time offer")
        else:
            raise ValueError(f"{kind.lower()}: not a component of this template")


def _check_carousel_params(template: Template, component: Mapping[str, Any]) -> None:
    carousel = template.component("CAROUSEL")
    if carousel is None:
        raise ValueError("carousel: the template has no carousel")
    cards = carousel.get("cards", [])
    sent = component.get("cards")
    if not isinstance(sent, list):
        raise ValueError("carousel: 'cards' must be a list")
    if len(sent) != len(cards):
        raise ValueError(f"carousel: the template has {len(cards)} card(s), got {len(sent)}")
    for position, card in enumerate(sent):
        index = card.get("card_index", position) if isinstance(card, Mapping) else None
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(cards):
            raise ValueError(f"carousel: card_index {index!r} out of range")
        card_template = Template(
            id=template.id, category=MARKETING, components=list(cards[index].get("components", []))
        )
        try:
            check_send_parameters(card_template, list(card.get("components", [])))
        except ValueError as exc:
            raise ValueError(f"carousel.cards[{index}]: {exc}") from None


# -- the operations (one declaration each; wa.templates builds them) --------------------------

_TEMPLATE_STATUSES = frozenset(
    {
        "APPROVED",
        "IN_APPEAL",
        "PENDING",
        "REJECTED",
        "PENDING_DELETION",
        "DELETED",
        "DISABLED",
        "PAUSED",
        "LIMIT_EXCEEDED",
        "ARCHIVED",
    }
)
_QUALITY_SCORES = frozenset({"GREEN", "YELLOW", "RED", "UNKNOWN"})


def _one_or_many(name: str, value: Any, allowed: frozenset[str] | None = None) -> str | None:
    """A filter taking one value or several (sent comma-separated), checked when the values are known."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise ValueError(f"{name}: a non-empty string or a list of non-empty strings")
    if allowed is not None:
        unknown = sorted({v.upper() for v in items} - allowed)
        if unknown:
            raise ValueError(f"{name}: unknown value(s) {unknown}; one of {sorted(allowed)}")
        items = [v.upper() for v in items]
    return ",".join(items)


def _status_filter(value: Any) -> str | None:
    return _one_or_many("status", value, _TEMPLATE_STATUSES)


def _category_filter(value: Any) -> str | None:
    return _one_or_many("category", value, _CATEGORIES)


def _language_filter(value: Any) -> str | None:
    return _one_or_many("language", value)


def _quality_filter(value: Any) -> str | None:
    return _one_or_many("quality_score", value, _QUALITY_SCORES)


def _check_page_limit(_: Any, __: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"limit must be a positive int, got {value!r}")


def _check_template_name(_: Any, __: Any, value: Any) -> None:
    if value is not None and (
        not isinstance(value, str) or not _NAME.fullmatch(value) or len(value) > NAME_MAX
    ):
        raise ValueError("name: a template name (lower-case letters, digits and underscores, at most 512)")


def _check_id(name: str) -> Any:
    def check(_: Any, __: Any, value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not value.isascii() or not value.isdigit()):
            raise ValueError(f"{name} must be a numeric id string, got {value!r}")

    return check


@attrs.frozen(kw_only=True)
class ListTemplatesRequest(ApiRequest[Page[Template]]):
    """``GET /{business_account_id}/message_templates``: the WABA's templates, filtered, cursor-paged.

    The spec declares only ``name``; Meta's docs add ``status``, ``category``,
    ``language``, ``quality_score`` (one value or several, comma-separated) and paging.
    """

    operation_id: ClassVar[str | None] = "getTemplateByNameDefaultFields"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/message_templates"
    idempotent: ClassVar[bool] = True

    name: str | None = None
    status: str | None = attrs.field(default=None, converter=_status_filter)
    category: str | None = attrs.field(default=None, converter=_category_filter)
    language: str | None = attrs.field(default=None, converter=_language_filter)
    quality_score: str | None = attrs.field(default=None, converter=_quality_filter)
    fields: str | None = attrs.field(default=None, converter=fields_param)
    limit: int | None = attrs.field(default=None, validator=_check_page_limit)
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class GetTemplateRequest(ApiRequest[Template]):
    """``GET /{template_id}``: one template with its components, status and quality."""

    operation_id: ClassVar[str | None] = "getTemplateByIdDefaultFields"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{template_id}"
    idempotent: ClassVar[bool] = True

    template_id: str = attrs.field(validator=_check_id("template_id"))
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class CreateTemplateRequest(ApiRequest[TemplateCreated]):
    """``POST /{business_account_id}/message_templates``: submit a template for review.

    ``body`` is what :func:`build_template_body` made (checked there). Not retried once it
    may have arrived: a repeat of a create that did apply is refused (2388024), which
    would hide the success. The spec names this operation after one of its examples.
    """

    operation_id: ClassVar[str | None] = "createAuthenticationTemplateWOtpCopyCodeButton"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/message_templates"

    body: dict[str, Any] = attrs.field(metadata=BODY)


@attrs.frozen(kw_only=True)
class EditTemplateRequest(ApiRequest[SuccessResponse]):
    """``POST /{template_id}``: new components (and category, TTL) for an existing template.

    An edit sends the template back to review; retrying one that applied is harmless
    (the same content again), so it is idempotent.
    """

    operation_id: ClassVar[str | None] = "editTemplate"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{template_id}"
    idempotent: ClassVar[bool] = True

    template_id: str = attrs.field(validator=_check_id("template_id"))
    body: dict[str, Any] = attrs.field(metadata=BODY)


@attrs.frozen(kw_only=True)
class DeleteTemplateRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{business_account_id}/message_templates?name=...[&hsm_id=...]``.

    ``name`` alone deletes every language of the template; with ``hsm_id`` only that one.
    """

    operation_id: ClassVar[str | None] = "deleteTemplateByName"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{business_account_id}/message_templates"
    idempotent: ClassVar[bool] = True

    name: str = attrs.field(validator=_check_template_name)
    hsm_id: str | None = attrs.field(default=None, validator=_check_id("hsm_id"))
