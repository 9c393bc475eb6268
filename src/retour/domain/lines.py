"""Return lines and their separate axes: quantities, reason, inspection, disposition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from retour.domain.errors import InvariantViolation


class Resolution(StrEnum):
    REFUND = "refund"
    STORE_CREDIT = "store_credit"
    EXCHANGE = "exchange"
    REPLACEMENT = "replacement"
    KEEP_ITEM = "keep_item"


class ReturnMethod(StrEnum):
    PREPAID_LABEL = "prepaid_label"
    QR_DROP_OFF = "qr_drop_off"
    SHIP_YOURSELF = "ship_yourself"
    IN_STORE = "in_store"
    #: Returnless: the shopper keeps the item, nothing is shipped.
    KEEP_ITEM = "keep_item"


#: The parcel travels on the merchant's label or drop-off code: return shipping fees and the
#: label's cost apply.
MERCHANT_SHIPPING_METHODS = frozenset({ReturnMethod.PREPAID_LABEL, ReturnMethod.QR_DROP_OFF})


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Disposition(StrEnum):
    RESTOCK = "restock"
    REFURBISH = "refurbish"
    RETURN_TO_VENDOR = "return_to_vendor"
    LIQUIDATE = "liquidate"
    DONATE = "donate"
    DISPOSE = "dispose"


class StockBucket(StrEnum):
    SELLABLE = "sellable"
    QUARANTINE = "quarantine"
    REFURB = "refurb"
    WRITTEN_OFF = "written_off"
    #: Sellable units held for an exchange's replacement until it ships or is released.
    RESERVED = "reserved"


#: Where an inspected unit's stock goes, by disposition.
BUCKET_FOR_DISPOSITION: dict[Disposition, StockBucket] = {
    Disposition.RESTOCK: StockBucket.SELLABLE,
    Disposition.REFURBISH: StockBucket.REFURB,
    Disposition.RETURN_TO_VENDOR: StockBucket.QUARANTINE,
    Disposition.LIQUIDATE: StockBucket.QUARANTINE,
    Disposition.DONATE: StockBucket.WRITTEN_OFF,
    Disposition.DISPOSE: StockBucket.WRITTEN_OFF,
}


@dataclass
class Inspection:
    """The verdict on some units of one line: accepted or rejected, graded, routed."""

    quantity: int
    is_accepted: bool
    grade: Grade
    disposition: Disposition
    note: str
    inspected_at: datetime
    id: int | None = None
    #: Units that were not the line's item (counted in its wrong items); never stocked as it.
    is_wrong_item: bool = False
    #: What arrived instead, when the warehouse said (a SKU; "" unknown).
    arrived_sku: str = ""


@dataclass
class ReturnLine:
    order_line_id: int | None
    variant_id: int | None
    sku: str
    title: str
    reason_code: str
    reason_note: str
    resolution: Resolution
    requested_quantity: int
    approved_quantity: int = 0
    received_quantity: int = 0
    wrong_item_quantity: int = 0
    #: Received in the parcel but never asked for; it holds nothing of the order.
    is_unexpected: bool = False
    inspections: list[Inspection] = field(default_factory=list)
    id: int | None = None

    @property
    def accepted_quantity(self) -> int:
        return sum(i.quantity for i in self.inspections if i.is_accepted)

    @property
    def rejected_quantity(self) -> int:
        return sum(i.quantity for i in self.inspections if not i.is_accepted)

    @property
    def inspected_quantity(self) -> int:
        return sum(i.quantity for i in self.inspections)

    @property
    def refused_quantity(self) -> int:
        """Units of the line's own item rejected at inspection (wrong items aside)."""
        return sum(
            i.quantity for i in self.inspections if not i.is_accepted and not i.is_wrong_item
        )

    @property
    def wrong_items_awaiting_inspection(self) -> int:
        inspected = sum(i.quantity for i in self.inspections if i.is_wrong_item)
        return self.wrong_item_quantity - inspected

    @property
    def awaiting_receipt_quantity(self) -> int:
        if self.is_unexpected:
            return 0
        return self.approved_quantity - self.received_quantity

    @property
    def is_quantity_editable(self) -> bool:
        """A planned line none of whose units arrived yet: its approved units may still change
        (domain/quantity_edits.py)."""
        return not self.is_unexpected and self.received_quantity == 0

    @property
    def awaiting_inspection_quantity(self) -> int:
        return self.received_quantity - self.inspected_quantity

    def check_invariants(self) -> None:
        """requested ≥ approved ≥ received ≥ accepted + rejected, wrong items among received."""
        quantities = (
            self.requested_quantity,
            self.approved_quantity,
            self.received_quantity,
            self.wrong_item_quantity,
        )
        if min(quantities) < 0 or any(i.quantity <= 0 for i in self.inspections):
            raise InvariantViolation(f"line {self.sku}: negative quantity")
        if self.is_unexpected:
            if self.requested_quantity or self.approved_quantity:
                raise InvariantViolation(f"unexpected line {self.sku} was requested or approved")
        elif not self.requested_quantity >= self.approved_quantity >= self.received_quantity:
            raise InvariantViolation(f"line {self.sku}: requested ≥ approved ≥ received broken")
        if self.inspected_quantity > self.received_quantity:
            raise InvariantViolation(f"line {self.sku}: more inspected than received")
        if self.wrong_item_quantity > self.received_quantity:
            raise InvariantViolation(f"line {self.sku}: more wrong items than received")
        if self.wrong_items_awaiting_inspection < 0:
            raise InvariantViolation(f"line {self.sku}: more wrong items inspected than received")
