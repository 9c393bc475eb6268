"""Exchanges and replacements: the order a return turns into, and what it costs whom.

An exchange swaps returned units for other items: a variant of the same product (size,
colour) or any product, up to the returned value. A replacement re-sends the same items for
a merchant-fault claim (damaged, wrong, missing) and costs the shopper nothing.

The price difference is never absorbed silently: when the new items cost more, the shopper
owes the rest (`balance_due`) and the replacement is not released until it is paid; when they
cost less, the rest is paid back as store credit or a refund, as the store chooses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from retour.domain.errors import IllegalTransition, InvalidRequest


class ExchangeKind(StrEnum):
    #: Another size or colour of a returned product.
    SAME_PRODUCT = "same_product"
    #: Any product, up to the returned value (the shopper pays any difference).
    ANY_PRODUCT = "any_product"
    #: The same items again, for a merchant-fault claim; no difference either way.
    REPLACEMENT = "replacement"


class ReplacementStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    RELEASED = "released"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


_NEXT: dict[ReplacementStatus, frozenset[ReplacementStatus]] = {
    ReplacementStatus.DRAFT: frozenset({ReplacementStatus.PENDING, ReplacementStatus.CANCELLED}),
    ReplacementStatus.PENDING: frozenset({ReplacementStatus.RELEASED, ReplacementStatus.CANCELLED}),
    ReplacementStatus.RELEASED: frozenset({ReplacementStatus.SHIPPED, ReplacementStatus.CANCELLED}),
    ReplacementStatus.SHIPPED: frozenset(),
    ReplacementStatus.CANCELLED: frozenset(),
}
_VERB = {
    ReplacementStatus.PENDING: "reserve",
    ReplacementStatus.RELEASED: "release",
    ReplacementStatus.SHIPPED: "ship",
    ReplacementStatus.CANCELLED: "cancel",
}


def ensure_can_move(current: ReplacementStatus, target: ReplacementStatus) -> None:
    if target not in _NEXT[current]:
        raise IllegalTransition(_VERB.get(target, target.value), f"a {current.value} exchange")


#: Before release the shopper still owes a replacement's `balance_due`; releasing it needs
#: their payment, and a cancelled one is owed by nobody.
OWING_STATUSES = frozenset({ReplacementStatus.DRAFT, ReplacementStatus.PENDING})


def outstanding_balance(status: ReplacementStatus, balance_due: int) -> int:
    """What the shopper still owes for a replacement in `status`."""
    return balance_due if status in OWING_STATUSES else 0


def holds_stock(status: ReplacementStatus) -> bool:
    """Pending and released replacements hold reserved units until shipped or cancelled."""
    return status in (ReplacementStatus.PENDING, ReplacementStatus.RELEASED)


@dataclass(frozen=True)
class ChosenItem:
    variant_id: int
    product_id: int
    sku: str
    title: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class ExchangePricing:
    items_amount: int
    credit_amount: int

    @property
    def balance_due(self) -> int:
        """What the shopper still owes when the new items cost more than the return is worth."""
        return max(self.items_amount - self.credit_amount, 0)

    @property
    def leftover(self) -> int:
        """What the shopper gets back when the new items cost less."""
        return max(self.credit_amount - self.items_amount, 0)

    @property
    def credit_used(self) -> int:
        return min(self.items_amount, self.credit_amount)


def check_items(
    kind: ExchangeKind, items: Sequence[ChosenItem], returned_products: set[int]
) -> None:
    """Each chosen item must fit the kind (replacements are built from the return itself)."""
    if not items:
        raise InvalidRequest("choose at least one item", field="items")
    seen: set[int] = set()
    for index, item in enumerate(items):
        field = f"items[{index}]"
        if item.quantity < 1:
            raise InvalidRequest("quantity must be at least 1", field=f"{field}.quantity")
        if item.variant_id in seen:
            raise InvalidRequest(f"{item.sku} is listed twice", field=f"{field}.variant_id")
        seen.add(item.variant_id)
        if kind is ExchangeKind.SAME_PRODUCT and item.product_id not in returned_products:
            raise InvalidRequest(
                f"{item.sku} is not a variant of a returned product", field=f"{field}.variant_id"
            )


def price_exchange(
    kind: ExchangeKind,
    items: Sequence[ChosenItem],
    credit: int,
    returned_paid: int,
    returned_list: int,
) -> ExchangePricing:
    """What the new items cost the shopper, against what the return is worth (`credit`).

    Replacements cost nothing. Exchange items are priced the way the shopper's order priced
    the returned units: their list price scaled by what was paid for the returned units (with
    discounts and tax) over those units' list price. So a swap for an item of the same list
    price is even, and a dearer one costs the difference with the same tax and discount.
    """
    if kind is ExchangeKind.REPLACEMENT:
        return ExchangePricing(items_amount=credit, credit_amount=credit)
    listed = sum(item.unit_price * item.quantity for item in items)
    if returned_list <= 0:
        return ExchangePricing(items_amount=listed, credit_amount=credit)
    scaled = (listed * returned_paid + returned_list // 2) // returned_list
    return ExchangePricing(items_amount=scaled, credit_amount=credit)
