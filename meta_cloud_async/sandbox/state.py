"""The business the sandbox pretends to be: WABAs, phone numbers and their state machine.

Plain Python, no I/O: every method takes the time (seconds on the sandbox's
clock) and either returns the Graph answer as a dict or raises
:class:`~.envelope.GraphError`. The router is the only caller.

Per number it keeps: registration state, the 2SV PIN, wrong-PIN guesses and
lockouts, register/deregister attempts in the rolling window, the pending
ownership code, and the read-only profile (display number, name, quality).
"""

from __future__ import annotations

import base64
import binascii
import logging
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._facts import DATA_LOCALIZATION_REGIONS
from .envelope import GraphError
from .flows_state import FlowsState
from .messaging import Messaging
from .templates_state import Reviewer, TemplateRules, TemplatesState

__all__ = [
    "DATA_LOCALIZATION_REGIONS",
    "DEFAULT_LIST_FIELDS",
    "DEFAULT_PHONE_FIELDS",
    "PHONE_FIELDS",
    "Business",
    "Limits",
    "PhoneNumberState",
]

logger = logging.getLogger("meta_cloud_async.sandbox")

#: The regions the v23.0 spec enumerates for ``data_localization_region``.

#: Fields a phone number node answers (``fields=`` outside this set is error 100).
PHONE_FIELDS = frozenset(
    {
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "code_verification_status",
        "name_status",
        "status",
        "platform_type",
        "throughput",
        "country_code",
        "country_dial_code",
        "unified_cert_status",
        "account_mode",
        "host_platform",
        "messaging_limit_tier",
        "is_official_business_account",
        "is_pin_enabled",
        "username",
    }
)
#: Meta's default set for ``GET /{phone}`` without ``fields``.
DEFAULT_PHONE_FIELDS = (
    "id",
    "display_phone_number",
    "verified_name",
    "quality_rating",
    "code_verification_status",
    "platform_type",
    "throughput",
)
#: The default for list items adds ``status``, which the spec marks required there.
DEFAULT_LIST_FIELDS = (*DEFAULT_PHONE_FIELDS, "status")

WABA_FIELDS = frozenset({"id", "name", "timezone_id", "message_template_namespace", "currency"})
DEFAULT_WABA_FIELDS = ("id", "name")

SUCCESS: dict[str, Any] = {"success": True}

_DIGITS = frozenset("0123456789")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{attribute.name} must be a number, got {type(value).__name__}")
    if not 0 < value < math.inf:
        raise ValueError(f"{attribute.name} must be finite and > 0, got {value!r}")


@attrs.frozen(kw_only=True)
class Limits:
    """The per-number limits the sandbox enforces; Meta's where documented, our strict guesses elsewhere."""

    registration_attempts: int = attrs.field(default=10, validator=_positive)
    registration_window: float = attrs.field(default=72 * 3600.0, validator=_positive)
    wrong_pin_limit: int = attrs.field(default=5, validator=_positive)
    pin_lockout: float = attrs.field(default=12 * 3600.0, validator=_positive)
    pin_retry_interval: float = attrs.field(default=10.0, validator=_positive)
    code_ttl: float = attrs.field(default=600.0, validator=_positive)
    code_attempts: int = attrs.field(default=5, validator=_positive)
    code_block: float = attrs.field(default=3600.0, validator=_positive)


def _is_six_digits(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 6 and _DIGITS.issuperset(value)


def _is_language(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 5
        and value[2] == "_"
        and _LOWER.issuperset(value[:2])
        and _UPPER.issuperset(value[3:])
    )


@attrs.frozen(kw_only=True)
class PhoneNumberState:
    """A snapshot of one number, for tests and the admin surface. ``pin`` never shows in the repr."""

    id: str
    waba_id: str
    display_phone_number: str
    verified_name: str
    quality_rating: str
    name_status: str
    code_verification_status: str
    registered: bool
    status: str
    pin: str | None = attrs.field(repr=False)
    data_localization_region: str | None
    registration_attempts: int
    registration_blocked_until: float | None
    wrong_pin_attempts: int
    pin_locked_until: float | None
    verification_code: str | None = attrs.field(repr=False)
    verification_code_expires_at: float | None
    verification_attempts_left: int

    def to_dict(self) -> dict[str, Any]:
        """The number's state as plain values, PIN included: for the admin door, never for logs."""
        return attrs.asdict(self)


class _Phone:
    """Mutable record of one number; slots keep 100,000 of them cheap."""

    __slots__ = (
        "code",
        "code_attempts_left",
        "code_expires_at",
        "code_verification_status",
        "display_phone_number",
        "id",
        "last_wrong_pin_at",
        "name_status",
        "pin",
        "pin_locked_until",
        "pos",
        "quality_rating",
        "reg_attempts",
        "reg_blocked_until",
        "region",
        "registered",
        "verified_name",
        "verify_blocked_until",
        "waba_id",
        "wrong_pins",
    )

    def __init__(self, id: str, waba_id: str, pos: int, display: str, name: str, quality: str) -> None:
        self.id = id
        self.waba_id = waba_id
        self.pos = pos
        self.display_phone_number = display
        self.verified_name = name
        self.quality_rating = quality
        self.name_status = "APPROVED"
        self.code_verification_status = "VERIFIED"
        self.registered = False
        self.pin: str | None = None
        self.region: str | None = None
        self.reg_attempts: list[float] = []
        self.reg_blocked_until = 0.0
        self.wrong_pins = 0
        self.pin_locked_until = 0.0
        self.last_wrong_pin_at: float | None = None
        self.code: str | None = None
        self.code_expires_at = 0.0
        self.code_attempts_left = 0
        self.verify_blocked_until = 0.0

    def field(self, name: str) -> Any:
        if name in _STORED_FIELDS:
            return getattr(self, name)
        if name == "status":
            return "LINKED" if self.registered else "UNLINKED"
        if name in ("platform_type", "host_platform"):
            return "CLOUD_API" if self.registered else "NOT_APPLICABLE"
        if name == "throughput":
            return {"level": "STANDARD"}
        if name == "is_pin_enabled":
            return self.pin is not None
        return _CONSTANT_FIELDS[name]


# Graph fields answered straight from the number's own attributes of the same name.
_STORED_FIELDS = frozenset(
    {
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "code_verification_status",
        "name_status",
    }
)

_CONSTANT_FIELDS: dict[str, Any] = {
    "country_code": "US",
    "country_dial_code": "1",
    "unified_cert_status": "APPROVED",
    "account_mode": "LIVE",
    "messaging_limit_tier": "TIER_1K",
    "is_official_business_account": False,
    "username": None,
}


def _cursor(phone_id: str) -> str:
    return base64.urlsafe_b64encode(f"sbx:{phone_id}".encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return raw[4:] if raw.startswith("sbx:") else None


def _unique_id(rng: random.Random, taken: set[str], digits: int) -> str:
    while True:
        candidate = str(rng.randrange(10 ** (digits - 1), 10**digits))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


class Business:
    """The state machine. Ids and PINs come from ``random.Random(seed)``, so a seed fixes the whole world."""

    def __init__(
        self,
        *,
        phone_numbers: int,
        wabas: int,
        seed: int,
        registered: bool,
        initial_pin: str | None,
        code_verified: bool,
        limits: Limits,
        template_rules: TemplateRules | None = None,
        template_reviewer: Reviewer | None = None,
    ) -> None:
        if phone_numbers < 0 or wabas < 1:
            raise ValueError("need phone_numbers >= 0 and wabas >= 1")
        if initial_pin not in (None, "random") and not _is_six_digits(initial_pin):
            raise ValueError("initial_pin must be None, 'random' or 6 ASCII digits")
        self.limits = limits
        #: Outbound and inbound messages, windows, templates and statuses (its own rules: messaging.py).
        self.messaging = Messaging(seed=seed)
        rng = random.Random(seed)
        self._code_rng = random.Random(rng.random())
        taken: set[str] = set()
        self.waba_ids = [_unique_id(rng, taken, 15) for _ in range(wabas)]
        self.waba_names = {waba: f"Sandbox Business {i + 1}" for i, waba in enumerate(self.waba_ids)}
        self.waba_phones: dict[str, list[_Phone]] = {waba: [] for waba in self.waba_ids}
        self.phones: dict[str, _Phone] = {}
        self.phone_ids: list[str] = []
        per_waba = -(-phone_numbers // wabas) if phone_numbers else 0
        qualities = ("GREEN",) * 17 + ("YELLOW", "RED", "NA")
        for i in range(phone_numbers):
            waba = self.waba_ids[i // per_waba]
            members = self.waba_phones[waba]
            phone_id = _unique_id(rng, taken, 15)
            n = 5550000000 + i
            display = f"+1 {n // 10_000_000:03d}-{n // 10_000 % 1000:03d}-{n % 10_000:04d}"
            phone = _Phone(
                phone_id, waba, len(members), display, self.waba_names[waba], rng.choice(qualities)
            )
            phone.registered = registered
            if initial_pin == "random":
                phone.pin = f"{rng.randrange(1_000_000):06d}"
            else:
                phone.pin = initial_pin
            if not code_verified:
                phone.code_verification_status = "UNVERIFIED"
            members.append(phone)
            self.phones[phone_id] = phone
            self.phone_ids.append(phone_id)
        #: Message templates per WABA, Flows, and each number's business public key (PEM).
        # Their own id streams, offset from the seed, so no id repeats a WABA's or a number's.
        self.templates = TemplatesState(
            rules=template_rules, reviewer=template_reviewer, seed=seed + 1_000_003
        )
        self.flows = FlowsState(seed=seed + 2_000_003)
        self.encryption_keys: dict[str, str] = {}
        self.messaging.template_check = self._check_template_send

    def _check_template_send(self, phone_id: str, template: Mapping[str, Any], now: float) -> bool:
        """A template send checked against the templates the number's WABA created (False: none by that name)."""
        phone = self.phones.get(phone_id)
        name = template.get("name")
        if phone is None or not self.templates.waba(phone.waba_id).has_name(name):
            return False
        language = template.get("language")
        code = language.get("code") if isinstance(language, Mapping) else None
        components = template.get("components")
        if not isinstance(name, str) or not isinstance(code, str):
            raise GraphError.invalid_parameter("template needs name and language.code")
        if components is not None and not isinstance(components, list):
            raise GraphError.invalid_parameter("template.components must be an array")
        self.templates.waba(phone.waba_id).check_send(name, code, components, now=now)
        return True

    # -- reads -------------------------------------------------------------------

    def snapshot(self, phone_id: str, now: float) -> PhoneNumberState:
        p = self.phones[phone_id]
        window_start = now - self.limits.registration_window
        return PhoneNumberState(
            id=p.id,
            waba_id=p.waba_id,
            display_phone_number=p.display_phone_number,
            verified_name=p.verified_name,
            quality_rating=p.quality_rating,
            name_status=p.name_status,
            code_verification_status=p.code_verification_status,
            registered=p.registered,
            status=p.field("status"),
            pin=p.pin,
            data_localization_region=p.region,
            registration_attempts=sum(1 for t in p.reg_attempts if t > window_start),
            registration_blocked_until=p.reg_blocked_until if p.reg_blocked_until > now else None,
            wrong_pin_attempts=p.wrong_pins,
            pin_locked_until=p.pin_locked_until if p.pin_locked_until > now else None,
            verification_code=p.code if p.code is not None and p.code_expires_at > now else None,
            verification_code_expires_at=p.code_expires_at if p.code is not None else None,
            verification_attempts_left=p.code_attempts_left if p.code is not None else 0,
        )

    @staticmethod
    def _fields(
        requested: str | None, default: Sequence[str], allowed: frozenset[str], node: str
    ) -> list[str]:
        if not requested:
            return list(default)
        names = [f.strip() for f in requested.split(",") if f.strip()]
        for name in names:
            if name not in allowed:
                raise GraphError.whatsapp(
                    100,
                    f"Tried accessing nonexisting field ({name}) on node type ({node})",
                    f"Unknown field {name!r}; known fields: {', '.join(sorted(allowed))}",
                )
        if "id" not in names:
            names.insert(0, "id")
        return names

    def get_phone(self, phone: _Phone, fields: str | None) -> dict[str, Any]:
        names = self._fields(fields, DEFAULT_PHONE_FIELDS, PHONE_FIELDS, "WhatsAppBusinessPhoneNumber")
        return {name: phone.field(name) for name in names}

    def get_waba(self, waba_id: str, fields: str | None) -> dict[str, Any]:
        names = self._fields(fields, DEFAULT_WABA_FIELDS, WABA_FIELDS, "WhatsAppBusinessAccount")
        values = {
            "id": waba_id,
            "name": self.waba_names[waba_id],
            "timezone_id": "1",
            "message_template_namespace": f"sandbox_{waba_id}",
            "currency": "USD",
        }
        return {name: values[name] for name in names}

    def list_phones(
        self, waba_id: str, query: Mapping[str, str]
    ) -> tuple[list[dict[str, Any]], str | None, str | None, bool, bool]:
        """One page: (items, before cursor, after cursor, has previous, has next)."""
        names = self._fields(
            query.get("fields"), DEFAULT_LIST_FIELDS, PHONE_FIELDS, "WhatsAppBusinessPhoneNumber"
        )
        raw_limit = query.get("limit", "25")
        if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= 100:
            raise GraphError.invalid_parameter("limit must be an integer from 1 to 100")
        limit = int(raw_limit)
        members = self.waba_phones[waba_id]
        after, before = query.get("after"), query.get("before")
        if after is not None:
            start = self._cursor_pos(after, waba_id) + 1
            end = min(len(members), start + limit)
        elif before is not None:
            end = self._cursor_pos(before, waba_id)
            start = max(0, end - limit)
        else:
            start, end = 0, min(len(members), limit)
        page = members[start:end]
        items = [{name: phone.field(name) for name in names} for phone in page]
        if not page:
            return items, None, None, False, False
        return items, _cursor(page[0].id), _cursor(page[-1].id), start > 0, end < len(members)

    def _cursor_pos(self, cursor: str, waba_id: str) -> int:
        phone = self.phones.get(_uncursor(cursor) or "")
        if phone is None or phone.waba_id != waba_id:
            raise GraphError.invalid_parameter(
                "The cursor is not valid for this edge; start again without it"
            )
        return phone.pos

    # -- writes ------------------------------------------------------------------

    def set_pin(self, phone: _Phone, params: Mapping[str, Any]) -> dict[str, Any]:
        pin = params.get("pin")
        if pin is None:
            nested = params.get("whatsapp_business_api_data")
            pin = nested.get("pin") if isinstance(nested, dict) else None
        if pin is None:
            raise GraphError.missing_parameter("pin")
        if not _is_six_digits(pin):
            raise GraphError.invalid_parameter("pin must be a string of exactly 6 digits (0-9)")
        if not phone.registered:
            raise GraphError.whatsapp(
                133010,
                "Account not registered",
                "Two-step verification can only be set on a registered phone number; register it first.",
            )
        phone.pin = pin
        return SUCCESS

    def register(self, phone: _Phone, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        product = params.get("messaging_product")
        if product is None:
            raise GraphError.missing_parameter("messaging_product")
        if product != "whatsapp":
            raise GraphError.invalid_parameter("messaging_product must be 'whatsapp'")
        pin = params.get("pin")
        if pin is None:
            raise GraphError.missing_parameter("pin")
        if not _is_six_digits(pin):
            raise GraphError.invalid_parameter("pin must be a string of exactly 6 digits (0-9)")
        region = params.get("data_localization_region")
        if region is not None and (not isinstance(region, str) or region not in DATA_LOCALIZATION_REGIONS):
            raise GraphError.invalid_parameter(
                f"data_localization_region must be one of {', '.join(sorted(DATA_LOCALIZATION_REGIONS))}"
            )
        self._count_attempt(phone, now)
        if phone.code_verification_status != "VERIFIED":
            raise GraphError.whatsapp(
                133006,
                "Phone number re-verification needed",
                "Verify ownership of this number with request_code and verify_code before registering it.",
            )
        if phone.pin is not None:
            self._check_pin(phone, pin, now)
        else:
            phone.pin = pin
        phone.registered = True
        phone.region = region
        return SUCCESS

    def _check_pin(self, phone: _Phone, pin: str, now: float) -> None:
        limits = self.limits
        if phone.pin_locked_until > now:
            minutes = -(-(phone.pin_locked_until - now) // 60)
            raise GraphError.whatsapp(
                133008,
                "Too many two step verification PIN guesses for this phone number",
                f"Too many wrong PINs; try again in {minutes:.0f} minutes.",
            )
        last = phone.last_wrong_pin_at
        if last is not None and now - last < limits.pin_retry_interval:
            wait = limits.pin_retry_interval - (now - last)
            raise GraphError.whatsapp(
                133009,
                "Two step verification PIN guessed too fast",
                f"PIN attempts are too fast; wait {wait:.0f} seconds before trying again.",
            )
        if pin != phone.pin:
            phone.wrong_pins += 1
            phone.last_wrong_pin_at = now
            if phone.wrong_pins >= limits.wrong_pin_limit:
                phone.pin_locked_until = now + limits.pin_lockout
                phone.wrong_pins = 0
            raise GraphError.whatsapp(
                133005,
                "Two step verification PIN Mismatch",
                "The PIN sent does not match the two-step verification PIN of this phone number.",
            )
        phone.wrong_pins = 0
        phone.last_wrong_pin_at = None

    def deregister(self, phone: _Phone, now: float) -> dict[str, Any]:
        self._count_attempt(phone, now)
        if not phone.registered:
            raise GraphError(
                400,
                100,
                "(#100) Phone number not registered on the WhatsApp Business Platform.",
                subcode=2207051,
                details="This phone number is not registered, so it cannot be deregistered.",
            )
        phone.registered = False
        return SUCCESS

    def _count_attempt(self, phone: _Phone, now: float) -> None:
        limits = self.limits
        if phone.reg_blocked_until <= now:
            cutoff = now - limits.registration_window
            attempts = [t for t in phone.reg_attempts if t > cutoff]
            phone.reg_attempts = attempts
            if len(attempts) < limits.registration_attempts:
                attempts.append(now)
                return
            phone.reg_blocked_until = now + limits.registration_window
        hours = (phone.reg_blocked_until - now) / 3600
        raise GraphError.whatsapp(
            133016,
            "Account register deregister rate limit exceeded",
            f"At most {limits.registration_attempts} register/deregister attempts per number in "
            f"{limits.registration_window / 3600:g} hours; try again in {hours:.1f} hours.",
        )

    def request_code(self, phone: _Phone, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        method = params.get("code_method")
        if method is None:
            raise GraphError.missing_parameter("code_method")
        if method not in ("SMS", "VOICE"):
            raise GraphError.invalid_parameter("code_method must be SMS or VOICE")
        language = params.get("language")
        if language is None:
            raise GraphError.missing_parameter("language")
        if not _is_language(language):
            raise GraphError.invalid_parameter("language must look like en_US")
        self._check_verify_block(phone, now)
        code = f"{self._code_rng.randrange(1_000_000):06d}"
        phone.code = code
        phone.code_expires_at = now + self.limits.code_ttl
        phone.code_attempts_left = self.limits.code_attempts
        # The sandbox's own "SMS": codes are not PINs, and tests and users need to read them.
        logger.info(
            "sandbox %s to %s (phone number id %s): your verification code is %s",
            method,
            phone.display_phone_number,
            phone.id,
            code,
        )
        return SUCCESS

    def _check_verify_block(self, phone: _Phone, now: float) -> None:
        if phone.verify_blocked_until > now:
            err = GraphError(
                429,
                4,
                "(#4) Application request limit reached",
                subcode=2446079,
                details="Too many wrong verification codes for this number; wait before requesting another.",
                is_transient=True,
            )
            raise err

    def verify_code(self, phone: _Phone, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        code = params.get("code")
        if code is None:
            raise GraphError.missing_parameter("code")
        if not _is_six_digits(code):
            raise GraphError.invalid_parameter("code must be a string of exactly 6 digits (0-9)")
        self._check_verify_block(phone, now)
        if phone.code is None or phone.code_expires_at <= now:
            phone.code = None
            raise GraphError.whatsapp(
                136025,
                "Verify code error",
                "No verification code is pending for this number, or it expired; request a new one.",
            )
        if code != phone.code:
            phone.code_attempts_left -= 1
            if phone.code_attempts_left <= 0:
                phone.code = None
                phone.verify_blocked_until = now + self.limits.code_block
            raise GraphError.whatsapp(
                136025,
                "Verify code error",
                f"The code does not match the code sent; {max(phone.code_attempts_left, 0)} attempts left.",
            )
        phone.code = None
        phone.code_verification_status = "VERIFIED"
        return {"success": True, "id": phone.id}
