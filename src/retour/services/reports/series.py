"""The return rate over time: the period cut into days (or weeks), one return rate each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.services.reports.return_rate import return_rate
from retour.services.reports.scope import report_period

#: Periods up to this many days are cut into days; longer ones into weeks.
DAILY_UP_TO_DAYS = 31


@dataclass(frozen=True)
class RatePoint:
    """The return rate (docs/metrics.md) of the days `first_day` … `last_day`."""

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
    """One return rate per bucket, each computed by `return_rate` itself."""
    report_period(uow, store_id, first_day, last_day)
    points = []
    for start, end in buckets(first_day, last_day):
        rate = return_rate(uow, store_id, start, end, cohort)
        figures = (rate.orders, rate.returned_orders, rate.order_rate)
        units = (rate.units_sold, rate.units_returned, rate.unit_rate)
        points.append(RatePoint(start, end, *figures, *units))
    return points
