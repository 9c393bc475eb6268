"""Maison Demo's refund terms and its opening stock: what the money story starts from."""

from __future__ import annotations

from datetime import datetime
from random import Random
from typing import Any

from sqlalchemy import select

from retour.db.models import Variant
from retour.db.unit_of_work import UnitOfWork
from retour.demo.catalog import PRODUCTS, SIZE_WEIGHTS, SIZES
from retour.services.context import Actor
from retour.services.stock_adjustments import adjust_stock

#: The terms on Maison Demo's returns page, the one place the demo sets them.
MONEY_SETTINGS: dict[str, Any] = {
    # Money back to the card keeps 10 % of the items, and 3.95 € when the shopper used the
    # shop's prepaid label or drop-off code; merchant-fault returns pay neither.
    "restocking_fee_bp": 1000,
    "return_shipping_fee": 395,
    # Store credit and exchanges keep the sale, so they cost the shopper nothing ...
    "waive_fees_for_store_credit": True,
    "waive_fees_for_exchange": True,
    # ... and store credit earns 5 % more, at most 15 € a return, spendable for a year.
    "store_credit_bonus_bp": 500,
    "store_credit_bonus_cap": 1500,
    "store_credit_expiry_days": 365,
    # An exchange whose size ran out becomes store credit, not money back.
    "exchange_fallback": "store_credit",
    # Staff pay back by hand after inspection (the demo has no payment provider).
    "auto_refund": "off",
    "refund_original_shipping": False,
}
_PRODUCTS = {product.code: product for product in PRODUCTS}


def load_opening_stock(
    uow: UnitOfWork, store_id: int, rng: Random, actor: Actor, at: datetime
) -> int:
    """Count sellable units of every variant into the default location, more of the pieces
    and sizes that sell best; returns the units counted."""
    total = 0
    with uow:
        # Sorted here, not by the database: collations differ between engines.
        skus = sorted(uow.session.scalars(select(Variant.sku).where(Variant.store_id == store_id)))
        for sku in skus:
            units = _opening_units(rng, sku)
            adjust_stock(
                uow, store_id, sku=sku, quantity=units, actor=actor, now=at, note="opening stock"
            )
            total += units
        uow.commit()
    return total


def _opening_units(rng: Random, sku: str) -> int:
    code, size, _ = sku.rsplit("-", 2)
    demand = _PRODUCTS[code].popularity * SIZE_WEIGHTS[SIZES.index(size)] / 25
    return max(1, round(demand * rng.uniform(0.6, 1.4)))
