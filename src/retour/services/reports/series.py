"""The return rate over time: the period cut into days (or weeks), one return rate each.

Each bucket's figures are the return rate's (docs/metrics.md, `return_rate.py`) over the
bucket's days, computed for all buckets at once: sales from the sales tallies' days, returns
from the fact rows over the whole period grouped by which bucket a moment falls in (a CASE
over the buckets' ends, so both engines agree on the store's local days). Two queries
whatever the number of buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from retour.db.models import ReturnLineFact as F
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort, Period
from retour.domain.reports.statistics import ratio
from retour.services.reports.rollups import sold_per_day
from retour.services.reports.scope import Scope, fact_in_scope, open_scope

#: Periods up to this many days are cut into days; longer ones into weeks.
DAILY_UP_TO_DAYS = 31


@dataclass(frozen=True)
class RatePoint:
    """The return rate by orders and by units of the days `first_day` … `last_day`."""

    first_day: date
    last_day: date
    orders: int
    returned_orders: int
    order_rate: float | None
    units_sold: int
    units_returned: int
    unit_rate: float | None


def buckets(first_day: date, last_day: date) -> list[tuple[date, date]]:
    """Days, or for a longer period weeks from `first_day` (the last one possibly shorter)."""
    step = 1 if (last_day - first_day).days < DAILY_UP_TO_DAYS else 7
    cut: list[tuple[date, date]] = []
    start = first_day
    while start <= last_day:
        end = min(start + timedelta(days=step - 1), last_day)
        cut.append((start, end))
        start = end + timedelta(days=1)
    return cut


def return_rate_series(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> list[RatePoint]:
    """One return rate per bucket: what `return_rate` answers for each bucket's days."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        cut = buckets(first_day, last_day)
        ends = [Period(first, last, scope.period.timezone).end for first, last in cut]
        orders, units_sold = _sales(uow, scope, cut)
        returned_orders, units_returned = _returns(uow, scope, ends)
    return [
        RatePoint(
            first,
            last,
            orders.get(index, 0),
            returned_orders.get(index, 0),
            ratio(returned_orders.get(index, 0), orders.get(index, 0)),
            units_sold.get(index, 0),
            units_returned.get(index, 0),
            ratio(units_returned.get(index, 0), units_sold.get(index, 0)),
        )
        for index, (first, last) in enumerate(cut)
    ]


def _bucket(moment: InstrumentedAttribute[datetime], ends: list[datetime]) -> ColumnElement[int]:
    """The index of the bucket `moment` falls in (moments are already within the period)."""
    return case(*[(moment < end, index) for index, end in enumerate(ends)], else_=len(ends))


def _sales(
    uow: UnitOfWork, scope: Scope, cut: list[tuple[date, date]]
) -> tuple[dict[int, int], dict[int, int]]:
    """Orders and units sold per bucket, from the sales tallies' days."""
    orders: dict[int, int] = {}
    units: dict[int, int] = {}
    index = 0
    for day, (day_orders, day_units) in sorted(
        sold_per_day(uow, scope.store_id, scope.period).items()
    ):
        while cut[index][1] < day:
            index += 1
        orders[index] = orders.get(index, 0) + day_orders
        units[index] = units.get(index, 0) + day_units
    return orders, units


def _returns(
    uow: UnitOfWork, scope: Scope, ends: list[datetime]
) -> tuple[dict[int, int], dict[int, int]]:
    """Orders with a return and units asked back per bucket, from the fact rows."""
    moment = F.requested_at if scope.cohort is Cohort.RETURN_DATE else F.order_placed_at
    bucket = _bucket(moment, ends).label("bucket")
    priced = case((F.order_line_id.is_not(None), F.units), else_=0)
    statement = (
        select(bucket, func.count(distinct(F.order_id)), func.sum(priced))
        .where(fact_in_scope(scope))
        .group_by(bucket)
    )
    orders: dict[int, int] = {}
    units: dict[int, int] = {}
    for index, returned_orders, returned_units in uow.session.execute(statement):
        orders[int(index)] = int(returned_orders)
        if returned_units:
            units[int(index)] = int(returned_units)
    return orders, units
