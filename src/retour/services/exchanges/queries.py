"""Read side of exchanges: the variant picker, and replacement orders for the shop to fulfil."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from retour.db.models import ReplacementOrderRow, StockLevel, Variant
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import StockBucket
from retour.services.returns.common import load_return


@dataclass(frozen=True)
class VariantOption:
    variant_id: int
    product_id: int
    sku: str
    title: str
    options: dict[str, object]
    unit_price: int
    in_stock: int


def exchange_options(uow: UnitOfWork, store_id: int, return_id: int) -> list[VariantOption]:
    """Every variant of the returned products, with its price and sellable stock."""
    with uow:
        ret = load_return(uow, store_id, return_id, for_update=False)
        location_id = uow.returns.location_of(ret)
        variant_ids = {line.variant_id for line in ret.lines if line.variant_id is not None}
        return variant_options(uow, store_id, variant_ids, location_id)


def variant_options(
    uow: UnitOfWork, store_id: int, variant_ids: Collection[int], location_id: int
) -> list[VariantOption]:
    """Every variant of the products of `variant_ids`, with its price and sellable stock at
    `location_id`; inside the caller's unit of work (the portal asks before a return exists)."""
    if not variant_ids:
        return []
    products = select(Variant.product_id).where(Variant.id.in_(variant_ids))
    statement = (
        select(Variant, StockLevel.quantity)
        .outerjoin(
            StockLevel,
            and_(
                StockLevel.variant_id == Variant.id,
                StockLevel.location_id == location_id,
                StockLevel.bucket == StockBucket.SELLABLE.value,
            ),
        )
        .where(Variant.store_id == store_id, Variant.product_id.in_(products))
        .order_by(Variant.product_id, Variant.id)
    )
    return [
        VariantOption(
            variant_id=variant.id,
            product_id=variant.product_id,
            sku=variant.sku,
            title=variant.title,
            options=dict(variant.options or {}),
            unit_price=variant.price,
            in_stock=max(int(quantity or 0), 0),
        )
        for variant, quantity in uow.session.execute(statement)
    ]


def list_exchanges(
    uow: UnitOfWork, store_id: int, status: str | None, after_id: int | None, limit: int
) -> list[ReplacementOrderRow]:
    """Oldest first, so a shop or WMS polling for `released` ones works through the queue."""
    with uow:
        statement = (
            select(ReplacementOrderRow)
            .where(ReplacementOrderRow.store_id == store_id)
            .options(selectinload(ReplacementOrderRow.lines))
            .order_by(ReplacementOrderRow.id)
            .limit(limit)
        )
        if status is not None:
            statement = statement.where(ReplacementOrderRow.status == status)
        if after_id is not None:
            statement = statement.where(ReplacementOrderRow.id > after_id)
        return list(uow.session.scalars(statement))
