"""The small protocol every payment provider speaks, and the outcomes it reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class ProviderStatus(StrEnum):
    SUCCEEDED = "succeeded"
    #: Accepted by the provider but not final yet (e.g. some bank transfers); ask again later.
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True)
class ProviderRefundRequest:
    #: The payment's id at the provider, as the shop platform imported it
    #: (a Stripe PaymentIntent `pi_…` or Charge `ch_…`).
    payment_reference: str
    amount: int
    currency: str
    #: Stable per attempt: the same key never moves money twice at the provider.
    idempotency_key: str
    #: Shown in the provider's dashboard next to the refund.
    description: str = ""


@dataclass(frozen=True)
class ProviderResult:
    status: ProviderStatus
    #: The provider's id for the refund (e.g. `re_…`); empty when none was created.
    reference: str = ""
    #: Why it failed, in the provider's words; safe to show staff (never credentials).
    message: str = ""


class ProviderUnavailable(Exception):
    """The provider could not be reached or kept failing (timeouts, 429, 5xx after retries).

    The outcome is unknown: a retry must reuse the same idempotency key so that a refund the
    provider did make is not made twice.
    """


class PaymentProvider(Protocol):
    name: str

    def refund(self, request: ProviderRefundRequest) -> ProviderResult:
        """Refund `amount` of one payment. A decline is a FAILED result, not an exception."""
        ...

    def fetch_refund(self, reference: str) -> ProviderResult:
        """The current state of a refund created earlier (to settle PENDING ones)."""
        ...
