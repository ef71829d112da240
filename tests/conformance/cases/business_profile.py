"""Conformance cases: the business profile (by number and by profile id)."""

from __future__ import annotations

from meta_cloud_async.types.business_profile import (
    GetBusinessProfileByIdRequest,
    GetBusinessProfileRequest,
    UpdateBusinessProfileByIdRequest,
    UpdateBusinessProfileRequest,
)

from . import Case

PROFILE = {"data": [{"messaging_product": "whatsapp", "about": "Fresh bread daily", "vertical": "RETAIL"}]}
LONG_DESCRIPTION = "Artisan bakery. " * 20  # 320 characters: within Meta's 512, beyond the spec's 256

NO_BODY_CONTENT_TYPE = {
    "headers": "the spec marks Content-Type required on this body-less call; a request without a body"
    " carries no Content-Type (RFC 9110 8.3)"
}

CASES = [
    Case(
        "get_profile",
        GetBusinessProfileRequest,
        lambda wa: wa.business_profile.get(),
        PROFILE,
        skip=NO_BODY_CONTENT_TYPE,
    ),
    Case(
        "get_profile_fields",
        GetBusinessProfileRequest,
        lambda wa: wa.business_profile.get(fields=["about", "address", "vertical", "websites"]),
        PROFILE,
        skip=NO_BODY_CONTENT_TYPE,
    ),
    Case(
        "update_profile",
        UpdateBusinessProfileRequest,
        lambda wa: wa.business_profile.update(
            about="Fresh bread daily",
            address="1 Baker Street, London",
            description="A family bakery since 1952.",
            email="hello@example.com",
            vertical="RETAIL",
            websites=["https://example.com", "https://example.com/shop"],
        ),
        {"success": True},
    ),
    Case(
        "update_profile_picture",
        UpdateBusinessProfileRequest,
        lambda wa: wa.business_profile.update(profile_picture_handle="4::aW1hZ2UvanBlZw==:ARb2"),
        {"success": True},
    ),
    Case(
        "update_profile_long_description",
        UpdateBusinessProfileRequest,
        lambda wa: wa.business_profile.update(description=LONG_DESCRIPTION),
        {"success": True},
        skip={"body": "the spec caps description at 256 characters; Meta's reference and WhatsApp take 512"},
    ),
    Case(
        "get_profile_by_id",
        GetBusinessProfileByIdRequest,
        lambda wa: wa.business_profile.get_by_id(profile_id="112233445566", fields=["id", "about"]),
        {"id": "112233445566"},
    ),
    Case(
        "update_profile_by_id",
        UpdateBusinessProfileByIdRequest,
        lambda wa: wa.business_profile.update_by_id(profile_id="112233445566", about="Open 7 days"),
        {"success": True},
    ),
]
