"""The scale store's rows, one order (and its return, if it gets one) at a time.

Rows are tuples in the column order of COLUMNS, so that PostgreSQL's COPY and SQLite's batched
inserts load the same data. Every draw comes from one seeded RNG and from the order's number in
the store, never from a database id, so the data is the same whatever else the database holds.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from retour.demo.scale_catalog import DAYS, NOW, CatalogVariant, VariantPicker

COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("id", "store_id", "platform_order_id", "number", "customer_email", "currency",
               "placed_at", "shipping_amount", "shipping_tax", "is_gift", "shipping_postal_code",
               "shipping_country", "source_hash", "created_at", "updated_at"),
    "order_lines": ("id", "order_id", "store_id", "platform_line_id", "variant_id", "sku",
                    "title", "quantity", "unit_price", "line_discount",
                    "order_discount_allocated", "tax"),
    "returns": ("id", "store_id", "order_id", "number", "customer_email", "currency", "status",
                "resolution", "return_method", "location_id", "customer_note", "staff_message",
                "tracking_number", "carrier", "created_at", "updated_at", "version",
                "policy_version", "risk_score", "policy_decision"),
    "return_lines": ("id", "return_id", "store_id", "order_line_id", "variant_id", "sku",
                     "title", "reason_code", "reason_note", "resolution", "requested_quantity",
                     "approved_quantity", "received_quantity", "wrong_item_quantity",
                     "is_unexpected"),
    "events": ("store_id", "name", "actor", "occurred_at", "return_id", "order_id", "payload"),
    "return_line_inspections": ("return_line_id", "store_id", "quantity", "is_accepted", "grade",
                                "disposition", "inspected_at"),
    "shipments": ("store_id", "return_id", "carrier", "method", "status", "label_status",
                  "label_cost", "currency", "from_address", "to_address", "idempotency_key",
                  "created_by", "created_at", "updated_at", "expires_at"),
    "refunds": ("store_id", "return_id", "order_id", "method", "provider", "status", "currency",
                "amount", "paid_amount", "bonus_amount", "fees_amount", "idempotency_key",
                "actor", "created_at", "updated_at", "succeeded_at"),
}  # fmt: skip

RESOLUTIONS = ("refund", "refund", "refund", "store_credit", "exchange", "keep_item")
#: The status a return ends in, and how many milestones after the request it reached.
OUTCOMES = [("completed", 4)] * 5 + [("received", 2), ("approved", 1), ("requested", 0),
                                     ("rejected", 0), ("cancelled", 0)]  # fmt: skip
#: Where a return stands when NOW came before its next milestone.
STATUS_AT = ("requested", "approved", "received", "inspected", "completed")
MILESTONES = ("return.approved", "return.received", "return.inspected", "return.completed")
DISPOSITIONS = ("restock", "restock", "restock", "refurbish", "dispose", "return_to_vendor")
DECISIONS = ("approve", "approve", "approve", "review")
LINE_COUNTS = (1, 1, 2, 2, 3)

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass
class Counts:
    """How many rows of each kind the store has so far (numbers within the store)."""

    orders: int = 0
    lines: int = 0
    returns: int = 0
    return_lines: int = 0
    refunds: int = 0


@dataclass
class Offsets:
    """The largest id each table had before the load: store-local numbers are added to it."""

    products: int = 0
    variants: int = 0
    orders: int = 0
    order_lines: int = 0
    returns: int = 0
    return_lines: int = 0


@dataclass
class OrderMaker:
    """Appends one order's rows (and its return's) to `rows` per call."""

    store_id: int
    location_id: int
    offsets: Offsets
    variants: VariantPicker
    days: list[float]
    customers: int
    rng: random.Random
    counts: Counts = field(default_factory=Counts)

    def order(self, rows: Rows) -> None:
        rng, counts, offsets = self.rng, self.counts, self.offsets
        counts.orders += 1
        number, order_id = counts.orders, offsets.orders + counts.orders
        day = min(bisect.bisect_left(self.days, rng.random()), DAYS - 1)
        placed = NOW - timedelta(days=DAYS - day) + timedelta(minutes=rng.randint(0, 1439))
        currency = "USD" if number % 10 == 0 else "EUR"
        email = f"shopper{rng.randint(1, self.customers)}@example.test"
        rows["orders"].append((
            order_id, self.store_id, f"P{number}", f"#{number}", email, currency, placed, 495, 99,
            False, "75011", "FR", "", placed, placed,
        ))  # fmt: skip
        returned: list[tuple[int, CatalogVariant, int]] = []
        for _ in range(rng.choice(LINE_COUNTS)):
            counts.lines += 1
            variant = self.variants.pick(rng)
            quantity = rng.choice((1, 1, 1, 2))
            line_id = offsets.order_lines + counts.lines
            variant_id = offsets.variants + variant.index
            rows["order_lines"].append((
                line_id, order_id, self.store_id, f"L{counts.lines}", variant_id,
                f"SKU-{variant.index}", f"Variant {variant.index}", quantity, variant.price,
                variant.price // 10 if variant.index % 7 == 0 else 0, 0,
                variant.price * quantity // 5,
            ))  # fmt: skip
            if rng.random() < variant.category.return_rate:
                returned.append((line_id, variant, quantity))
        if returned:
            self._return(rows, order_id, placed, currency, email, returned)

    def _return(self, rows: Rows, order_id: int, placed: datetime, currency: str, email: str,
                returned: list[tuple[int, CatalogVariant, int]]) -> None:  # fmt: skip
        rng, counts = self.rng, self.counts
        requested = placed + timedelta(days=rng.randint(4, 35), hours=rng.randint(0, 23))
        status, reached = rng.choice(OUTCOMES)
        moments = [requested]
        for _ in MILESTONES[:reached]:
            moments.append(moments[-1] + timedelta(hours=rng.randint(1, 96)))
        risk_score, resolutions = rng.randint(0, 100), [rng.choice(RESOLUTIONS) for _ in returned]
        decision = "reject" if status == "rejected" else rng.choice(DECISIONS)
        if requested > NOW:
            return  # not asked for yet
        if moments[-1] > NOW:  # the story goes on after NOW: it stands where NOW found it
            reached = sum(1 for moment in moments[1:] if moment <= NOW)
            status, moments = STATUS_AT[reached], moments[: reached + 1]
        counts.returns += 1
        number, store_id = counts.returns, self.store_id
        return_id = self.offsets.returns + number
        rows["returns"].append((
            return_id, store_id, order_id, f"R-{100000 + number}", email, currency, status,
            "refund", "prepaid_label", self.location_id, "", "", "", "", requested, moments[-1],
            1, 1, risk_score if number % 8 else None,
            {"decision": {"outcome": decision, "rule_id": "r", "message": ""}, "override": None,
             "evaluation": None},
        ))  # fmt: skip
        events = [("return.requested", requested), *zip(MILESTONES, moments[1:], strict=False)]
        for name, at in events:
            rows["events"].append((store_id, name, "system", at, return_id, order_id, {}))
        for (line_id, variant, quantity), resolution in zip(returned, resolutions, strict=True):
            counts.return_lines += 1
            return_line_id = self.offsets.return_lines + counts.return_lines
            rows["return_lines"].append((
                return_line_id, return_id, store_id, line_id, self.offsets.variants + variant.index,
                f"SKU-{variant.index}", f"Variant {variant.index}",
                rng.choice(variant.category.reasons), "", resolution, quantity,
                quantity if reached else 0, quantity if reached >= 2 else 0, 0, False,
            ))  # fmt: skip
            if reached >= 3:
                rows["return_line_inspections"].append((
                    return_line_id, store_id, quantity, True, "A", rng.choice(DISPOSITIONS),
                    moments[3],
                ))  # fmt: skip
        if reached >= 1:
            rows["shipments"].append((
                store_id, return_id, "builtin", "prepaid_label", "delivered", "issued", 650,
                currency, {}, {}, f"label-{number}", "system", moments[1], moments[1], moments[1],
            ))  # fmt: skip
        if reached >= 3:
            counts.refunds += 1
            amount = sum(quantity * variant.price for _, variant, quantity in returned)
            at = min(moments[3] + timedelta(hours=rng.randint(1, 48)), NOW)
            rows["refunds"].append((
                store_id, return_id, order_id, "original_payment", "manual", "succeeded",
                currency, amount, amount, 0, 300 if number % 3 == 0 else 0,
                f"refund-{counts.refunds}", "system", at, at, at,
            ))  # fmt: skip
