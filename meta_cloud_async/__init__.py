"""Async-first Python SDK for the WhatsApp Business Platform (Cloud API)."""

import typing as _typing

from ._client import WhatsApp
from ._http import Request, RequestMeta, Response
from ._options import NOT_GIVEN, ClientOptions, NotGiven
from ._version import __version__
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConnectError,
    GraphAPIError,
    InvalidParameterError,
    LocalThrottleError,
    MetaCloudError,
    NotRegisteredError,
    PageLimitError,
    PermissionDeniedError,
    PinGuessLimitError,
    PinMismatchError,
    RateLimitError,
    RegistrationLimitError,
    ResponseTooLargeError,
    ServerError,
    UnexpectedResponseError,
)
from .middleware import RateLimitPolicy, RetryAttempt, RetryPolicy
from .pagination import AsyncPaginator
from .transports import MockTransport, Transport
from .types.phone_numbers import PhoneNumber, VerifyCodeResponse
from .types.shared import Page, SuccessResponse

if _typing.TYPE_CHECKING:
    from .webhooks import (
        InvalidSignatureError,
        MemoryDedupe,
        RedisDedupe,
        UnknownEvent,
        WebhookPayload,
        WebhookPayloadError,
        WebhookRouter,
        parse_webhook,
        verify_signature,
    )

#: Exported here but imported on first use: the webhook event models take a while to build,
#: and a client that never receives webhooks should not pay for them at import.
_LAZY = {
    name: "meta_cloud_async.webhooks"
    for name in (
        "InvalidSignatureError",
        "MemoryDedupe",
        "RedisDedupe",
        "UnknownEvent",
        "WebhookPayload",
        "WebhookPayloadError",
        "WebhookRouter",
        "parse_webhook",
        "verify_signature",
    )
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'meta_cloud_async' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# Plain sorted() order, which tests/test_public_api.py checks; RUF022 wants isort's
# constants-first order instead, which would put NOT_GIVEN at the top.
__all__ = [  # noqa: RUF022
    "APIConnectionError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "ClientOptions",
    "ConnectError",
    "GraphAPIError",
    "InvalidParameterError",
    "InvalidSignatureError",
    "LocalThrottleError",
    "MemoryDedupe",
    "MetaCloudError",
    "MockTransport",
    "NOT_GIVEN",
    "NotGiven",
    "NotRegisteredError",
    "Page",
    "PageLimitError",
    "PermissionDeniedError",
    "PhoneNumber",
    "PinGuessLimitError",
    "PinMismatchError",
    "RateLimitError",
    "RateLimitPolicy",
    "RedisDedupe",
    "RegistrationLimitError",
    "Request",
    "RequestMeta",
    "Response",
    "ResponseTooLargeError",
    "RetryAttempt",
    "RetryPolicy",
    "ServerError",
    "SuccessResponse",
    "Transport",
    "UnexpectedResponseError",
    "UnknownEvent",
    "VerifyCodeResponse",
    "WebhookPayload",
    "WebhookPayloadError",
    "WebhookRouter",
    "WhatsApp",
    "__version__",
    "parse_webhook",
    "verify_signature",
]
