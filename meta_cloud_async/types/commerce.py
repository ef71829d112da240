"""Commerce settings of a number: the cart and the catalog storefront icon."""

from __future__ import annotations

from typing import ClassVar

import attrs

from .shared import QUERY, ApiRequest, SuccessResponse

__all__ = [
    "CommerceSettings",
    "CommerceSettingsList",
    "GetCommerceSettingsRequest",
    "UpdateCommerceSettingsRequest",
]


@attrs.frozen(kw_only=True)
class CommerceSettings:
    """The number's cart and catalog visibility (``wa.commerce.get()``)."""

    id: str | None = None
    is_cart_enabled: bool | None = None
    is_catalog_visible: bool | None = None


@attrs.frozen(kw_only=True)
class CommerceSettingsList:
    """Meta's list envelope around the number's commerce settings."""

    data: list[CommerceSettings] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class GetCommerceSettingsRequest(ApiRequest[CommerceSettingsList]):
    """``GET /{phone_number_id}/whatsapp_commerce_settings``."""

    operation_id: ClassVar[str | None] = "getCommerceSettings"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/whatsapp_commerce_settings"
    idempotent: ClassVar[bool] = True


_bool = attrs.validators.optional(attrs.validators.instance_of(bool))


@attrs.frozen(kw_only=True)
class UpdateCommerceSettingsRequest(ApiRequest[SuccessResponse]):
    """``POST /{phone_number_id}/whatsapp_commerce_settings?is_cart_enabled=...``: Meta (and the
    spec) take both settings in the query of the POST, with no body."""

    operation_id: ClassVar[str | None] = "setOrUpdateCommerceSettings"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/whatsapp_commerce_settings"
    idempotent: ClassVar[bool] = True

    is_cart_enabled: bool | None = attrs.field(default=None, validator=_bool, metadata=QUERY)
    is_catalog_visible: bool | None = attrs.field(default=None, validator=_bool, metadata=QUERY)

    def __attrs_post_init__(self) -> None:
        if self.is_cart_enabled is None and self.is_catalog_visible is None:
            raise ValueError("nothing to update: pass is_cart_enabled or is_catalog_visible")
