"""Which provider refunds a payment, by the gateway name the shop platform gave it."""

from __future__ import annotations

from collections.abc import Mapping

from retour.payments.base import PaymentProvider
from retour.settings import Settings


class PaymentProviders:
    """Providers by gateway name; a gateway without one cannot be refunded automatically."""

    def __init__(self, by_gateway: Mapping[str, PaymentProvider] | None = None) -> None:
        self._by_gateway = {name.lower(): provider for name, provider in (by_gateway or {}).items()}

    def for_gateway(self, gateway: str) -> PaymentProvider | None:
        return self._by_gateway.get(gateway.lower())

    def gateways(self) -> list[str]:
        return sorted(self._by_gateway)


NO_PROVIDERS = PaymentProviders()


def providers_from_settings(settings: Settings) -> PaymentProviders:
    """Stripe for its gateways when a key is set; no provider otherwise."""
    from retour.payments.stripe import stripe_provider_from_settings

    stripe = stripe_provider_from_settings(settings)
    if stripe is None:
        return NO_PROVIDERS
    return PaymentProviders({gateway: stripe for gateway in settings.stripe_gateways})
