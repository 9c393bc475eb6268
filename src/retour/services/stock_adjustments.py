"""Stock counted in the warehouse: load opening stock or correct a level, as one movement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from retour.db.models import InventoryLocation, StockLevel
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.lines import StockBucket
from retour.services.context import Actor

#: Buckets staff may adjust by hand; reserved stock moves only with its exchange.
ADJUSTABLE_BUCKETS = frozenset(
    {StockBucket.SELLABLE, StockBucket.QUARANTINE, StockBucket.REFURB, StockBucket.WRITTEN_OFF}
)


def adjust_stock(
    uow: UnitOfWork,
    store_id: int,
    *,
    sku: str,
    quantity: int,
    actor: Actor,
    now: datetime,
    bucket: StockBucket = StockBucket.SELLABLE,
    location_code: str | None = None,
    note: str = "",
) -> int:
    """Add (or with a negative quantity, remove) units; returns the bucket's new level."""
    if quantity == 0:
        raise InvalidRequest("quantity must not be zero", field="quantity")
    if bucket not in ADJUSTABLE_BUCKETS:
        raise InvalidRequest(f"{bucket.value} stock cannot be adjusted by hand", field="bucket")
    with uow:
        variant_ids = uow.stores.variant_ids_by_sku(store_id, [sku])
        if sku.strip() not in variant_ids:
            raise InvalidRequest(f"no variant with SKU {sku!r} in this store", field="sku")
        variant_id = variant_ids[sku.strip()]
        location_id = _location(uow, store_id, location_code)
        level = uow.session.scalars(
            select(StockLevel.quantity).where(
                StockLevel.variant_id == variant_id,
                StockLevel.location_id == location_id,
                StockLevel.bucket == bucket.value,
            )
        ).one_or_none()
        new_level = (level or 0) + quantity
        if new_level < 0:
            raise InvalidRequest(
                f"only {level or 0} {bucket.value} units of {sku} to remove", field="quantity"
            )
        uow.inventory.move(
            store_id=store_id,
            variant_id=variant_id,
            location_id=location_id,
            bucket=bucket.value,
            quantity=quantity,
            cause="inventory.adjusted",
            occurred_at=now,
            note=note.strip() or f"adjusted by {actor}",
        )
        uow.commit()
    return new_level


def _location(uow: UnitOfWork, store_id: int, code: str | None) -> int:
    if code is None:
        return uow.inventory.default_location_id(store_id)
    statement = select(InventoryLocation.id).where(
        InventoryLocation.store_id == store_id, InventoryLocation.code == code
    )
    location_id = uow.session.scalars(statement).one_or_none()
    if location_id is None:
        raise InvalidRequest(f"no location {code!r} in this store", field="location")
    return location_id
