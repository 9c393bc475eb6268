"""The built-in manual provider: staff moved the money elsewhere; Retour keeps the record."""

from __future__ import annotations

from retour.payments.base import ProviderRefundRequest, ProviderResult, ProviderStatus


class ManualProvider:
    """Succeeds at once; the reference is what staff typed (a bank or till reference)."""

    name = "manual"

    def __init__(self, reference: str = "") -> None:
        self._reference = reference

    def refund(self, request: ProviderRefundRequest) -> ProviderResult:
        return ProviderResult(ProviderStatus.SUCCEEDED, reference=self._reference)

    def fetch_refund(self, reference: str) -> ProviderResult:
        return ProviderResult(ProviderStatus.SUCCEEDED, reference=reference)
