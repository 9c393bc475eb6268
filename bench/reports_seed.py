"""A year of orders and returns for the reports benchmark, bulk-loaded with batched inserts.

Deterministic (seeded RNG), on SQLite or PostgreSQL through Retour's models: 60 SKUs in five
collections, orders of 1–3 lines (10 % in USD) with a weekly rhythm and a November–December
peak, a return on about a quarter of them with mixed reasons, resolutions, statuses, policy
decisions and risk scores, and for returns that got that far their milestone events,
inspections, refunds and labels.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from retour.db.engine import create_session_factory
from retour.db.models import (
    Event,
    InspectionRow,
    OrderLineRow,
    OrderRow,
    Product,
    RefundRow,
    ReturnLineRow,
    ReturnRow,
    ShipmentRow,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.services.stores import create_store

NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 365
BATCH = 5000
COLLECTIONS = ["Shirts", "Shoes", "Bags", "Socks", "Trousers"]
#: Share of orders with a return, per collection (apparel and shoes return most).
RETURN_SHARE = [0.30, 0.35, 0.12, 0.05, 0.28]
REASONS = ["too_small", "too_large", "changed_mind", "damaged", "defective", "not_as_described"]
RESOLUTIONS = ["refund", "refund", "refund", "store_credit", "exchange", "keep_item"]
#: Status, and how far the return got (milestones after the request).
STATUSES = [("completed", 4)] * 5 + [("received", 2), ("approved", 1), ("requested", 0),
                                     ("rejected", 0), ("cancelled", 0)]  # fmt: skip
MILESTONES = ["return.approved", "return.received", "return.inspected", "return.completed"]
DISPOSITIONS = ["restock", "restock", "restock", "refurbish", "dispose", "return_to_vendor"]
OUTCOMES = ["approve", "approve", "approve", "review", "reject"]

Rows = dict[Any, list[dict[str, Any]]]
MODELS = (OrderRow, OrderLineRow, ReturnRow, ReturnLineRow, Event, InspectionRow, RefundRow,
          ShipmentRow)  # fmt: skip


def seed(engine: Engine, orders: int, progress: Callable[[int], None]) -> tuple[int, int]:
    """The store's id and how many return lines it got; `progress(orders done)` per batch."""
    uow = UnitOfWork(create_session_factory(engine))
    opened = NOW - timedelta(days=DAYS + 1)
    store_id = create_store(
        uow, slug="bench", name="Bench", currency="EUR", timezone="Europe/Paris", now=opened
    )
    with engine.begin() as connection:
        connection.execute(insert(Product), [
            {"id": p, "store_id": store_id, "handle": f"product-{p}", "title": f"Product {p}",
             "collection": COLLECTIONS[p % 5], "tags": [], "is_returnable": True,
             "is_final_sale": False}
            for p in range(1, 21)
        ])  # fmt: skip
        connection.execute(insert(Variant), [
            {"id": v, "store_id": store_id, "product_id": (v - 1) // 3 + 1, "sku": f"SKU-{v}",
             "title": f"Variant {v}", "options": {}, "price": 1500 + 500 * (v % 12),
             "barcode": "", "weight_grams": 300}
            for v in range(1, 61)
        ])  # fmt: skip
    rng = random.Random(9)
    counter = {"line": 0, "return": 0, "return_line": 0, "event": 0, "refund": 0}
    days = _day_weights()
    for first in range(1, orders + 1, BATCH):
        rows: Rows = {model: [] for model in MODELS}
        for order_id in range(first, min(first + BATCH, orders + 1)):
            _order(rows, store_id, order_id, rng, days, counter)
        with engine.begin() as connection:
            for model in MODELS:
                if rows[model]:
                    connection.execute(insert(model), rows[model])
        progress(min(first + BATCH - 1, orders))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # The tables whose ids were given explicitly.
            for table in ("orders", "order_lines", "returns", "return_lines"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
        connection.exec_driver_sql("ANALYZE")
    return store_id, counter["return_line"]


def _day_weights() -> list[float]:
    """Cumulative weight of each of the DAYS days: weekends and the holiday peak sell more."""
    cumulative, total = [], 0.0
    for day in range(DAYS):
        moment = NOW - timedelta(days=DAYS - day)
        weight = 1.0 + 0.3 * (moment.weekday() >= 5)
        weight *= 1.0 + 1.5 * math.exp(-(((moment.timetuple().tm_yday - 340) / 18) ** 2))
        total += weight
        cumulative.append(total)
    return [value / total for value in cumulative]


def _order(rows: Rows, store_id: int, order_id: int, rng: random.Random, days: list[float],
           counter: dict[str, int]) -> None:  # fmt: skip
    day = min(bisect.bisect_left(days, rng.random()), DAYS - 1)
    placed = NOW - timedelta(days=DAYS - day, minutes=rng.randint(0, 1439))
    currency = "USD" if order_id % 10 == 0 else "EUR"
    email = f"shopper{rng.randint(1, 20000)}@example.test"
    rows[OrderRow].append({
        "id": order_id, "store_id": store_id, "platform_order_id": f"P{order_id}",
        "number": f"#{order_id}", "customer_email": email, "currency": currency,
        "placed_at": placed, "shipping_amount": 495, "shipping_tax": 99, "is_gift": False,
        "shipping_postal_code": "75011", "shipping_country": "FR", "source_hash": "",
        "created_at": placed, "updated_at": placed,
    })  # fmt: skip
    lines = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        counter["line"] += 1
        variant = rng.randint(1, 60)
        price, quantity = 1500 + 500 * (variant % 12), rng.choice((1, 1, 1, 2))
        lines.append((counter["line"], variant, quantity, price))
        rows[OrderLineRow].append({
            "id": counter["line"], "order_id": order_id, "store_id": store_id,
            "platform_line_id": f"L{counter['line']}", "variant_id": variant,
            "sku": f"SKU-{variant}", "title": f"Variant {variant}", "quantity": quantity,
            "unit_price": price, "line_discount": price // 10 if variant % 7 == 0 else 0,
            "order_discount_allocated": 0, "tax": price * quantity // 5,
        })  # fmt: skip
    collection = ((lines[0][1] - 1) // 3 + 1) % 5
    if rng.random() < RETURN_SHARE[collection] * 1.25:
        _return(rows, store_id, order_id, placed, currency, email, lines, rng, counter)


def _return(rows: Rows, store_id: int, order_id: int, placed: datetime, currency: str,
            email: str, lines: list[tuple[int, int, int, int]], rng: random.Random,
            counter: dict[str, int]) -> None:  # fmt: skip
    counter["return"] += 1
    return_id = counter["return"]
    requested = placed + timedelta(days=rng.randint(4, 35), hours=rng.randint(0, 23))
    status, reached = rng.choice(STATUSES)
    outcome = "reject" if status == "rejected" else rng.choice(OUTCOMES[:4])
    rows[ReturnRow].append({
        "id": return_id, "store_id": store_id, "order_id": order_id,
        "number": f"R-{100000 + return_id}", "customer_email": email, "currency": currency,
        "status": status, "resolution": "refund", "return_method": "prepaid_label",
        "location_id": 1, "customer_note": "", "staff_message": "", "tracking_number": "",
        "carrier": "", "created_at": requested, "updated_at": requested, "version": 1,
        "policy_version": 1, "risk_score": rng.randint(0, 100) if return_id % 8 else None,
        "policy_decision": {"decision": {"outcome": outcome, "rule_id": "r", "message": ""},
                            "override": None, "evaluation": None},
    })  # fmt: skip
    returned = [line for line in lines if rng.random() < 0.7] or lines[:1]
    moments = [requested]
    for _ in MILESTONES[:reached]:
        moments.append(moments[-1] + timedelta(hours=rng.randint(1, 96)))
    events = [("return.requested", requested), *zip(MILESTONES, moments[1:], strict=False)]
    for name, at in events:
        rows[Event].append({"store_id": store_id, "name": name, "actor": "system",
                            "occurred_at": at, "return_id": return_id, "order_id": order_id,
                            "payload": {}})  # fmt: skip
    for line_id, variant, quantity, _ in returned:
        counter["return_line"] += 1
        received = quantity if reached >= 2 else 0
        rows[ReturnLineRow].append({
            "id": counter["return_line"], "return_id": return_id, "store_id": store_id,
            "order_line_id": line_id, "variant_id": variant, "sku": f"SKU-{variant}",
            "title": f"Variant {variant}", "reason_code": REASONS[(variant + line_id) % 6],
            "reason_note": "", "resolution": rng.choice(RESOLUTIONS),
            "requested_quantity": quantity, "approved_quantity": quantity if reached else 0,
            "received_quantity": received, "wrong_item_quantity": 0, "is_unexpected": False,
        })  # fmt: skip
        if reached >= 3:
            rows[InspectionRow].append({
                "return_line_id": counter["return_line"], "store_id": store_id,
                "quantity": quantity, "is_accepted": True, "grade": "A",
                "disposition": rng.choice(DISPOSITIONS), "inspected_at": moments[3],
            })  # fmt: skip
    if reached >= 1:
        rows[ShipmentRow].append({
            "store_id": store_id, "return_id": return_id, "carrier": "builtin",
            "method": "prepaid_label", "status": "delivered", "label_status": "issued",
            "label_cost": 650, "currency": currency, "from_address": {}, "to_address": {},
            "idempotency_key": f"label-{return_id}", "created_by": "system",
            "created_at": moments[1], "updated_at": moments[1], "expires_at": moments[1],
        })  # fmt: skip
    if reached >= 3:
        counter["refund"] += 1
        amount = sum(quantity * price for _, _, quantity, price in returned)
        at = moments[3] + timedelta(hours=rng.randint(1, 48))
        rows[RefundRow].append({
            "store_id": store_id, "return_id": return_id, "order_id": order_id,
            "method": "original_payment", "provider": "manual", "status": "succeeded",
            "currency": currency, "amount": amount, "paid_amount": amount, "bonus_amount": 0,
            "fees_amount": 300 if return_id % 3 == 0 else 0,
            "idempotency_key": f"refund-{counter['refund']}", "actor": "system",
            "created_at": at, "updated_at": at, "succeeded_at": at,
        })  # fmt: skip
