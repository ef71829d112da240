"""Multi-Partner Solutions: one solution, its partnership and deactivation requests, its access token.

Solutions are created and listed at app level (``wa.app``) and per WABA
(``wa.waba.solutions``); these operations act on one ``solution_id``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs

from ._checks import digits, digits_or_none, max_len, one_of
from .shared import QUERY, ApiRequest, fields_param
from .waba import Solution

__all__ = [
    "AcceptDeactivationRequest",
    "AcceptSolutionRequest",
    "AcceptSolutionResult",
    "DeactivationRequestResult",
    "GetSolutionAccessTokenRequest",
    "GetSolutionRequest",
    "RejectDeactivationRequest",
    "RejectSolutionRequest",
    "RejectSolutionResult",
    "SendDeactivationRequest",
    "SolutionAccessToken",
    "SolutionRequestType",
]

SolutionRequestType = Literal["PARTNERSHIP_REQUEST", "DEACTIVATION_REQUEST"]


@attrs.frozen(kw_only=True)
class SolutionAccessToken:
    """A granular business-integration token for the partner; never shown in a repr."""

    access_token: str = attrs.field(repr=False)
    expires_at: int | None = None


@attrs.frozen(kw_only=True)
class AcceptSolutionResult:
    """Meta's answer to accepting a Multi-Partner Solution: the partner's status."""

    solution_id: str
    partner_status: str | None = None
    success: bool | None = None
    message: str | None = None
    update_time: str | None = None


@attrs.frozen(kw_only=True)
class RejectSolutionResult:
    """Meta's answer to rejecting a Multi-Partner Solution request."""

    success: bool
    solution_id: str | None = None
    rejected_request_type: str | None = None
    rejection_timestamp: str | None = None
    partner_app_id: str | None = None


@attrs.frozen(kw_only=True)
class DeactivationRequestResult:
    """Meta's answer to a request to deactivate a solution."""

    success: bool
    message: str | None = None
    request_id: str | None = None


@attrs.frozen(kw_only=True)
class GetSolutionRequest(ApiRequest[Solution]):
    """``GET /{solution_id}``."""

    operation_id: ClassVar[str | None] = "getSolutionDetails"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{solution_id}"
    idempotent: ClassVar[bool] = True

    solution_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param)


@attrs.frozen(kw_only=True)
class GetSolutionAccessTokenRequest(ApiRequest[SolutionAccessToken]):
    """``GET /{solution_id}/access_token?business_id=...``: the partner's token for one customer business."""

    operation_id: ClassVar[str | None] = "getSolutionAccessToken"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{solution_id}/access_token"
    idempotent: ClassVar[bool] = True

    solution_id: str = attrs.field(validator=digits)
    business_id: str = attrs.field(validator=digits)


@attrs.frozen(kw_only=True)
class AcceptSolutionRequest(ApiRequest[AcceptSolutionResult]):
    """``POST /{solution_id}/accept``: the partner app accepts the invitation (a repeat accepts nothing new)."""

    operation_id: ClassVar[str | None] = "acceptWhatsAppBusinessSolution"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{solution_id}/accept"
    idempotent: ClassVar[bool] = True

    solution_id: str = attrs.field(validator=digits)
    partner_app_id: str = attrs.field(validator=digits)
    log_session_id: str | None = None


@attrs.frozen(kw_only=True)
class RejectSolutionRequest(ApiRequest[RejectSolutionResult]):
    """``POST /{solution_id}/reject``: turn down a partnership (needs ``partner_app_id``) or deactivation request."""

    operation_id: ClassVar[str | None] = "rejectSolutionRequest"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{solution_id}/reject"
    idempotent: ClassVar[bool] = True

    solution_id: str = attrs.field(validator=digits)
    request_type: SolutionRequestType = attrs.field(
        validator=one_of({"PARTNERSHIP_REQUEST", "DEACTIVATION_REQUEST"})
    )
    rejection_reason: str | None = attrs.field(default=None, validator=max_len(500))
    partner_app_id: str | None = attrs.field(default=None, validator=digits_or_none)

    def __attrs_post_init__(self) -> None:
        if self.request_type == "PARTNERSHIP_REQUEST" and self.partner_app_id is None:
            raise ValueError("partner_app_id is required to reject a PARTNERSHIP_REQUEST")
        if self.request_type == "DEACTIVATION_REQUEST" and self.partner_app_id is not None:
            raise ValueError("partner_app_id is not used for a DEACTIVATION_REQUEST")


@attrs.frozen(kw_only=True)
class SendDeactivationRequest(ApiRequest[DeactivationRequestResult]):
    """``POST /{solution_id}/send_deactivation_request`` (solution owner); not idempotent: each is a request."""

    operation_id: ClassVar[str | None] = "sendSolutionDeactivationRequest"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{solution_id}/send_deactivation_request"

    solution_id: str = attrs.field(validator=digits)
    reason: str | None = attrs.field(default=None, validator=max_len(500))


@attrs.frozen(kw_only=True)
class AcceptDeactivationRequest(ApiRequest[Solution]):
    """``POST /{solution_id}/accept_deactivation_request``: the partner agrees; answers the solution."""

    operation_id: ClassVar[str | None] = "acceptWhatsAppBusinessSolutionDeactivationRequest"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{solution_id}/accept_deactivation_request"
    idempotent: ClassVar[bool] = True

    solution_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param, metadata=QUERY)


@attrs.frozen(kw_only=True)
class RejectDeactivationRequest(ApiRequest[Solution]):
    """``POST /{solution_id}/reject_deactivation_request``: the partner refuses; answers the solution."""

    operation_id: ClassVar[str | None] = "rejectSolutionDeactivationRequest"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{solution_id}/reject_deactivation_request"
    idempotent: ClassVar[bool] = True

    solution_id: str = attrs.field(validator=digits)
    fields: str | None = attrs.field(default=None, converter=fields_param, metadata=QUERY)
    #: Meta's body flag; always true (the call exists to reject).
    reject_deactivation_request: Literal[True] = attrs.field(
        default=True, validator=attrs.validators.in_([True])
    )
