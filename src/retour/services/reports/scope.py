"""What a report looks at: one store, a period of its calendar days, and a cohort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.sql.elements import ColumnElement

from retour.db.models import OrderRow, ReturnFact, ReturnLineFact, ReturnRow, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.reports.periods import Cohort, Period, make_period
from retour.domain.statuses import ReturnStatus
from retour.services.errors import NotFound

#: Returns that will not come back (or never will): left out of what counts as returned.
NOT_RETURNED = (ReturnStatus.REJECTED, ReturnStatus.CANCELLED, ReturnStatus.EXPIRED)


@dataclass(frozen=True)
class Scope:
    store_id: int
    store_currency: str
    period: Period
    cohort: Cohort


def open_scope(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> Scope:
    """The scope of a report, in the store's timezone (call inside `with uow:`).

    On PostgreSQL the report's transaction also runs without JIT compilation: a report's
    statements are planned as expensive (a year of rows), so PostgreSQL would compile them,
    which costs 100–200 ms each and saves less than that on a narrow fact table."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SET LOCAL jit = off"))
    store = uow.session.get(Store, store_id)
    if store is None:
        raise NotFound("store", store_id)
    period = make_period(first_day, last_day, store.timezone)
    return Scope(store_id, store.currency, period, cohort)


def report_period(uow: UnitOfWork, store_id: int, first_day: date, last_day: date) -> Period:
    """The period a report of these days covers, checked as every report checks it: callers
    that stream learn of a bad period before they start answering."""
    with uow:
        return open_scope(uow, store_id, first_day, last_day, Cohort.ORDER_DATE).period


def previous_period(period: Period) -> Period:
    """As many days as `period` has, just before it: what it is compared with."""
    return period.preceding(period.days)


def report_store(uow: UnitOfWork, slug: str | None) -> tuple[int, str]:
    """The id and slug of the store `slug`; without a slug, of the only store there is."""
    with uow:
        if slug is not None:
            store = uow.stores.by_slug(slug)
            if store is None:
                raise NotFound("store", slug)
            return store.id, store.slug
        found = uow.session.execute(select(Store.id, Store.slug).order_by(Store.id).limit(2))
        stores = [(store_id, store_slug) for store_id, store_slug in found]
    if len(stores) != 1:
        which = "no store" if not stores else "several stores"
        raise InvalidRequest(f"{which} in the database: name one", field="store")
    return stores[0]


def orders_in_period(scope: Scope) -> ColumnElement[bool]:
    """Orders of the store placed in the period."""
    return (
        (OrderRow.store_id == scope.store_id)
        & (OrderRow.placed_at >= scope.period.start)
        & (OrderRow.placed_at < scope.period.end)
    )


def return_in_scope(scope: Scope, *, counted_only: bool = True) -> ColumnElement[bool]:
    """Returns of the store that the cohort puts in the period: requested in it, or made
    against orders placed in it. `counted_only` leaves out rejected, cancelled and expired."""
    condition = ReturnRow.store_id == scope.store_id
    if scope.cohort is Cohort.RETURN_DATE:
        condition &= (ReturnRow.created_at >= scope.period.start) & (
            ReturnRow.created_at < scope.period.end
        )
    else:
        condition &= ReturnRow.order_id.in_(select(OrderRow.id).where(orders_in_period(scope)))
    if counted_only:
        condition &= ReturnRow.status.not_in([status.value for status in NOT_RETURNED])
    return condition


def fact_in_scope(scope: Scope, *, counted_only: bool = True) -> ColumnElement[bool]:
    """`return_in_scope` for the return lines' fact rows (db/models/report_rollups.py)."""
    return _facts_in_scope(ReturnLineFact, scope, counted_only)


def return_fact_in_scope(scope: Scope, *, counted_only: bool = True) -> ColumnElement[bool]:
    """`return_in_scope` for the returns' fact rows (one per return)."""
    return _facts_in_scope(ReturnFact, scope, counted_only)


def _facts_in_scope(
    fact: type[ReturnLineFact] | type[ReturnFact], scope: Scope, counted_only: bool
) -> ColumnElement[bool]:
    """Both fact tables keep the store, when the return was requested, when its order was
    placed and the return's status, under the same names."""
    moment = fact.requested_at if scope.cohort is Cohort.RETURN_DATE else fact.order_placed_at
    condition = (
        (fact.store_id == scope.store_id)
        & (moment >= scope.period.start)
        & (moment < scope.period.end)
    )
    if counted_only:
        condition &= fact.status.not_in([status.value for status in NOT_RETURNED])
    return condition
