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
from .middleware import RateLimitPolicy, RetryAttempt, RetryPolicy
from .pagination import AsyncPaginator
from .transports import MockTransport, Transport
from .types.phone_numbers import PhoneNumber, VerifyCodeResponse
from .types.shared import Page, SuccessResponse

# Plain sorted() order, which tests/test_public_api.py checks; RUF022 wants isort's
# constants-first order instead, which would put NOT_GIVEN at the top.
__all__ = [  # noqa: RUF022
    "APIConnectionError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "ClientOptions",
    "ConnectError",
    "FlowJsonValidationError",
    "GraphAPIError",
    "InvalidParameterError",
    "LocalThrottleError",
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
    "RegistrationLimitError",
    "Request",
    "RequestMeta",
    "Response",
    "ResponseTooLargeError",
    "RetryAttempt",
    "RetryPolicy",
    "ServerError",
    "SuccessResponse",
    "TemplateCreationError",
    "Transport",
    "UnexpectedResponseError",
    "VerifyCodeResponse",
    "WhatsApp",
    "__version__",
]
