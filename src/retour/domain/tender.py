"""Split tender: which of an order's payments a refund goes back to, and how much to each.

The documented order: payments the shopper can be paid back on directly (cards, wallets,
bank transfers) first, in the order they were taken; then gift cards and store credit the shop
accepted, last, so that money goes back where it came from before it becomes gift-card value.
Each payment gets at most what it captured less what earlier refunds already took from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retour.domain.errors import QuantityExceeded

#: Gateways refunded last.
STORED_VALUE_GATEWAYS = frozenset({"gift_card", "store_credit"})


@dataclass(frozen=True)
class PaymentBalance:
    payment_id: int
    gateway: str
    captured: int
    refunded: int = 0

    @property
    def remaining(self) -> int:
        return max(self.captured - self.refunded, 0)


@dataclass(frozen=True)
class TenderPart:
    payment_id: int
    gateway: str
    amount: int


def refund_order(payments: Sequence[PaymentBalance]) -> list[PaymentBalance]:
    """`payments` in the order refunds go back to them."""
    return sorted(
        payments, key=lambda p: (p.gateway.lower() in STORED_VALUE_GATEWAYS, p.payment_id)
    )


def split_refund(amount: int, payments: Sequence[PaymentBalance]) -> list[TenderPart]:
    """Spread `amount` over `payments` in refund order, each up to what it still holds."""
    if amount < 0:
        raise ValueError("a refund amount is never negative")
    available = sum(payment.remaining for payment in payments)
    if amount > available:
        raise QuantityExceeded(
            f"the order's payments hold only {available} more to refund",
            field="amount",
            maximum=available,
        )
    parts: list[TenderPart] = []
    left = amount
    for payment in refund_order(payments):
        if left == 0:
            break
        take = min(payment.remaining, left)
        if take > 0:
            parts.append(TenderPart(payment.payment_id, payment.gateway, take))
            left -= take
    return parts
