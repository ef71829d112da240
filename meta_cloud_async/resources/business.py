"""``wa.business``: the business portfolio, its WABAs, pre-verified numbers and credit lines."""

from __future__ import annotations

from ..types.business import (
    AddPhoneNumberRequest,
    DeletePreVerifiedNumberRequest,
    GetBusinessRequest,
    GetPreVerifiedNumberRequest,
    ListAssignedWabasRequest,
    ListClientWabasRequest,
    ListCreditLinesRequest,
    ListOwnedWabasRequest,
    ListPreVerifiedNumbersRequest,
    ListPreVerifiedPartnersRequest,
    OnboardPartnersToMmLiteRequest,
    RequestPreVerifiedCodeRequest,
    SharePreVerifiedNumberRequest,
    VerifyPreVerifiedCodeRequest,
)
from ._base import Resource, endpoint
from ._paged import paged_endpoint

__all__ = ["Business"]


class Business(Resource):
    """Portfolio-level calls; each names ``business_id`` (or the pre-verified number, or the user)."""

    get = endpoint(GetBusinessRequest, doc="The portfolio's fields (``id``, ``name``, ``timezone_id``...).")
    owned_wabas = paged_endpoint(ListOwnedWabasRequest, doc="WABAs the portfolio owns; paginated.")
    client_wabas = paged_endpoint(ListClientWabasRequest, doc="WABAs client businesses shared; paginated.")
    assigned_wabas = paged_endpoint(ListAssignedWabasRequest, doc="WABAs assigned to ``user_id``; paginated.")
    credit_lines = paged_endpoint(ListCreditLinesRequest, doc="The portfolio's credit lines.")
    onboard_partners_to_mm_lite = endpoint(OnboardPartnersToMmLiteRequest)

    # -- pre-verified numbers ------------------------------------------------------------
    add_phone_numbers = endpoint(
        AddPhoneNumberRequest, doc="Add a number to pre-verify; answers its pre-verified id."
    )
    preverified_numbers = paged_endpoint(
        ListPreVerifiedNumbersRequest, doc="Pre-verified numbers; paginated."
    )
    share_preverified_number = endpoint(SharePreVerifiedNumberRequest)
    get_preverified_number = endpoint(GetPreVerifiedNumberRequest)
    delete_preverified_number = endpoint(DeletePreVerifiedNumberRequest)
    preverified_number_partners = paged_endpoint(ListPreVerifiedPartnersRequest)
    request_preverified_code = endpoint(
        RequestPreVerifiedCodeRequest,
        doc="Send the ownership code by SMS or voice; never repeated once sent.",
    )
    verify_preverified_code = endpoint(
        VerifyPreVerifiedCodeRequest, doc="Confirm with the six-digit code; never repeated (each try counts)."
    )
