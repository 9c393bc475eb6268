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
    ReturnLineRow,
    ReturnRow,
)
from retour.db.unit_of_work import UnitOfWork
from retour.domain.lines import Disposition
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import ratio
from retour.services.reports.scope import (
    fact_in_scope,
    open_scope,
    return_fact_in_scope,
    return_in_scope,
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
        statement = (
            select(
                InspectionRow.disposition,
                ReturnRow.currency,
                func.sum(InspectionRow.quantity),
                func.coalesce(func.sum(line_value(InspectionRow.quantity)), 0),
            )
            .join(ReturnLineRow, ReturnLineRow.id == InspectionRow.return_line_id)
            .join(ReturnRow, ReturnRow.id == ReturnLineRow.return_id)
            .outerjoin(OrderLineRow, OrderLineRow.id == ReturnLineRow.order_line_id)
            .where(return_in_scope(scope, counted_only=False), InspectionRow.is_accepted.is_(True))
            .group_by(InspectionRow.disposition, ReturnRow.currency)
            .order_by(ReturnRow.currency, InspectionRow.disposition)
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
    the returned value per currency."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        per_customer = (
            select(ReturnFact.customer_email.label("email"), func.count().label("returns"))
            .where(return_fact_in_scope(scope))
            .group_by(ReturnFact.customer_email)
            .subquery()
        )
        customers = uow.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((per_customer.c.returns >= 2, 1), else_=0)), 0),
            ).select_from(per_customer)
        ).one()
        is_repeat = per_customer.c.returns >= 2
        line = ReturnLineFact
        value = (
            select(
                line.currency,
                func.coalesce(func.sum(line.value), 0),
                func.coalesce(func.sum(case((is_repeat, line.value), else_=0)), 0),
            )
            .join(ReturnFact, ReturnFact.return_id == line.return_id)
            .join(per_customer, per_customer.c.email == ReturnFact.customer_email)
            .where(fact_in_scope(scope), line.order_line_id.is_not(None))
            .group_by(line.currency)
            .order_by(line.currency)
        )
        values = [
            RepeatReturnerValue(currency, int(total), int(repeat), ratio(int(repeat), int(total)))
            for currency, total, repeat in uow.session.execute(value)
        ]
    customer_count, repeat_count = int(customers[0]), int(customers[1])
    return RepeatReturners(
        customers=customer_count,
        repeat_customers=repeat_count,
        share_of_customers=ratio(repeat_count, customer_count),
        value=values,
    )
