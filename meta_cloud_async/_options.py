"""Client options: one frozen value, loaded from arguments then the environment."""

from __future__ import annotations

import enum
import math
import os
from collections.abc import Mapping, Sequence
from typing import Final, Literal, TypeVar, Union
from urllib.parse import urlsplit

import attrs

from ._checks import check_int
from ._facts import is_ascii_digits

__all__ = ["NOT_GIVEN", "ClientOptions", "NotGiven", "check_client_args", "resolve"]

DEFAULT_BASE_URL: Final = "https://graph.facebook.com"
DEFAULT_API_VERSION: Final = "v23.0"
DEFAULT_TIMEOUT: Final = 20.0

ENV_ACCESS_TOKEN: Final = "CLOUD_API_ACCESS_TOKEN"
ENV_PHONE_NUMBER_ID: Final = "WA_PHONE_NUMBER_ID"
ENV_BUSINESS_ACCOUNT_ID: Final = "WA_BUSINESS_ACCOUNT_ID"
ENV_API_VERSION: Final = "CLOUD_API_VERSION"
ENV_APP_ID: Final = "META_APP_ID"


class NotGiven(enum.Enum):
    """Sentinel type: "use the default" as opposed to an explicit ``None``."""

    NOT_GIVEN = "NOT_GIVEN"

    # Identity hashing in C: ``with_options`` hashes several of these per call (Enum's own
    # ``__hash__`` is a Python-level function). Equality is identity either way.
    __hash__ = object.__hash__

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN

T = TypeVar("T")


def resolve(value: Union[T, NotGiven], default: T) -> T:
    return default if isinstance(value, NotGiven) else value


def _check_version(_: object, __: object, value: str) -> None:
    parts = value[1:].split(".") if isinstance(value, str) and value.startswith("v") else []
    # isdigit() alone accepts "v٢٣.0"; the URL segment must be ASCII.
    if len(parts) != 2 or not all(is_ascii_digits(p) for p in parts):
        raise ValueError(f"api_version must look like 'v23.0', got {value!r}")


def _check_id(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and not is_ascii_digits(value):
        raise ValueError(f"{attribute.name} must be a string of digits, got {value!r}")


def _check_token(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"an access token is required: pass access_token=... or set {ENV_ACCESS_TOKEN}")
    # Sent as a header on every call: a newline would split it (or make every
    # call fail in the HTTP library), and the value must never be echoed.
    if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
        raise ValueError(
            "access_token must be printable ASCII without whitespace, newlines or NUL (value not shown)"
        )


def _strip_slash(url: str) -> str:
    return str(url).rstrip("/")


def _check_base_url(_: object, __: object, value: str) -> None:
    # Caught here, not as an obscure transport error on the first call.
    if not value.isascii() or not value.isprintable() or " " in value:
        raise ValueError("base_url must be printable ASCII without spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port that is out of range or not a number
    except ValueError as exc:
        raise ValueError(f"base_url is not a valid URL ({exc})") from None
    if "@" in parts.netloc:
        # Credentials in the URL would ride along with every request and every log line of it.
        raise ValueError("base_url must not hold credentials (user:password@); pass access_token instead")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"base_url must be an http(s) URL without query or fragment, got {value!r}")
    if port == 0:
        raise ValueError(f"base_url port must be 1-65535, got {port}")


def _check_timeout(_: object, __: object, value: float | None) -> None:
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not value > 0
        or not math.isfinite(value)
    ):
        raise ValueError(
            f"timeout must be a positive finite number of seconds or None (no timeout), got {value!r}"
        )


def check_client_args(
    *,
    retry: object,
    rate_limit: object,
    middleware: object,
    clock: object,
    sleep: object,
    random: object,
    max_response_bytes: object,
    transport: object,
) -> None:
    """The ``WhatsApp()`` arguments that are not options: right types, before anything is built.

    Each would otherwise fail on the first call, far from its cause (a
    ``middleware=None`` as "NoneType is not iterable" inside the chain, a
    ``retry="x"`` as an AttributeError on every call).
    """
    from .middleware.rate_limit import RateLimitPolicy
    from .middleware.retry import RetryPolicy

    if not isinstance(retry, (NotGiven, RetryPolicy)) and retry is not None:
        raise TypeError(f"retry must be a RetryPolicy or None (no retries), got {type(retry).__name__}")
    if not isinstance(rate_limit, (NotGiven, RateLimitPolicy)) and rate_limit is not None:
        raise TypeError(
            f"rate_limit must be a RateLimitPolicy or None (no pacing), got {type(rate_limit).__name__}"
        )
    if not isinstance(middleware, Sequence) or isinstance(middleware, (str, bytes)):
        raise TypeError(
            f"middleware must be a sequence of middleware (() for none), got {type(middleware).__name__}"
        )
    for i, item in enumerate(middleware):
        if not callable(item):
            raise TypeError(
                f"middleware[{i}] must be callable (request, call_next), got {type(item).__name__}"
            )
    for name, value in (("clock", clock), ("sleep", sleep), ("random", random)):
        if not callable(value):
            raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    if not isinstance(max_response_bytes, NotGiven):
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        if transport is not None:
            raise ValueError(
                "max_response_bytes sets the cap of the transport WhatsApp creates; with transport=..., "
                "pass max_response_bytes to that transport instead"
            )


@attrs.frozen(kw_only=True)
class ClientOptions:
    """Everything a call needs to be addressed and authorised. The token never shows in a repr."""

    access_token: str = attrs.field(repr=False, validator=_check_token)
    phone_number_id: str | None = attrs.field(default=None, validator=_check_id)
    business_account_id: str | None = attrs.field(default=None, validator=_check_id)
    app_id: str | None = attrs.field(default=None, validator=_check_id)
    api_version: str = attrs.field(default=DEFAULT_API_VERSION, validator=_check_version)
    base_url: str = attrs.field(default=DEFAULT_BASE_URL, converter=_strip_slash, validator=_check_base_url)
    timeout: float | None = attrs.field(default=DEFAULT_TIMEOUT, validator=_check_timeout)

    def replace(self, changes: Mapping[str, object]) -> ClientOptions:
        """A copy with ``changes``, validating only the changed fields (``with_options`` is on hot paths)."""
        fields = attrs.fields_dict(type(self))
        new = object.__new__(type(self))
        for name, field in fields.items():
            if name in changes:
                value = changes[name]
                if field.converter is not None:
                    value = field.converter(value)  # type: ignore[operator]
                if field.validator is not None:
                    field.validator(self, field, value)
            else:
                value = getattr(self, name)
            object.__setattr__(new, name, value)
        return new

    @classmethod
    def from_env(
        cls,
        *,
        access_token: str | NotGiven | None = NOT_GIVEN,
        phone_number_id: str | NotGiven | None = NOT_GIVEN,
        business_account_id: str | NotGiven | None = NOT_GIVEN,
        app_id: str | NotGiven | None = NOT_GIVEN,
        api_version: str | NotGiven | None = NOT_GIVEN,
        base_url: str | NotGiven | None = NOT_GIVEN,
        timeout: float | NotGiven | None = NOT_GIVEN,
        environ: Mapping[str, str] | None = None,
    ) -> ClientOptions:
        """Explicit arguments win; ``None`` or not given falls back to the environment."""
        env = os.environ if environ is None else environ

        def pick(value: str | NotGiven | None, var: str) -> str | None:
            if isinstance(value, NotGiven) or value is None:
                return env.get(var) or None
            return value

        token = pick(access_token, ENV_ACCESS_TOKEN)
        if token is None:
            raise ValueError(f"an access token is required: pass access_token=... or set {ENV_ACCESS_TOKEN}")
        return cls(
            access_token=token,
            phone_number_id=pick(phone_number_id, ENV_PHONE_NUMBER_ID),
            business_account_id=pick(business_account_id, ENV_BUSINESS_ACCOUNT_ID),
            app_id=pick(app_id, ENV_APP_ID),
            api_version=pick(api_version, ENV_API_VERSION) or DEFAULT_API_VERSION,
            base_url=resolve(base_url, None) or DEFAULT_BASE_URL,
            timeout=resolve(timeout, DEFAULT_TIMEOUT),
        )
