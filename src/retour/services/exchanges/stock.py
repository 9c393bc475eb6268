"""Reserving and giving back a replacement's stock (all of it, or the units it no longer
sends): sellable ⇄ reserved, one movement each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from retour.db.models import ReplacementOrderRow, StockLevel
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import StockBucket


def sellable_units(uow: UnitOfWork, variant_id: int, location_id: int) -> int:
    """Sellable units now; on PostgreSQL the level row stays locked until commit."""
    statement = select(StockLevel.quantity).where(
        StockLevel.variant_id == variant_id,
        StockLevel.location_id == location_id,
        StockLevel.bucket == StockBucket.SELLABLE.value,
    )
    if uow.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return int(uow.session.scalars(statement).one_or_none() or 0)


def shortages(uow: UnitOfWork, replacement: ReplacementOrderRow) -> dict[str, int]:
    """SKU → units available, for each line there is not enough sellable stock for."""
    short = {}
    for line in replacement.lines:
        available = sellable_units(uow, line.variant_id, replacement.location_id)
        if available < line.quantity:
            short[line.sku] = available
    return short


def reserve_stock(uow: UnitOfWork, replacement: ReplacementOrderRow, now: datetime) -> None:
    _shift(uow, replacement, StockBucket.SELLABLE, StockBucket.RESERVED, "exchange.reserved", now)


def give_back_stock(uow: UnitOfWork, replacement: ReplacementOrderRow, now: datetime) -> None:
    _shift(uow, replacement, StockBucket.RESERVED, StockBucket.SELLABLE, "exchange.cancelled", now)


def ship_stock(uow: UnitOfWork, replacement: ReplacementOrderRow, now: datetime) -> None:
    """Reserved units leave the building."""
    for line in replacement.lines:
        uow.inventory.move(
            store_id=replacement.store_id,
            variant_id=line.variant_id,
            location_id=replacement.location_id,
            bucket=StockBucket.RESERVED.value,
            quantity=-line.quantity,
            cause="exchange.shipped",
            occurred_at=now,
            return_id=replacement.return_id,
            note=f"replacement {replacement.id}",
        )


def give_back_units(
    uow: UnitOfWork, replacement: ReplacementOrderRow, variant_id: int, units: int, now: datetime
) -> None:
    """Part of a reservation goes back to sellable: the replacement sends fewer units."""
    _shift_units(
        uow, replacement, variant_id, units,
        StockBucket.RESERVED, StockBucket.SELLABLE, "exchange.reduced", now,
    )  # fmt: skip


def _shift(
    uow: UnitOfWork,
    replacement: ReplacementOrderRow,
    source: StockBucket,
    target: StockBucket,
    cause: str,
    now: datetime,
) -> None:
    for line in replacement.lines:
        _shift_units(uow, replacement, line.variant_id, line.quantity, source, target, cause, now)


def _shift_units(
    uow: UnitOfWork,
    replacement: ReplacementOrderRow,
    variant_id: int,
    units: int,
    source: StockBucket,
    target: StockBucket,
    cause: str,
    now: datetime,
) -> None:
    for bucket, quantity in ((source, -units), (target, units)):
        uow.inventory.move(
            store_id=replacement.store_id,
            variant_id=variant_id,
            location_id=replacement.location_id,
            bucket=bucket.value,
            quantity=quantity,
            cause=cause,
            occurred_at=now,
            return_id=replacement.return_id,
            note=f"replacement {replacement.id}",
        )
