"""The sandbox's messaging brain: sends, Meta's delivery rules, statuses, inbound messages.

Plain Python, no I/O, time passed in as ``now`` (seconds on the sandbox
clock), in the style of :mod:`.state`. It validates send bodies with its own
rules, deliberately independent of the client's models in
``meta_cloud_async.types.messages``: a fake that reused the client's checks
could never catch the client's bugs.

Rules, checked in this order (the first that applies wins):

1. shape: ``messaging_product``, ``recipient_type``, ``to``, ``type`` and its
   object, the few fields every type needs -> 100;
2. throughput of the sending number (80 messages/s by default, a token
   bucket of one second's worth) -> 130429;
3. the pair limit, same sender to the same recipient (one per 6 s with a
   small burst) -> 131056;
4. a recipient marked as not on WhatsApp -> 131026 (Meta reports most of
   these later as a failed status; the sandbox refuses at once, which is
   the stricter test of a client);
5. templates: unknown name, language not translated or not APPROVED -> 132001;
   parameter count differing from the template's placeholders -> 132000;
6. free-form (non-template) messages to a user whose last message to this
   number is more than 24 hours old, or who never wrote -> 131047.

Accepted messages move sent -> delivered -> read on the clock
(``delivered_after`` / ``read_after`` seconds after the send; on a
``VirtualClock`` a test advances time instead of waiting). A message to a
number marked undeliverable (or picked by the ``fail`` rate) is accepted and
then moves sent -> failed (131026), as Meta reports most undeliverable sends.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from .envelope import GraphError

__all__ = [
    "DEFAULT_TEMPLATES",
    "InboundRecord",
    "Messaging",
    "MessagingLimits",
    "SandboxTemplate",
    "SentRecord",
    "StatusEvent",
]

#: Message types a send may carry, and the inbound types a user may send.
OUTBOUND_TYPES = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "interactive",
        "template",
    }
)
INBOUND_TYPES = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "interactive",
        "button",
        "order",
    }
)
_MEDIA = frozenset({"image", "video", "audio", "document", "sticker"})
_INTERACTIVE = frozenset(
    {
        "button",
        "list",
        "cta_url",
        "flow",
        "location_request_message",
        "address_message",
        "carousel",
        "product",
        "product_list",
        "catalog_message",
        "call_permission_request",
    }
)


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _not_negative(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value >= 0:
        raise ValueError(f"{attribute.name} must be >= 0 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class MessagingLimits:
    """Meta's messaging limits as the sandbox applies them; every figure can be changed for a test."""

    throughput: float = attrs.field(default=80.0, validator=_positive)  # messages/s per sending number
    pair_interval: float = attrs.field(default=6.0, validator=_positive)  # seconds per message, same pair
    pair_burst: int = attrs.field(default=3, validator=_positive)  # sends allowed back to back
    service_window: float = attrs.field(default=24 * 3600.0, validator=_positive)
    delivered_after: float = attrs.field(default=1.0, validator=_not_negative)
    read_after: float | None = attrs.field(default=3.0, validator=_not_negative)  # None: never read


@attrs.frozen(kw_only=True)
class SandboxTemplate:
    """A template the sandbox knows: how many parameters each component takes, and its status."""

    name: str
    language: str
    category: str = "UTILITY"
    status: str = "APPROVED"
    header_params: int = 0
    body_params: int = 0
    #: button index -> parameters it takes (authentication templates: {0: 1}, the code).
    button_params: Mapping[int, int] = attrs.field(factory=dict)


#: Seeded until the templates issue gives the sandbox real ones.
DEFAULT_TEMPLATES = (
    SandboxTemplate(name="hello_world", language="en_US", category="UTILITY"),
    SandboxTemplate(
        name="verification_code",
        language="en_US",
        category="AUTHENTICATION",
        body_params=1,
        button_params={0: 1},
    ),
    SandboxTemplate(name="order_update", language="en_US", category="UTILITY", body_params=1),
    SandboxTemplate(
        name="spring_sale", language="en_US", category="MARKETING", status="PENDING", body_params=1
    ),
)


#: The error a failed status carries (Meta's 131026 as its webhooks report it).
UNDELIVERABLE = (131026, "Message undeliverable")


@attrs.frozen(kw_only=True)
class StatusEvent:
    """One status transition of an outbound message, for the webhook deliverer."""

    message_id: str
    phone_number_id: str
    recipient_id: str
    status: str  # sent | delivered | read | failed
    timestamp: float
    # What the webhook shows besides the transition; not part of a transition's identity (eq=False).
    #: Pricing category: ``service`` for free-form messages, the template's category (lower case) otherwise.
    category: str = attrs.field(default="service", eq=False)
    #: Whether the message was sent inside the customer's 24-hour window (free of charge then).
    in_window: bool = attrs.field(default=True, eq=False)
    callback_data: str | None = attrs.field(default=None, eq=False)
    #: ``(code, title)`` for a failed status.
    error: tuple[int, str] | None = attrs.field(default=None, eq=False)


@attrs.frozen(kw_only=True)
class InboundRecord:
    """One message a user sent to a number, as its webhook reports it."""

    id: str
    phone_number_id: str
    from_: str
    name: str
    type: str
    payload: Mapping[str, Any]
    timestamp: float
    #: The wamid of the business message this one answers (a tapped button, a quoted reply).
    reply_to: str | None = None


@attrs.frozen(kw_only=True)
class SentRecord:
    """One accepted outbound message as the admin log shows it."""

    id: str
    from_: str
    to: str
    type: str
    status: str
    body: Mapping[str, Any]
    timestamp: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.from_,
            "to": self.to,
            "type": self.type,
            "status": self.status,
            "body": dict(self.body),
            "timestamp": self.timestamp,
        }


class _Bucket:
    """A token bucket: ``capacity`` sends back to back, refilled at ``rate`` per second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def ready(self, now: float) -> bool:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        return self.tokens >= 1.0

    def wait(self) -> float:
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1.0


class _Outbound:
    __slots__ = ("body", "category", "emitted", "failed", "from_", "id", "in_window", "sent_at", "to", "type")

    def __init__(self, id: str, from_: str, to: str, type: str, body: Mapping[str, Any], now: float) -> None:
        self.id = id
        self.from_ = from_
        self.to = to
        self.type = type
        self.body = body
        self.sent_at = now
        self.emitted = 0  # how many status events drain_status_events has handed out
        self.failed = False
        self.category = "service"
        self.in_window = True


class _Inbound:
    __slots__ = (
        "from_",
        "id",
        "name",
        "payload",
        "phone_number_id",
        "read",
        "received_at",
        "reply_to",
        "type",
        "typing",
    )

    def __init__(
        self,
        id: str,
        phone: str,
        from_: str,
        type: str,
        payload: Mapping[str, Any],
        now: float,
        name: str,
        reply_to: str | None = None,
    ) -> None:
        self.id = id
        self.phone_number_id = phone
        self.from_ = from_
        self.type = type
        self.payload = payload
        self.received_at = now
        self.read = False
        self.typing = False
        self.name = name
        self.reply_to = reply_to


_FORMATTING = str.maketrans("", "", " -().")


def _wa_id(value: Any, field: str) -> str:
    """A phone number as Meta's wa_id: digits only. Like Meta, a leading ``+`` and formatting
    (``+1 (650) 555-1234``) are accepted and dropped; the client is stricter on purpose."""
    if not isinstance(value, str):
        raise GraphError.invalid_parameter(f"{field} must be a phone number string")
    digits = value.translate(_FORMATTING)
    digits = digits[1:] if digits.startswith("+") else digits
    if not (digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 15):
        raise GraphError.invalid_parameter(f"{field} must be a phone number of 1-15 digits, got {value!r}")
    return digits


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if obj.get(key) is None:
        raise GraphError.missing_parameter(f"{where}.{key}")
    return obj[key]


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise GraphError.invalid_parameter(f"{where} must be a JSON object")
    return value


class Messaging:
    """Messaging state for every number of one sandbox. Ids come from ``random.Random(seed)``."""

    def __init__(
        self,
        *,
        seed: int = 0,
        limits: MessagingLimits | None = None,
        templates: Iterable[SandboxTemplate] = DEFAULT_TEMPLATES,
        not_on_whatsapp: Iterable[str] = (),
    ) -> None:
        self.limits = limits or MessagingLimits()
        self._rng = random.Random(seed)
        self._templates: dict[tuple[str, str], SandboxTemplate] = {}
        for template in templates:
            self.add_template(template)
        self._not_on_whatsapp = {_wa_id(n, "not_on_whatsapp") for n in not_on_whatsapp}
        self._throughput: dict[str, float] = {}
        self._number_buckets: dict[str, _Bucket] = {}
        self._pair_buckets: dict[tuple[str, str], _Bucket] = {}
        self._last_inbound: dict[tuple[str, str], float] = {}
        self._outbound: list[_Outbound] = []
        self._sent_to: dict[str, tuple[str, str]] = {}  # wamid -> (from number id, recipient)
        self._inbound: dict[str, _Inbound] = {}
        #: ``(phone_number_id, template, now) -> handled``: the business's stored templates
        #: (templates_state) check a send first; False falls back to the seeded table above.
        self.template_check: Callable[[str, Mapping[str, Any], float], bool] | None = None
        self._new_inbound: list[_Inbound] = []
        self._open: list[_Outbound] = []  # messages with status transitions not yet handed out
        self._undeliverable: set[str] = set()
        self._fail_rate = 0.0
        self._fail_rng = random.Random(seed)
        #: Called (no arguments) after every accepted send and every inbound message: the
        #: webhook deliverer wakes on it instead of polling.
        self.listeners: list[Callable[[], None]] = []

    # -- configuration -----------------------------------------------------------

    def add_template(self, template: SandboxTemplate) -> None:
        self._templates[(template.name, template.language)] = template

    def mark_not_on_whatsapp(self, wa_id: str, value: bool = True) -> None:
        (self._not_on_whatsapp.add if value else self._not_on_whatsapp.discard)(_wa_id(wa_id, "wa_id"))

    def mark_undeliverable(self, wa_id: str, value: bool = True) -> None:
        """Sends to ``wa_id`` are accepted, then fail (status ``failed``, 131026), as Meta reports them."""
        (self._undeliverable.add if value else self._undeliverable.discard)(_wa_id(wa_id, "wa_id"))

    def set_failure_rate(self, rate: float, seed: int) -> None:
        """A seeded share of accepted messages end ``failed`` (131026) instead of delivered."""
        if isinstance(rate, bool) or not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be within 0..1, got {rate!r}")
        self._fail_rate = float(rate)
        self._fail_rng = random.Random(seed)

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()

    def set_throughput(self, phone_number_id: str, messages_per_second: float) -> None:
        """Give one number its own throughput (Meta raises numbers to 1,000 mps on request)."""
        if isinstance(messages_per_second, bool) or not messages_per_second > 0:
            raise ValueError(f"messages_per_second must be > 0, got {messages_per_second!r}")
        self._throughput[phone_number_id] = float(messages_per_second)
        self._number_buckets.pop(phone_number_id, None)

    # -- ids -----------------------------------------------------------------------

    def _wamid(self, wa_id: str) -> str:
        raw = b"HBgL" + wa_id.encode() + b"\x15\x02\x00\x11\x18\x12" + self._rng.randbytes(18)
        return "wamid." + base64.b64encode(raw).decode()

    # -- the one entry point for POST /{phone_number_id}/messages --------------------

    def handle(self, phone_number_id: str, body: Any, now: float) -> dict[str, Any]:
        """A decoded send body (or a mark-as-read body) for ``phone_number_id``: Meta's answer or GraphError."""
        body = _obj(body, "The request body")
        if body.get("messaging_product") != "whatsapp":
            if "messaging_product" not in body:
                raise GraphError.missing_parameter("messaging_product")
            raise GraphError.invalid_parameter("messaging_product must be 'whatsapp'")
        if "status" in body:
            return self.mark_read(phone_number_id, body)
        return self.send(phone_number_id, body, now)

    def send(self, phone_number_id: str, body: Mapping[str, Any], now: float) -> dict[str, Any]:
        recipient_type = body.get("recipient_type", "individual")
        if recipient_type not in ("individual", "group"):
            raise GraphError.invalid_parameter("recipient_type must be 'individual' or 'group'")
        raw_to = _require(body, "to", "message")
        if recipient_type == "group":
            if not isinstance(raw_to, str) or not raw_to.strip():
                raise GraphError.invalid_parameter("to must be a group id for recipient_type 'group'")
            to = raw_to
        else:
            to = _wa_id(raw_to, "to")
        kind = body.get("type", "text")  # Meta defaults a missing type to text
        if kind not in OUTBOUND_TYPES:
            raise GraphError.invalid_parameter(f"type must be one of {', '.join(sorted(OUTBOUND_TYPES))}")
        obj = body.get(kind)
        if obj is None:
            raise GraphError.missing_parameter(kind)
        self._check_shape(kind, obj)
        context = body.get("context")
        if context is not None:
            _require(_obj(context, "context"), "message_id", "context")
        callback = body.get("biz_opaque_callback_data")
        if callback is not None and (not isinstance(callback, str) or len(callback) > 512):
            raise GraphError.invalid_parameter(
                "biz_opaque_callback_data must be a string of at most 512 characters"
            )

        number = self._number_bucket(phone_number_id, now)
        if not number.ready(now):
            raise GraphError.whatsapp(
                130429,
                "Rate limit hit",
                f"Cloud API message throughput has been reached for this number; retry in {number.wait():.3f} s.",
            )
        pair = self._pair_bucket(phone_number_id, to, now)
        if not pair.ready(now):
            raise GraphError.whatsapp(
                131056,
                "(Business Account, Consumer Account) pair rate limit hit",
                "Too many messages sent from the sender phone number to the same recipient phone number in a "
                f"short period of time; retry to this recipient in {pair.wait():.1f} s.",
            )
        if recipient_type == "individual" and to in self._not_on_whatsapp:
            raise GraphError.whatsapp(
                131026,
                "Message Undeliverable",
                "The recipient phone number is not a WhatsApp phone number.",
            )
        if kind == "template":
            template = _obj(obj, "template")
            if self.template_check is None or not self.template_check(phone_number_id, template, now):
                self._check_template(template)
        elif recipient_type == "individual":
            last = self._last_inbound.get((phone_number_id, to))
            if last is None or now - last > self.limits.service_window:
                raise GraphError.whatsapp(
                    131047,
                    "Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the customer last "
                    "replied to this number. Send a template message instead.",
                )

        number.take()
        pair.take()
        wamid = self._wamid(to)
        record = _Outbound(wamid, phone_number_id, to, kind, dict(body), now)
        record.failed = to in self._undeliverable or (
            self._fail_rate > 0.0 and self._fail_rng.random() < self._fail_rate
        )
        if kind == "template":
            seeded = self._templates.get((obj["name"], obj["language"]["code"]))
            record.category = seeded.category.lower() if seeded is not None else "utility"
        if recipient_type == "individual":
            last = self._last_inbound.get((phone_number_id, to))
            record.in_window = last is not None and now - last <= self.limits.service_window
        self._outbound.append(record)
        self._sent_to[wamid] = (phone_number_id, to)
        self._open.append(record)
        self._notify()
        answer: dict[str, Any] = {"messaging_product": "whatsapp"}
        if recipient_type == "individual":
            answer["contacts"] = [{"input": raw_to, "wa_id": to}]
        message: dict[str, Any] = {"id": wamid}
        if kind == "template":
            message["message_status"] = "accepted"
        answer["messages"] = [message]
        return answer

    def _number_bucket(self, phone: str, now: float) -> _Bucket:
        bucket = self._number_buckets.get(phone)
        if bucket is None:
            rate = self._throughput.get(phone, self.limits.throughput)
            bucket = self._number_buckets[phone] = _Bucket(max(rate, 1.0), rate, now)
        return bucket

    def _pair_bucket(self, phone: str, to: str, now: float) -> _Bucket:
        bucket = self._pair_buckets.get((phone, to))
        if bucket is None:
            limits = self.limits
            bucket = self._pair_buckets[(phone, to)] = _Bucket(
                limits.pair_burst, 1.0 / limits.pair_interval, now
            )
        return bucket

    # -- shape checks (the sandbox's own, on purpose) ------------------------------------

    @staticmethod
    def _check_shape(kind: str, obj: Any) -> None:
        if kind == "contacts":
            if not isinstance(obj, list) or not obj:
                raise GraphError.invalid_parameter("contacts must be a non-empty array")
            for i, contact in enumerate(obj):
                name = _obj(_require(_obj(contact, f"contacts[{i}]"), "name", f"contacts[{i}]"), "name")
                _require(name, "formatted_name", f"contacts[{i}].name")
            return
        obj = _obj(obj, kind)
        if kind == "text":
            text = obj.get("body")
            if not isinstance(text, str) or not text:
                raise GraphError.missing_parameter("text.body")
            if len(text) > 4096:
                raise GraphError.invalid_parameter("text.body must be at most 4096 characters")
        elif kind in _MEDIA:
            if ("id" in obj) == ("link" in obj):
                raise GraphError.invalid_parameter(f"{kind} needs exactly one of id and link")
            link = obj.get("link")
            if link is not None and not (
                isinstance(link, str) and link.lower().startswith(("http://", "https://"))
            ):
                raise GraphError.invalid_parameter(f"{kind}.link must be an http(s) URL")
            if "caption" in obj and kind in ("audio", "sticker"):
                raise GraphError.invalid_parameter(f"{kind} messages do not take a caption")
        elif kind == "location":
            lat, lon = obj.get("latitude"), obj.get("longitude")
            for axis, value, bound in (("latitude", lat, 90), ("longitude", lon, 180)):
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not -bound <= value <= bound
                ):
                    raise GraphError.invalid_parameter(
                        f"location.{axis} must be a number in [-{bound}, {bound}]"
                    )
        elif kind == "reaction":
            _require(obj, "message_id", "reaction")
            if not isinstance(obj.get("emoji"), str):
                raise GraphError.missing_parameter("reaction.emoji")
        elif kind == "interactive":
            itype = obj.get("type")
            if itype not in _INTERACTIVE:
                raise GraphError.invalid_parameter(
                    f"interactive.type must be one of {', '.join(sorted(_INTERACTIVE))}"
                )
            _obj(_require(obj, "action", "interactive"), "interactive.action")
            if itype != "product":
                _obj(_require(obj, "body", "interactive"), "interactive.body")
        elif kind == "template":
            _require(obj, "name", "template")
            language = _obj(_require(obj, "language", "template"), "template.language")
            _require(language, "code", "template.language")

    def _check_template(self, obj: Mapping[str, Any]) -> None:
        name, code = obj["name"], obj["language"]["code"]
        template = self._templates.get((name, code))
        if template is None or template.status != "APPROVED":
            raise GraphError.whatsapp(
                132001,
                "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {code}, or it is not approved.",
            )
        header = body = 0
        buttons: dict[int, int] = {}
        components = obj.get("components") or []
        if not isinstance(components, list):
            raise GraphError.invalid_parameter("template.components must be an array")
        for component in components:
            component = _obj(component, "template.components[]")
            params = component.get("parameters") or []
            if not isinstance(params, list):
                raise GraphError.invalid_parameter("template.components[].parameters must be an array")
            kind = str(component.get("type", "")).lower()
            if kind == "header":
                header += len(params)
            elif kind == "body":
                body += len(params)
            elif kind == "button":
                try:
                    index = int(component.get("index", -1))
                except (TypeError, ValueError):
                    raise GraphError.invalid_parameter("template button index must be 0-9") from None
                buttons[index] = buttons.get(index, 0) + len(params)
        expected = {k: v for k, v in template.button_params.items() if v}
        if (header, body, buttons) != (template.header_params, template.body_params, expected):
            raise GraphError.whatsapp(
                132000,
                "Number of parameters does not match the expected number of params",
                f"{name} ({code}) takes {template.header_params} header, {template.body_params} body and "
                f"{sum(expected.values())} button parameters; got {header}, {body} and {sum(buttons.values())}.",
            )

    # -- mark as read ------------------------------------------------------------------

    def mark_read(self, phone_number_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        if body.get("status") != "read":
            raise GraphError.invalid_parameter(
                'status must be \'read\' (a typing indicator is typing_indicator: {"type": "text"} '
                "next to status 'read')"
            )
        message_id = _require(body, "message_id", "message")
        indicator = body.get("typing_indicator")
        if indicator is not None and _obj(indicator, "typing_indicator").get("type") != "text":
            raise GraphError.invalid_parameter("typing_indicator.type must be 'text'")
        inbound = self._inbound.get(message_id) if isinstance(message_id, str) else None
        if inbound is None or inbound.phone_number_id != phone_number_id:
            raise GraphError.invalid_parameter(
                f"message_id {message_id!r} is not a message this number received"
            )
        inbound.read = True
        inbound.typing = inbound.typing or indicator is not None
        return {"success": True}

    # -- inbound -----------------------------------------------------------------------

    def inbound(
        self,
        phone_number_id: str,
        from_: str,
        type: str,
        payload: Mapping[str, Any] | None,
        now: float,
        name: str | None = None,
        reply_to: str | None = None,
    ) -> str:
        """A user's message arrives: it opens (or renews) the 24-hour window. Returns its wamid.

        ``name`` is the sender's WhatsApp profile name its webhook shows (default ``User <last 4 digits>``).
        ``reply_to``: the wamid of a message this number sent the user, which this one answers
        (a tapped reply button or list row, a quoted reply): its webhook carries ``context``.
        It must be a message this number sent to this user, as only those can be answered.
        """
        if not isinstance(phone_number_id, str) or not phone_number_id:
            raise GraphError.missing_parameter("phone_number_id")
        wa_id = _wa_id(from_, "from")
        if type not in INBOUND_TYPES:
            raise GraphError.invalid_parameter(f"type must be one of {', '.join(sorted(INBOUND_TYPES))}")
        if payload is not None and not isinstance(payload, Mapping):
            raise GraphError.invalid_parameter(f"{type} must be a JSON object")
        if name is not None and (not isinstance(name, str) or not name or len(name) > 256):
            raise GraphError.invalid_parameter("name must be a profile name of 1-256 characters")
        if reply_to is not None:
            if not isinstance(reply_to, str) or reply_to not in self._sent_to:
                raise GraphError.invalid_parameter(
                    f"reply_to {reply_to!r} is not a message this sandbox sent"
                )
            if self._sent_to[reply_to] != (phone_number_id, wa_id):
                raise GraphError.invalid_parameter(
                    f"reply_to {reply_to!r} was not sent by {phone_number_id} to {wa_id}"
                )
        wamid = self._wamid(wa_id)
        record = _Inbound(
            wamid,
            phone_number_id,
            wa_id,
            type,
            dict(payload or {}),
            now,
            name or f"User {wa_id[-4:]}",
            reply_to,
        )
        self._inbound[wamid] = record
        self._new_inbound.append(record)
        self._last_inbound[(phone_number_id, wa_id)] = now
        self._notify()
        return wamid

    def drain_inbound(self) -> list[InboundRecord]:
        """Inbound messages not handed out before, oldest first (for webhook delivery)."""
        new, self._new_inbound = self._new_inbound, []
        return [
            InboundRecord(
                id=r.id,
                phone_number_id=r.phone_number_id,
                from_=r.from_,
                name=r.name,
                type=r.type,
                payload=r.payload,
                timestamp=r.received_at,
                reply_to=r.reply_to,
            )
            for r in new
        ]

    def window_open(self, phone_number_id: str, wa_id: str, now: float) -> bool:
        last = self._last_inbound.get((phone_number_id, _wa_id(wa_id, "wa_id")))
        return last is not None and now - last <= self.limits.service_window

    def is_read(self, message_id: str) -> bool:
        """Whether an inbound message was marked as read."""
        return self._inbound[message_id].read

    def showed_typing(self, message_id: str) -> bool:
        """Whether the business showed a typing indicator when it marked this inbound message read."""
        return self._inbound[message_id].typing

    # -- statuses and the log -------------------------------------------------------------

    def _transitions(self, record: _Outbound) -> list[tuple[str, float]]:
        limits = self.limits
        if record.failed:
            return [("sent", record.sent_at), ("failed", record.sent_at + limits.delivered_after)]
        steps = [("sent", record.sent_at), ("delivered", record.sent_at + limits.delivered_after)]
        if limits.read_after is not None:
            steps.append(("read", record.sent_at + max(limits.read_after, limits.delivered_after)))
        return steps

    def _status_at(self, record: _Outbound, now: float) -> str:
        status = "sent"
        for name, at in self._transitions(record):
            if at <= now:
                status = name
        return status

    @staticmethod
    def _event(r: _Outbound, name: str, at: float) -> StatusEvent:
        callback = r.body.get("biz_opaque_callback_data")
        return StatusEvent(
            message_id=r.id,
            phone_number_id=r.from_,
            recipient_id=r.to,
            status=name,
            timestamp=at,
            category=r.category,
            in_window=r.in_window,
            callback_data=callback if isinstance(callback, str) else None,
            error=UNDELIVERABLE if name == "failed" else None,
        )

    def status_events(self, now: float) -> list[StatusEvent]:
        """Every status transition that has happened by ``now``, in time order."""
        events = [
            self._event(r, name, at) for r in self._outbound for name, at in self._transitions(r) if at <= now
        ]
        events.sort(key=lambda e: e.timestamp)
        return events

    def drain_status_events(self, now: float) -> list[StatusEvent]:
        """The transitions that happened by ``now`` and were not handed out before (for webhook delivery).

        Only messages with transitions still to come are looked at, so a long-running sandbox
        does not rescan every message it ever sent.
        """
        events = []
        still_open = []
        for r in self._open:
            steps = self._transitions(r)
            due = [(n, at) for n, at in steps if at <= now]
            for name, at in due[r.emitted :]:
                events.append(self._event(r, name, at))
            r.emitted = max(r.emitted, len(due))
            if r.emitted < len(steps):
                still_open.append(r)
        self._open = still_open
        events.sort(key=lambda e: e.timestamp)
        return events

    def next_status_at(self) -> float | None:
        """When the next status transition not yet handed out is due (None: none is)."""
        times = [
            self._transitions(r)[r.emitted][1] for r in self._open if r.emitted < len(self._transitions(r))
        ]
        return min(times) if times else None

    def messages(self, now: float, phone_number_id: str | None = None, *, start: int = 0) -> list[SentRecord]:
        """What was sent (oldest first), with each message's status at ``now``.

        ``start``: skip the first ``start`` messages of the whole log (before filtering by
        number), so a watcher can read only what is new since its last look.
        """
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(f"start must be an int >= 0, got {start!r}")
        return [
            SentRecord(
                id=r.id,
                from_=r.from_,
                to=r.to,
                type=r.type,
                status=self._status_at(r, now),
                body=r.body,
                timestamp=r.sent_at,
            )
            for r in self._outbound[start:]
            if phone_number_id is None or r.from_ == phone_number_id
        ]

    @property
    def sent_count(self) -> int:
        """How many messages were accepted so far (the length of the log ``messages`` reads)."""
        return len(self._outbound)
