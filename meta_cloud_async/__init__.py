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
    GraphAPIError,
    InvalidParameterError,
    LocalThrottleError,
    MediaIntegrityError,
    MetaCloudError,
    NotRegisteredError,
    PermissionDeniedError,
    PinGuessLimitError,
    PinMismatchError,
    RateLimitError,
    RegistrationLimitError,
    ServerError,
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
    "GraphAPIError",
    "InvalidParameterError",
    "LocalThrottleError",
    "MediaIntegrityError",
    "MetaCloudError",
    "MockTransport",
    "NOT_GIVEN",
    "NotGiven",
    "NotRegisteredError",
    "Page",
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
    "RetryAttempt",
    "RetryPolicy",
    "ServerError",
    "SuccessResponse",
    "Transport",
    "UnexpectedResponseError",
    "VerifyCodeResponse",
    "WhatsApp",
    "__version__",
]
