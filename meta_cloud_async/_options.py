"""Client options: one frozen value, loaded from arguments then the environment."""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from typing import Final, Literal, TypeVar, Union
from urllib.parse import urlsplit

import attrs

__all__ = ["NOT_GIVEN", "ClientOptions", "NotGiven", "resolve"]

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
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValueError(f"api_version must look like 'v23.0', got {value!r}")


def _check_id(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value.isdigit() or not value.isascii()):
        raise ValueError(f"{attribute.name} must be a string of digits, got {value!r}")


def _check_token(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"an access token is required: pass access_token=... or set {ENV_ACCESS_TOKEN}")


def _strip_slash(url: str) -> str:
    return str(url).rstrip("/")


def _check_base_url(_: object, __: object, value: str) -> None:
    # Caught here, not as an obscure transport error on the first call.
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"base_url must be an http(s) URL without query or fragment, got {value!r}")


def _check_timeout(_: object, __: object, value: float | None) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0
    ):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {value!r}")


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
