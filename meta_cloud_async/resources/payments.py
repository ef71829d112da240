"""``wa.payments``: the WABA's payment configurations (India) and their gateway OAuth links."""

from __future__ import annotations

from ..types.payments import (
    CreatePaymentConfigurationRequest,
    DeletePaymentConfigurationRequest,
    GeneratePaymentOAuthLinkRequest,
    GetPaymentConfigurationRequest,
    ListPaymentConfigurationsRequest,
    PaymentConfigurationList,
    PaymentConfigurations,
    UpdatePaymentConfigurationRequest,
)
from ._base import Resource, endpoint

__all__ = ["Payments"]


class Payments(Resource):
    """Not in Meta's spec; shapes from its Payments API onboarding pages (see ``types.payments``)."""

    async def list(self) -> PaymentConfigurationList:
        """Every payment configuration of the WABA (``.configurations`` flattens Meta's nesting)."""
        return await self._client._call(ListPaymentConfigurationsRequest())

    async def get(self, configuration_name: str) -> PaymentConfigurations:
        """One configuration by name (Meta answers it in a one-item ``data`` list)."""
        return await self._client._call(GetPaymentConfigurationRequest(configuration_name=configuration_name))

    create = endpoint(CreatePaymentConfigurationRequest)
    update = endpoint(UpdatePaymentConfigurationRequest)
    generate_oauth_link = endpoint(GeneratePaymentOAuthLinkRequest)
    delete = endpoint(DeletePaymentConfigurationRequest)
