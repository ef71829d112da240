"""Payment configurations of a WABA (payments in India), none of which Meta's spec lists.

Shapes from Meta's "Payments API — onboarding APIs" pages
(https://developers.facebook.com/docs/whatsapp/cloud-api/payments-api/payments-in/onboarding-apis):
a configuration links a payment gateway (Razorpay, PayU, Zaakpay) or a UPI
VPA to the WABA under a ``configuration_name`` that order messages then name.
Gateways are linked through an OAuth URL the business opens.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

from .._facts import is_ascii_digits
from ._checks import max_len, one_of
from .shared import ApiRequest, SuccessResponse

__all__ = [
    "CreatePaymentConfigurationRequest",
    "DeletePaymentConfigurationRequest",
    "GeneratePaymentOAuthLinkRequest",
    "GetPaymentConfigurationRequest",
    "ListPaymentConfigurationsRequest",
    "PaymentConfiguration",
    "PaymentConfigurationList",
    "PaymentConfigurationResult",
    "PaymentConfigurations",
    "PaymentOAuthLink",
    "PaymentProvider",
    "UpdatePaymentConfigurationRequest",
]

#: ``upi_vpa`` needs ``merchant_vpa``; the gateways need the OAuth link instead.
PaymentProvider = Literal["upi_vpa", "razorpay", "payu", "zaakpay"]
_PROVIDERS = frozenset(PaymentProvider.__args__)  # type: ignore[attr-defined]


def _config_name(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Meta: up to 60 characters, letters, digits, '_' and '-'.
    if not isinstance(value, str) or not 1 <= len(value) <= 60:
        raise ValueError(f"{attribute.name} must be 1 to 60 characters")
    if not all(c.isascii() and (c.isalnum() or c in "_-") for c in value):
        raise ValueError(f"{attribute.name} may hold only ASCII letters, digits, '_' and '-'")


def _mcc(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (
        not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) != 4
    ):
        raise ValueError(f"{attribute.name} must be a 4-digit merchant category code, got {value!r}")


def _purpose(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    ok = is_ascii_digits(value) and 2 <= len(value) <= 4
    if value is not None and not ok:
        raise ValueError(f"{attribute.name} must be a 2-4 digit UPI purpose code (e.g. '00'), got {value!r}")


def _url(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.startswith("https://")):
        raise ValueError(f"{attribute.name} must be an https:// URL")


@attrs.frozen(kw_only=True)
class CodeDescription:
    code: str
    description: str | None = None


@attrs.frozen(kw_only=True)
class PaymentConfiguration:
    """A payment configuration of the WABA (India): provider, merchant and status."""

    configuration_name: str
    provider_name: str | None = None
    provider_mid: str | None = None
    merchant_vpa: str | None = None
    status: str | None = None
    merchant_category_code: CodeDescription | None = None
    purpose_code: CodeDescription | None = None
    created_timestamp: int | None = None
    updated_timestamp: int | None = None


@attrs.frozen(kw_only=True)
class PaymentConfigurations:
    """``GET .../payment_configuration/{name}``: the one configuration in a ``data`` list."""

    data: list[PaymentConfiguration] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class PaymentConfigurationGroup:
    payment_configurations: list[PaymentConfiguration] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class PaymentConfigurationList:
    """``GET .../payment_configurations``: Meta nests the list one level (``data[].payment_configurations``)."""

    data: list[PaymentConfigurationGroup] = attrs.field(factory=list)

    @property
    def configurations(self) -> list[PaymentConfiguration]:
        """Every configuration of every group of the answer, flattened."""
        return [c for group in self.data for c in group.payment_configurations]


@attrs.frozen(kw_only=True)
class PaymentConfigurationResult:
    """``oauth_url`` (and its ``expiration``) when the gateway still needs linking."""

    success: bool
    oauth_url: str | None = None
    expiration: int | None = None


@attrs.frozen(kw_only=True)
class PaymentOAuthLink:
    """A link for the merchant to connect the payment gateway, valid until ``expiration``."""

    oauth_url: str
    expiration: int | None = None


@attrs.frozen(kw_only=True)
class ListPaymentConfigurationsRequest(ApiRequest[PaymentConfigurationList]):
    """``GET /{business_account_id}/payment_configurations``."""

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/payment_configurations"
    idempotent: ClassVar[bool] = True


@attrs.frozen(kw_only=True)
class GetPaymentConfigurationRequest(ApiRequest[PaymentConfigurations]):
    """``GET /{business_account_id}/payment_configuration/{configuration_name}``."""

    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/payment_configuration/{configuration_name}"
    idempotent: ClassVar[bool] = True

    configuration_name: str = attrs.field(validator=_config_name)


@attrs.frozen(kw_only=True)
class CreatePaymentConfigurationRequest(ApiRequest[PaymentConfigurationResult]):
    """``POST /{business_account_id}/payment_configuration``; a UPI VPA needs ``merchant_vpa``."""

    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/payment_configuration"

    configuration_name: str = attrs.field(validator=_config_name)
    provider_name: PaymentProvider = attrs.field(validator=one_of(_PROVIDERS))
    purpose_code: str = attrs.field(validator=_purpose)
    merchant_category_code: str = attrs.field(validator=_mcc)
    merchant_vpa: str | None = attrs.field(default=None, validator=max_len(256, min_len=3))
    redirect_url: str | None = attrs.field(default=None, validator=_url)

    def __attrs_post_init__(self) -> None:
        if self.provider_name == "upi_vpa" and self.merchant_vpa is None:
            raise ValueError("merchant_vpa is required for provider_name='upi_vpa'")
        if self.provider_name != "upi_vpa" and self.merchant_vpa is not None:
            raise ValueError("merchant_vpa applies only to provider_name='upi_vpa'")


@attrs.frozen(kw_only=True)
class UpdatePaymentConfigurationRequest(ApiRequest[PaymentConfigurationResult]):
    """``POST /{business_account_id}/payment_configuration/{configuration_name}`` (sets the same on repeat)."""

    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/payment_configuration/{configuration_name}"
    idempotent: ClassVar[bool] = True

    configuration_name: str = attrs.field(validator=_config_name)
    purpose_code: str | None = attrs.field(default=None, validator=_purpose)
    merchant_category_code: str | None = attrs.field(default=None, validator=_mcc)
    merchant_vpa: str | None = attrs.field(default=None, validator=max_len(256, min_len=3))
    redirect_url: str | None = attrs.field(default=None, validator=_url)

    def __attrs_post_init__(self) -> None:
        if all(
            v is None
            for v in (self.purpose_code, self.merchant_category_code, self.merchant_vpa, self.redirect_url)
        ):
            raise ValueError(
                "update needs at least one of purpose_code, merchant_category_code, merchant_vpa, redirect_url"
            )


@attrs.frozen(kw_only=True)
class GeneratePaymentOAuthLinkRequest(ApiRequest[PaymentOAuthLink]):
    """``POST /{business_account_id}/generate_payment_configuration_oauth_link``: a fresh gateway link."""

    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/generate_payment_configuration_oauth_link"

    configuration_name: str = attrs.field(validator=_config_name)
    redirect_url: str | None = attrs.field(default=None, validator=_url)


@attrs.frozen(kw_only=True)
class DeletePaymentConfigurationRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{business_account_id}/payment_configuration`` with a JSON body naming the configuration."""

    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{business_account_id}/payment_configuration"
    encoding: ClassVar[Any] = "json"
    idempotent: ClassVar[bool] = True

    configuration_name: str = attrs.field(validator=_config_name)
