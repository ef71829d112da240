"""The operation declarations (request classes) and the response models, by namespace.

``from meta_cloud_async.types import SetPinRequest, PhoneNumber, SentMessage`` — each
module holds one namespace's declarations; this package re-exports the request and
response models users name in their own code (message payload models live in
:mod:`meta_cloud_async.types.messages`, template builders in ``types.templates_send``).
"""

from .messages import MarkAsReadRequest, SendMarketingMessageRequest, SendMessageRequest, SentMessage
from .phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    PhoneNumber,
    RequestCodeRequest,
    VerifyCodeRequest,
    VerifyCodeResponse,
)
from .registration import DeregisterRequest, RegisterRequest
from .shared import ApiRequest, Cursors, Page, Paging, SuccessResponse
from .two_step_verification import SetPinRequest
from .waba import BusinessAccount, GetBusinessAccountRequest

__all__ = [
    "ApiRequest",
    "BusinessAccount",
    "Cursors",
    "DeregisterRequest",
    "GetBusinessAccountRequest",
    "GetPhoneNumberRequest",
    "ListPhoneNumbersRequest",
    "MarkAsReadRequest",
    "Page",
    "Paging",
    "PhoneNumber",
    "RegisterRequest",
    "RequestCodeRequest",
    "SendMarketingMessageRequest",
    "SendMessageRequest",
    "SentMessage",
    "SetPinRequest",
    "SuccessResponse",
    "VerifyCodeRequest",
    "VerifyCodeResponse",
]
