"""What became of returned items (dispositions, value recovered by restocking) and who
returns (repeat returners)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from retour.db.models import (
    InspectionRow,
    OrderLineRow,
    ReturnFact,
    ReturnLineFact,
)
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import Disposition
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import ratio
from retour.services.reports.scope import (
    fact_in_scope,
    open_scope,
    return_fact_in_scope,
)
from retour.services.reports.sql import line_value


@dataclass(frozen=True)
class DispositionTotal:
    disposition: str
    currency: str
    units: int
    #: What those units were sold for (line price after discounts, without tax).
    value: int


@dataclass(frozen=True)
class Dispositions:
    totals: list[DispositionTotal]
    #: Per currency: the value of the units put back into sellable stock.
    recovered_by_restocking: dict[str, int]


@dataclass(frozen=True)
class RepeatReturnerValue:
    currency: str
    returned_value: int
    repeat_value: int
    share: float | None


@dataclass(frozen=True)
class RepeatReturners:
    customers: int
    #: Customers with two or more returns in scope.
    repeat_customers: int
    share_of_customers: float | None
    value: list[RepeatReturnerValue]


def dispositions(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> Dispositions:
    """Accepted units per disposition and currency, from the inspections of returns in scope."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        fact = ReturnLineFact
        statement = (
            select(
                InspectionRow.disposition,
                fact.currency,
                func.sum(InspectionRow.quantity),
                func.coalesce(func.sum(line_value(InspectionRow.quantity)), 0),
            )
            .join(fact, fact.return_line_id == InspectionRow.return_line_id)
            .outerjoin(OrderLineRow, OrderLineRow.id == fact.order_line_id)
            .where(fact_in_scope(scope, counted_only=False), InspectionRow.is_accepted.is_(True))
            .group_by(InspectionRow.disposition, fact.currency)
            .order_by(fact.currency, InspectionRow.disposition)
        )
        totals = [
            DispositionTotal(disposition, currency, int(units), int(value))
            for disposition, currency, units, value in uow.session.execute(statement)
        ]
    recovered: dict[str, int] = {}
    for total in totals:
        if total.disposition == Disposition.RESTOCK:
            recovered[total.currency] = recovered.get(total.currency, 0) + total.value
    return Dispositions(totals=totals, recovered_by_restocking=recovered)


def repeat_returners(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> RepeatReturners:
    """Customers (by e-mail) with returns in scope; those with two or more, and their share of
    the returned value per currency.

    One pass over the returns' fact rows: grouped per customer and currency, each group knows
    its customer's returns in all currencies (a window over the customer), and exactly one
    group per customer (its first) counts the customer."""
    fact = ReturnFact
    valued = fact.valued_lines > 0
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        groups = (
            select(
                fact.currency,
                func.sum(fact.returned_value).filter(valued).label("value"),
                func.count().filter(valued).label("valued"),
                func.sum(func.count()).over(partition_by=fact.customer_email).label("returns"),
                func.row_number().over(partition_by=fact.customer_email).label("nth"),
            )
            .where(return_fact_in_scope(scope))
            .group_by(fact.customer_email, fact.currency)
            .subquery()
        )
        is_repeat = groups.c.returns >= 2
        first = groups.c.nth == 1
        statement = (
            select(
                groups.c.currency,
                func.coalesce(func.sum(groups.c.value), 0),
                func.coalesce(func.sum(case((is_repeat, groups.c.value), else_=0)), 0),
                func.coalesce(func.sum(groups.c.valued), 0),
                func.count().filter(first),
                func.count().filter(first & is_repeat),
            )
            .group_by(groups.c.currency)
            .order_by(groups.c.currency)
        )
        rows = uow.session.execute(statement).all()
    # A currency counts towards the value only with a line that has an order line to price it.
    values = [
        RepeatReturnerValue(currency, int(total), int(repeat), ratio(int(repeat), int(total)))
        for currency, total, repeat, lines, _, _ in rows
        if lines
    ]
    customers = (sum(int(row[4]) for row in rows), sum(int(row[5]) for row in rows))
    customer_count, repeat_count = int(customers[0]), int(customers[1])
    return RepeatReturners(
        customers=customer_count,
        repeat_customers=repeat_count,
        share_of_customers=ratio(repeat_count, customer_count),
        value=values,
    )
