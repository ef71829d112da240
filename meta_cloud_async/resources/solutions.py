"""``wa.solutions``: one Multi-Partner Solution, its partnership and deactivation requests."""

from __future__ import annotations

from ..types.solutions import (
    AcceptDeactivationRequest,
    AcceptSolutionRequest,
    GetSolutionAccessTokenRequest,
    GetSolutionRequest,
    RejectDeactivationRequest,
    RejectSolutionRequest,
    SendDeactivationRequest,
)
from ._base import Resource, endpoint

__all__ = ["Solutions"]


class Solutions(Resource):
    """Every call names its ``solution_id``; listing is ``wa.app.solutions`` or ``wa.waba.solutions``."""

    get = endpoint(GetSolutionRequest)
    access_token = endpoint(
        GetSolutionAccessTokenRequest,
        doc="The partner's token for ``business_id`` (never printed in a repr).",
    )
    accept = endpoint(AcceptSolutionRequest)
    reject = endpoint(RejectSolutionRequest)
    send_deactivation_request = endpoint(SendDeactivationRequest)
    accept_deactivation_request = endpoint(AcceptDeactivationRequest)
    reject_deactivation_request = endpoint(RejectDeactivationRequest)
