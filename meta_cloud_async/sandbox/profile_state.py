"""Per-number state beyond registration: business profile, QR codes, blocked users,
conversational automation and phone settings.

Plain Python, no I/O: each method takes the Graph parameters as the router parsed
them (query strings as ``str``, JSON bodies as decoded), returns the Graph answer
as a dict or raises :class:`~.envelope.GraphError`. The checks are the sandbox's
own, written from Meta's documentation (it never imports the client's validators),
so a client that lets a bad value through is caught here.

State hangs off the :class:`~.state.Business` it belongs to (:func:`profiles_of`),
so a sandbox reset, which makes a new business, starts every number afresh.
"""

from __future__ import annotations

import base64
import hashlib
import re
import weakref
from collections.abc import Mapping
from typing import Any, Final

from .envelope import GraphError
from .state import SUCCESS, Business

__all__ = ["NumberProfile", "ProfileStore", "profiles_of"]

VERTICALS: Final = frozenset(
    {
        "OTHER", "AUTO", "BEAUTY", "APPAREL", "EDU", "ENTERTAIN", "EVENT_PLAN", "FINANCE", "GROCERY",
        "GOVT", "HOTEL", "HEALTH", "NONPROFIT", "PROF_SERVICES", "RETAIL", "TRAVEL", "RESTAURANT",
        "ALCOHOL", "ONLINE_GAMBLING", "PHYSICAL_GAMBLING", "OTC_DRUGS",
    }
)  # fmt: skip
PROFILE_FIELDS: Final = frozenset(
    {
        "about",
        "address",
        "description",
        "email",
        "profile_picture_url",
        "websites",
        "vertical",
        "messaging_product",
    }
)
#: Meta's documented limits.
TEXT_LIMITS: Final = {"about": (1, 139), "address": (1, 256), "description": (1, 512), "email": (1, 128)}
BLOCK_BATCH: Final = 1000
BLOCKLIST_MAX: Final = 64_000
QR_MESSAGE_MAX: Final = 140
QR_PAGE_MAX: Final = 25
PROMPTS_MAX: Final = 4
PROMPT_LEN: Final = 80
COMMANDS_MAX: Final = 30
_COMMAND = re.compile(r"[A-Za-z0-9_]{1,30}")
_QR_CODE = re.compile(r"[A-Z0-9]{14}")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _bad(details: str) -> GraphError:
    return GraphError.invalid_parameter(details)


def _bool(params: Mapping[str, Any], key: str) -> bool | None:
    """A boolean from JSON (``true``) or from a query string (``"true"``)."""
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return bool(value)
    if value in ("true", "false"):
        return bool(value == "true")
    raise _bad(f"{key} must be a boolean")


def _fields(raw: Any, allowed: frozenset[str]) -> list[str] | None:
    if raw is None:
        return None
    names = [f.strip() for f in str(raw).split(",") if f.strip()]
    for name in names:
        if name not in allowed:
            raise GraphError.whatsapp(100, "Invalid parameter", f"Tried accessing nonexisting field ({name})")
    return names


def _limit(raw: Any, high: int, default: int) -> int:
    if raw is None:
        return default
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= high:
        raise _bad(f"limit must be an integer from 1 to {high}")
    return int(text)


def _cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _uncursor(cursor: Any) -> str:
    try:
        text = str(cursor)
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise _bad("The cursor is not valid.") from None


def _page(
    keys: list[str], params: Mapping[str, Any], *, high: int, default: int, base: str
) -> tuple[list[str], dict[str, Any] | None]:
    """One page of ``keys`` after/before a cursor, with Graph's ``paging`` (``next`` only if more)."""
    limit = _limit(params.get("limit"), high, default)
    start, stop = 0, len(keys)
    if params.get("after") is not None:
        after = _uncursor(params["after"])
        start = keys.index(after) + 1 if after in keys else len(keys)
        stop = min(len(keys), start + limit)
    elif params.get("before") is not None:
        before = _uncursor(params["before"])
        stop = keys.index(before) if before in keys else 0
        start = max(0, stop - limit)
    else:
        stop = min(len(keys), limit)
    chunk = keys[start:stop]
    if not chunk:
        return chunk, None
    first, last = _cursor(chunk[0]), _cursor(chunk[-1])
    paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
    sep = "&" if "?" in base else "?"
    if stop < len(keys):
        paging["next"] = f"{base}{sep}limit={limit}&after={last}"
    if start > 0:
        paging["previous"] = f"{base}{sep}limit={limit}&before={first}"
    return chunk, paging


class NumberProfile:
    """Everything this module keeps for one number."""

    __slots__ = ("automation", "blocked", "phone_id", "profile", "qr_codes", "qr_seq", "settings", "status")

    def __init__(self, phone_id: str) -> None:
        self.phone_id = phone_id
        self.profile: dict[str, Any] = {"messaging_product": "whatsapp"}
        self.qr_codes: dict[str, dict[str, Any]] = {}
        self.qr_seq = 0
        #: wa_id -> the input the business used; insertion order is the list order.
        self.blocked: dict[str, str] = {}
        self.automation: dict[str, Any] = {"enable_welcome_message": False, "prompts": [], "commands": []}
        self.settings: dict[str, Any] = {
            "calling": {
                "status": "disabled",
                "call_icon_visibility": "visible",
                "callback_permission_status": "disabled",
                "ip_addresses": {"default": []},
            },
            "payload_encryption": {"status": "disabled"},
            "storage_configuration": {"status": "default"},
            "user_identity_change": {"enabled": False},
        }
        #: What ``POST /{phone}`` without a PIN set: search visibility and the webhook override.
        self.status: dict[str, Any] = {"search_visibility": "VISIBLE"}

    # -- business profile -------------------------------------------------------------------

    def get_profile(self, params: Mapping[str, Any]) -> dict[str, Any]:
        names = _fields(params.get("fields"), PROFILE_FIELDS)
        profile = self.profile
        shown = {k: v for k, v in profile.items() if names is None or k in names or k == "messaging_product"}
        return {"data": [shown]}

    def update_profile(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if params.get("messaging_product") != "whatsapp":
            raise GraphError.missing_parameter("messaging_product")
        changes: dict[str, Any] = {}
        for key, (low, high) in TEXT_LIMITS.items():
            if key in params:
                value = params[key]
                if not isinstance(value, str) or not low <= len(value) <= high:
                    raise _bad(f"{key} must be a string of {low} to {high} characters")
                changes[key] = value
        if "email" in changes and not _EMAIL.fullmatch(changes["email"]):
            raise _bad("email is not a valid email address")
        if "vertical" in params:
            if params["vertical"] not in VERTICALS:
                raise _bad(f"vertical must be one of {', '.join(sorted(VERTICALS))}")
            changes["vertical"] = params["vertical"]
        if "websites" in params:
            sites = params["websites"]
            if not isinstance(sites, list) or len(sites) > 2:
                raise _bad("websites takes a list of at most 2 URLs")
            for site in sites:
                if not isinstance(site, str) or len(site) > 256 or not _URL.fullmatch(site):
                    raise _bad("each website must be an http:// or https:// URL of at most 256 characters")
            changes["websites"] = list(sites)
        if "profile_picture_handle" in params:
            handle = params["profile_picture_handle"]
            if not isinstance(handle, str) or not handle.strip():
                raise _bad("profile_picture_handle must be the handle of a resumable upload")
            digest = hashlib.sha256(handle.encode()).hexdigest()[:16]
            changes["profile_picture_url"] = (
                f"https://pps.whatsapp.net/v/sandbox/{self.phone_id}/{digest}.jpg"
            )
        unknown = (
            set(params)
            - set(TEXT_LIMITS)
            - {"vertical", "websites", "profile_picture_handle", "messaging_product"}
        )
        if unknown:
            raise _bad(f"Unknown parameter {sorted(unknown)[0]!r} for the business profile")
        self.profile.update(changes)
        return SUCCESS

    # -- QR codes ---------------------------------------------------------------------------

    def _new_code(self) -> str:
        while True:
            self.qr_seq += 1
            digest = hashlib.sha256(f"{self.phone_id}:{self.qr_seq}".encode()).digest()
            code = base64.b32encode(digest).decode()[:14]
            if code not in self.qr_codes:
                return code

    @staticmethod
    def _message(params: Mapping[str, Any]) -> str:
        message = params.get("prefilled_message")
        if message is None:
            raise GraphError.missing_parameter("prefilled_message")
        if not isinstance(message, str) or not 1 <= len(message) <= QR_MESSAGE_MAX:
            raise _bad(f"prefilled_message must be 1 to {QR_MESSAGE_MAX} characters")
        return message

    def _qr_view(self, qr: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
        out = {k: qr[k] for k in ("code", "prefilled_message", "deep_link_url")}
        image = qr.get("qr_image_url")
        if image is not None:
            out["qr_image_url"] = image
        if fields is not None:
            out = {k: v for k, v in out.items() if k in fields or k == "code"}
        return out

    def upsert_qr(self, params: Mapping[str, Any], now: float) -> dict[str, Any]:
        message = self._message(params)
        fmt = params.get("generate_qr_image")
        if fmt is not None and fmt not in ("PNG", "SVG"):
            raise _bad("generate_qr_image must be PNG or SVG")
        code = params.get("code")
        if code is not None:
            if not isinstance(code, str) or code not in self.qr_codes:
                raise _bad("There is no QR code with this code for the phone number")
            qr = self.qr_codes[code]
            qr["prefilled_message"] = message
        else:
            code = self._new_code()
            qr = self.qr_codes[code] = {
                "code": code,
                "prefilled_message": message,
                "deep_link_url": f"https://wa.me/message/{code}",
                "creation_time": int(now),
            }
        if fmt is not None:
            qr["qr_image_url"] = f"https://scontent.whatsapp.net/sandbox/qr/{code}.{fmt.lower()}"
        return self._qr_view(qr, None)

    def _qr(self, code: str) -> dict[str, Any]:
        if not _QR_CODE.fullmatch(code) or code not in self.qr_codes:
            raise GraphError.unsupported("get", code)
        return self.qr_codes[code]

    def get_qr(self, code: str, params: Mapping[str, Any]) -> dict[str, Any]:
        fields = _fields(
            params.get("fields"), frozenset({"code", "prefilled_message", "deep_link_url", "qr_image_url"})
        )
        # Meta answers a list of one, as its reference and the spec's examples show.
        return {"data": [self._qr_view(self._qr(code), fields)]}

    def delete_qr(self, code: str) -> dict[str, Any]:
        self._qr(code)
        del self.qr_codes[code]
        return SUCCESS

    def list_qr(self, params: Mapping[str, Any], base: str) -> dict[str, Any]:
        fields = _fields(
            params.get("fields"), frozenset({"code", "prefilled_message", "deep_link_url", "qr_image_url"})
        )
        code = params.get("code")
        keys = list(self.qr_codes)
        if code is not None:
            keys = [k for k in keys if k == code]
        chunk, paging = _page(keys, params, high=QR_PAGE_MAX, default=QR_PAGE_MAX, base=base)
        out: dict[str, Any] = {"data": [self._qr_view(self.qr_codes[k], fields) for k in chunk]}
        if paging is not None:
            out["paging"] = paging
        return out

    # -- blocked users ---------------------------------------------------------------------

    @staticmethod
    def _users(params: Mapping[str, Any]) -> list[str]:
        if params.get("messaging_product") != "whatsapp":
            raise GraphError.missing_parameter("messaging_product")
        entries = params.get("block_users")
        if not isinstance(entries, list) or not entries:
            raise GraphError.missing_parameter("block_users")
        if len(entries) > BLOCK_BATCH:
            raise _bad(f"A request can include at most {BLOCK_BATCH} users")
        users = []
        for entry in entries:
            user = entry.get("user") if isinstance(entry, dict) else None
            if not isinstance(user, str) or not user.strip():
                raise _bad('Each block_users item must be {"user": <phone number or WhatsApp id>}')
            users.append(user)
        return users

    @staticmethod
    def _wa_id(user: str) -> str | None:
        digits = "".join(c for c in user if c.isascii() and c.isdigit())
        cleaned = user.replace("+", "").replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
        return digits if 8 <= len(digits) <= 15 and cleaned == digits else None

    def block(self, params: Mapping[str, Any]) -> dict[str, Any]:
        added: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for user in self._users(params):
            wa_id = self._wa_id(user)
            if wa_id is None:
                failed.append(
                    {"input": user, "errors": [_user_error(131009, "Parameter value is not valid")]}
                )
                continue
            if wa_id not in self.blocked and len(self.blocked) >= BLOCKLIST_MAX:
                failed.append({"input": user, "errors": [_user_error(139100, "Blocklist is full")]})
                continue
            self.blocked.setdefault(wa_id, user)
            added.append({"input": user, "wa_id": wa_id})
        result: dict[str, Any] = {"added_users": added}
        if failed:
            result["failed_users"] = failed
        return {"messaging_product": "whatsapp", "block_users": result}

    def unblock(self, params: Mapping[str, Any]) -> dict[str, Any]:
        removed: list[dict[str, Any]] = []
        for user in self._users(params):
            wa_id = self._wa_id(user)
            if wa_id is not None:
                self.blocked.pop(wa_id, None)
            removed.append({"input": user, "wa_id": wa_id or user})
        return {"messaging_product": "whatsapp", "block_users": {"removed_users": removed}}

    def list_blocked(self, params: Mapping[str, Any], base: str) -> dict[str, Any]:
        chunk, paging = _page(list(self.blocked), params, high=1000, default=100, base=base)
        out: dict[str, Any] = {"data": [{"messaging_product": "whatsapp", "wa_id": w} for w in chunk]}
        if paging is not None:
            out["paging"] = paging
        return out

    # -- conversational automation -----------------------------------------------------------

    def configure_automation(self, params: Mapping[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        welcome = _bool(params, "enable_welcome_message")
        if welcome is not None:
            changes["enable_welcome_message"] = welcome
        if "prompts" in params:
            prompts = params["prompts"]
            if not isinstance(prompts, list) or len(prompts) > PROMPTS_MAX:
                raise _bad(f"prompts takes a list of at most {PROMPTS_MAX} ice breakers")
            if not all(isinstance(p, str) and 1 <= len(p) <= PROMPT_LEN for p in prompts):
                raise _bad(f"each prompt must be 1 to {PROMPT_LEN} characters")
            changes["prompts"] = list(prompts)
        if "commands" in params:
            commands = params["commands"]
            if not isinstance(commands, list) or len(commands) > COMMANDS_MAX:
                raise _bad(f"commands takes a list of at most {COMMANDS_MAX} commands")
            seen: set[str] = set()
            for command in commands:
                if not isinstance(command, dict):
                    raise _bad("each command must be {command_name, command_description}")
                name, text = command.get("command_name"), command.get("command_description")
                if not isinstance(name, str) or not _COMMAND.fullmatch(name) or name in seen:
                    raise _bad("command_name must be 1 to 30 letters, digits or underscores, each name once")
                if not isinstance(text, str) or not 1 <= len(text) <= 256:
                    raise _bad("command_description must be 1 to 256 characters")
                seen.add(name)
            changes["commands"] = [
                {"command_name": c["command_name"], "command_description": c["command_description"]}
                for c in commands
            ]
        if not changes:
            raise _bad("Pass enable_welcome_message, prompts or commands")
        self.automation.update(changes)
        return SUCCESS

    # -- status update without a PIN ---------------------------------------------------------

    def update_status(self, params: Mapping[str, Any]) -> dict[str, Any]:
        known = {"search_visibility", "webhook_configuration"}
        if not known & set(params):
            raise GraphError.missing_parameter("pin")
        if unknown := set(params) - known:
            raise _bad(f"The sandbox does not emulate {sorted(unknown)[0]!r} on this call")
        if "search_visibility" in params:
            if params["search_visibility"] not in ("VISIBLE", "HIDDEN"):
                raise _bad("search_visibility must be VISIBLE or HIDDEN")
            self.status["search_visibility"] = params["search_visibility"]
        if "webhook_configuration" in params:
            hook = params["webhook_configuration"]
            uri = hook.get("override_callback_uri") if isinstance(hook, dict) else None
            if not isinstance(uri, str):
                raise GraphError.missing_parameter("webhook_configuration.override_callback_uri")
            if uri == "":
                self.status.pop("override_callback_uri", None)
            elif not (uri.lower().startswith("https://") and _URL.fullmatch(uri)):
                raise _bad("override_callback_uri must be an https:// URL ('' removes the override)")
            else:
                # The verify token is a secret: it is checked by Meta, never kept here.
                self.status["override_callback_uri"] = uri
        return SUCCESS

    # -- phone settings ---------------------------------------------------------------------

    def get_settings(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _bool(params, "include_sip_credentials")
        settings = self.settings
        return {
            "calling": dict(settings["calling"]),
            "payload_encryption": dict(settings["payload_encryption"]),
            "storage_configuration": dict(settings["storage_configuration"]),
        }

    def update_settings(self, params: Mapping[str, Any]) -> dict[str, Any]:
        groups = [
            k
            for k in ("calling", "user_identity_change", "payload_encryption", "storage_configuration")
            if k in params
        ]
        if len(groups) != 1:
            raise _bad(
                "Update exactly one of calling, user_identity_change, payload_encryption, storage_configuration"
            )
        group = groups[0]
        value = params[group]
        if not isinstance(value, dict):
            raise _bad(f"{group} must be an object")
        if group == "calling":
            self._update_calling(value)
        elif group == "user_identity_change":
            if not isinstance(value.get("enabled"), bool):
                raise GraphError.missing_parameter("user_identity_change.enabled")
            self.settings["user_identity_change"] = {"enabled": value["enabled"]}
        elif group == "payload_encryption":
            status = value.get("status")
            if status not in ("enabled", "disabled"):
                raise _bad("payload_encryption.status must be enabled or disabled")
            entry: dict[str, Any] = {"status": status}
            if status == "enabled":
                key = value.get("client_encryption_key")
                if not isinstance(key, str) or not key:
                    raise GraphError.missing_parameter("payload_encryption.client_encryption_key")
                entry["client_encryption_key_fingerprint"] = hashlib.sha256(key.encode()).hexdigest()[:32]
            self.settings["payload_encryption"] = entry
        else:
            enabled = value.get("enabled")
            if not isinstance(enabled, bool):
                raise GraphError.missing_parameter("storage_configuration.enabled")
            if enabled:
                region = value.get("region")
                if not isinstance(region, str) or not re.fullmatch(r"[A-Z]{2}", region):
                    raise _bad("storage_configuration.region must be a two-letter region code to enable it")
                self.settings["storage_configuration"] = {
                    "status": "in_country_storage_enabled",
                    "data_localization_region": region,
                }
            else:
                self.settings["storage_configuration"] = {"status": "default"}
        return SUCCESS

    def _update_calling(self, value: Mapping[str, Any]) -> None:
        enums = {
            "status": ("enabled", "disabled"),
            "call_icon_visibility": ("visible", "hidden"),
            "callback_permission_status": ("enabled", "disabled"),
            "srtp_key_exchange_protocol": ("DTLS-SRTP", "SDES-SRTP"),
        }
        objects = ("call_hours", "call_icons", "sip", "video", "audio")
        if "status" not in value:
            raise GraphError.missing_parameter("calling.status")
        calling = dict(self.settings["calling"])
        for key, item in value.items():
            if key in enums:
                if item not in enums[key]:
                    raise _bad(f"calling.{key} must be one of {', '.join(enums[key])}")
            elif key in objects:
                if not isinstance(item, dict):
                    raise _bad(f"calling.{key} must be an object")
            else:
                raise _bad(f"Unknown calling setting {key!r}")
            calling[key] = item
        self.settings["calling"] = calling


def _user_error(code: int, title: str) -> dict[str, Any]:
    return {"code": code, "title": title, "message": title, "error_data": {"details": title}}


class ProfileStore:
    """The :class:`NumberProfile` of each number of one business, made on first use."""

    def __init__(self) -> None:
        self._numbers: dict[str, NumberProfile] = {}

    def of(self, phone_id: str) -> NumberProfile:
        number = self._numbers.get(phone_id)
        if number is None:
            number = self._numbers[phone_id] = NumberProfile(phone_id)
        return number


_STORES: weakref.WeakKeyDictionary[Business, ProfileStore] = weakref.WeakKeyDictionary()


def profiles_of(business: Business) -> ProfileStore:
    """This business's store (a reset's new business gets a new, empty one)."""
    store = _STORES.get(business)
    if store is None:
        store = _STORES[business] = ProfileStore()
    return store
