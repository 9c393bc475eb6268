"""Why things come back and how they are settled: reasons per SKU, product or collection,
and the resolution mix with the revenue it retains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import distinct, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from retour.db.models import Product, Variant
from retour.db.models import ReturnLineFact as F
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import Resolution
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import ratio
from retour.services.reports.scope import fact_in_scope, open_scope


class Grouping(StrEnum):
    REASON = "reason"
    SKU = "sku"
    PRODUCT = "product"
    COLLECTION = "collection"


@dataclass(frozen=True)
class ReasonCount:
    #: The SKU, product handle or collection (empty for the reason-only grouping).
    key: str
    label: str
    reason_code: str
    returns: int
    units: int


@dataclass(frozen=True)
class ResolutionTotal:
    resolution: str
    currency: str
    lines: int
    units: int
    value: int


@dataclass(frozen=True)
class RetainedRevenue:
    currency: str
    returned_value: int
    retained_value: int
    rate: float | None


@dataclass(frozen=True)
class ResolutionMix:
    totals: list[ResolutionTotal]
    #: Per currency: store credit and exchange value ÷ all returned value.
    retained: list[RetainedRevenue]


#: Resolutions that keep the money in the store.
RETAINING = (Resolution.STORE_CREDIT, Resolution.EXCHANGE)


def reasons_breakdown(
    uow: UnitOfWork,
    store_id: int,
    first_day: date,
    last_day: date,
    cohort: Cohort,
    grouping: Grouping,
) -> list[ReasonCount]:
    """Returns and units per reason, and per SKU, product or collection; most units first."""
    key, label = _grouping_columns(grouping)
    grouped_by = [F.reason_code] if grouping is Grouping.REASON else [key]
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        statement = select(
            key.label("key"),
            label.label("label"),
            F.reason_code,
            func.count(distinct(F.return_id)),
            func.coalesce(func.sum(F.units), 0),
        ).where(fact_in_scope(scope), F.is_unexpected.is_(False))
        if grouping in (Grouping.PRODUCT, Grouping.COLLECTION):
            statement = statement.outerjoin(Variant, Variant.id == F.variant_id).outerjoin(
                Product, Product.id == Variant.product_id
            )
        rows = uow.session.execute(statement.group_by(*grouped_by, F.reason_code)).all()
    counts = [
        ReasonCount(key or "", label or "", reason, int(returns), int(units))
        for key, label, reason, returns, units in rows
    ]
    return sorted(counts, key=lambda count: (-count.units, count.key, count.reason_code))


def _grouping_columns(grouping: Grouping) -> tuple[ColumnElement[str], ColumnElement[str]]:
    """The key a grouping groups by and the label shown for it."""
    if grouping is Grouping.SKU:
        return F.sku.expression, func.max(F.title)
    if grouping is Grouping.PRODUCT:
        handle = func.coalesce(Product.handle, "")
        return handle, func.max(func.coalesce(Product.title, ""))
    if grouping is Grouping.COLLECTION:
        collection = func.coalesce(Product.collection, "")
        return collection, func.max(collection)
    return literal(""), literal("")


def resolution_mix(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> ResolutionMix:
    """Lines, units and value per resolution and currency; the share of value retained."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        statement = (
            select(
                F.resolution,
                F.currency,
                func.count(),
                func.coalesce(func.sum(F.units), 0),
                func.coalesce(func.sum(F.value), 0),
            )
            .where(fact_in_scope(scope), F.order_line_id.is_not(None))
            .group_by(F.resolution, F.currency)
            .order_by(F.currency, F.resolution)
        )
        totals = [
            ResolutionTotal(resolution, currency, int(lines), int(units), int(value or 0))
            for resolution, currency, lines, units, value in uow.session.execute(statement)
        ]
    return ResolutionMix(totals=totals, retained=_retained(totals))


def _retained(totals: list[ResolutionTotal]) -> list[RetainedRevenue]:
    returned: dict[str, int] = {}
    retained: dict[str, int] = {}
    for total in totals:
        returned[total.currency] = returned.get(total.currency, 0) + total.value
        if total.resolution in RETAINING:
            retained[total.currency] = retained.get(total.currency, 0) + total.value
    return [
        RetainedRevenue(
            currency,
            value,
            retained.get(currency, 0),
            ratio(retained.get(currency, 0), value),
        )
        for currency, value in sorted(returned.items())
    ]
