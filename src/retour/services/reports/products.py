"""The most returned products (per SKU): units returned, their rate and the main reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import ratio
from retour.services.reports.breakdowns import Grouping, ReasonCount, reasons_breakdown
from retour.services.reports.rollups import units_sold_per_sku
from retour.services.reports.scope import open_scope


@dataclass(frozen=True)
class ProductReturns:
    sku: str
    title: str
    units_returned: int
    #: Units of the SKU on orders placed in the period.
    units_sold: int
    #: Units returned ÷ units sold; None when the period sold none.
    rate: float | None
    main_reason: str
    main_reason_units: int


def top_returned_products(
    uow: UnitOfWork,
    store_id: int,
    first_day: date,
    last_day: date,
    cohort: Cohort,
    limit: int = 10,
) -> list[ProductReturns]:
    """The `limit` SKUs with the most units returned, from the reasons breakdown per SKU."""
    with uow:
        per_reason = reasons_breakdown(uow, store_id, first_day, last_day, cohort, Grouping.SKU)
        by_sku: dict[str, list[ReasonCount]] = {}
        for count in per_reason:  # most units first: each SKU's first row is its main reason
            by_sku.setdefault(count.key, []).append(count)
        ranked = sorted(by_sku.items(), key=lambda item: (-sum(c.units for c in item[1]), item[0]))
        top = ranked[:limit]
        sold = _units_sold(uow, store_id, first_day, last_day, {sku for sku, _ in top})
    products = []
    for sku, counts in top:
        units = sum(count.units for count in counts)
        products.append(
            ProductReturns(
                sku=sku,
                title=counts[0].label,
                units_returned=units,
                units_sold=sold.get(sku, 0),
                rate=ratio(units, sold.get(sku, 0)),
                main_reason=counts[0].reason_code,
                main_reason_units=counts[0].units,
            )
        )
    return products


def _units_sold(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, skus: set[str]
) -> dict[str, int]:
    scope = open_scope(uow, store_id, first_day, last_day, Cohort.ORDER_DATE)
    return units_sold_per_sku(uow, store_id, scope.period, skus)
