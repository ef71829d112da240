"""Conformance cases: commerce settings (parameters in the query of the POST, as the spec has them)."""

from __future__ import annotations

from meta_cloud_async.types.commerce import GetCommerceSettingsRequest, UpdateCommerceSettingsRequest

from . import Case

CASES = [
    Case(
        "get_commerce",
        GetCommerceSettingsRequest,
        lambda wa: wa.commerce.get(),
        {"data": [{"id": "1234", "is_cart_enabled": True, "is_catalog_visible": False}]},
    ),
    Case(
        "update_commerce",
        UpdateCommerceSettingsRequest,
        lambda wa: wa.commerce.update(is_cart_enabled=True, is_catalog_visible=False),
        {"success": True},
    ),
]
