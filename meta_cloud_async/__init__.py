"""Async-first Python SDK for the WhatsApp Business Platform (Cloud API)."""

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
    "ListRow",
    "ListSection",
    "LocalThrottleError",
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
    "VerifyCodeResponse",
    "WhatsApp",
    "__version__",
    "generate_pin",
    "is_weak_pin",
    "validate_pin",
]
