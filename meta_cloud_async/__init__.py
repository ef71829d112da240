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
    FlowJsonValidationError,
    GraphAPIError,
    InvalidParameterError,
    LocalThrottleError,
    MediaIntegrityError,
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
    TemplateCreationError,
    UnexpectedResponseError,
)
from .middleware import Handler, Middleware, RateLimitPolicy, RetryAttempt, RetryPolicy
from .pagination import AsyncPaginator
from .pins import generate_pin, is_weak_pin, validate_pin
from .transports import MockTransport, Transport
from .types.messages import Group, ListRow, ListSection, ReplyButton, SentMessage
from .types.phone_numbers import PhoneNumber, VerifyCodeResponse
from .types.shared import Cursors, Page, Paging, SuccessResponse

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
    "Cursors",
    "FlowJsonValidationError",
    "GraphAPIError",
    "Group",
    "Handler",
    "InvalidParameterError",
    "InvalidSignatureError",
    "ListRow",
    "ListSection",
    "LocalThrottleError",
    "MediaIntegrityError",
    "MemoryDedupe",
    "MetaCloudError",
    "Middleware",
    "MockTransport",
    "NOT_GIVEN",
    "NotGiven",
    "NotRegisteredError",
    "Page",
    "PageLimitError",
    "Paging",
    "PermissionDeniedError",
    "PhoneNumber",
    "PinGuessLimitError",
    "PinMismatchError",
    "RateLimitError",
    "RateLimitPolicy",
    "RedisDedupe",
    "RegistrationLimitError",
    "ReplyButton",
    "Request",
    "RequestMeta",
    "Response",
    "ResponseTooLargeError",
    "RetryAttempt",
    "RetryPolicy",
    "SentMessage",
    "ServerError",
    "SuccessResponse",
    "TemplateCreationError",
    "Transport",
    "UnexpectedResponseError",
    "UnknownEvent",
    "VerifyCodeResponse",
    "WebhookPayload",
    "WebhookPayloadError",
    "WebhookRouter",
    "WhatsApp",
    "__version__",
    "generate_pin",
    "is_weak_pin",
    "parse_webhook",
    "validate_pin",
    "verify_signature",
]
