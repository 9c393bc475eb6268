"""What the policy engine is asked about: an order, the items to return, the customer's past.

Amounts are integers in the minor unit of the policy's currency; datetimes are aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from retour.domain.refund_quote import PaidLine


@dataclass(frozen=True)
class OrderedItem:
    """One order line as the policy sees it: price, catalogue facts and fulfilment dates."""

    order_line_id: int
    sku: str
    title: str
    quantity: int
    fulfilled_quantity: int
    unit_price: int
    line_discount: int = 0
    #: This line's share of the order's discounts.
    order_discount: int = 0
    tax: int = 0
    #: The price the item was reduced from, when it was on sale (discounts count from it).
    compare_at_price: int | None = None
    product_id: str | None = None
    tags: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()
    #: The product is marked final sale in the catalogue.
    is_final_sale: bool = False
    #: Units of this line that other returns already hold.
    returned_quantity: int = 0
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None

    @cached_property
    def paid(self) -> PaidLine:
        """What the line cost the shopper (worked out once: every stage reads it)."""
        return PaidLine(
            self.order_line_id,
            self.quantity,
            self.unit_price,
            self.line_discount,
            self.order_discount,
            self.tax,
        )


@dataclass(frozen=True)
class OrderContext:
    """The order a return is asked for, and what the request knows around it."""

    order_id: int
    currency: str
    placed_at: datetime
    items: tuple[OrderedItem, ...]
    customer_email: str = ""
    shipping_address: str = ""
    shipping_country: str | None = None
    shipping_paid: int = 0
    #: Order-wide dates, used for items that carry none of their own.
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    is_gift: bool = False
    #: The country the parcel would be sent back from.
    return_country: str | None = None
    #: What the carrier quotes for this return's label, when known.
    label_cost: int | None = None
    #: The store's share of sold units that come back, in basis points, when known.
    store_return_rate_bp: int | None = None

    @cached_property
    def order_value(self) -> int:
        """What the order cost the shopper: items after discounts, tax and shipping."""
        paid = sum(item.paid.items_amount + item.tax for item in self.items)
        return paid + self.shipping_paid


@dataclass(frozen=True)
class CandidateLine:
    """Units of one order line the shopper wants to return, and why."""

    order_line_id: int
    quantity: int
    reason_code: str
    #: The store counts this reason as its own fault (damaged, defective, wrong item …).
    is_merchant_fault: bool = False
    comment: str = ""
    photo_count: int = 0


@dataclass(frozen=True)
class PastReturn:
    requested_at: datetime
    #: Days its window still had to run when it was requested, when known.
    days_left_in_window: int | None = None


@dataclass(frozen=True)
class CustomerHistory:
    """The customer's record with the store, this order included, this return not."""

    orders_count: int = 0
    items_bought: int = 0
    items_returned: int = 0
    #: Earlier returns that were not rejected or cancelled.
    returns: tuple[PastReturn, ...] = ()

    @property
    def return_rate_bp(self) -> int | None:
        if self.items_bought <= 0:
            return None
        return self.items_returned * 10_000 // self.items_bought

    def returns_since(self, since: datetime) -> int:
        return sum(1 for past in self.returns if past.requested_at > since)
