"""The analytics dashboard: one period's reports, and its return rate against the period
before. Every figure comes from the report services (docs/metrics.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort, Period
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.reports.anomalies import AnomalyReport, find_return_anomalies
from retour.services.reports.breakdowns import (
    Grouping,
    ReasonCount,
    ResolutionMix,
    reasons_breakdown,
    resolution_mix,
)
from retour.services.reports.products import ProductReturns, top_returned_products
from retour.services.reports.return_rate import ReturnRate, return_rate
from retour.services.reports.scope import previous_period, report_period
from retour.services.reports.series import RatePoint, return_rate_series

#: The period the dashboard opens on: this many days up to today, store time.
DEFAULT_DAYS = 30
TOP_PRODUCTS = 10


@dataclass(frozen=True)
class Dashboard:
    period: Period
    previous: Period
    cohort: Cohort
    rate: ReturnRate
    previous_rate: ReturnRate
    series: list[RatePoint]
    reasons: list[ReasonCount]
    resolutions: ResolutionMix
    products: list[ProductReturns]
    anomalies: AnomalyReport

    @property
    def is_empty(self) -> bool:
        """Nothing sold and nothing returned in the period: no figure to show."""
        return self.rate.orders == 0 and self.rate.units_returned == 0 and not self.reasons


def default_period(now: datetime, timezone: str) -> tuple[date, date]:
    """The last `DEFAULT_DAYS` days, today included, in the store's timezone."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def dashboard(
    uow: UnitOfWork,
    staff: StaffMember,
    first_day: date,
    last_day: date,
    cohort: Cohort = Cohort.RETURN_DATE,
) -> Dashboard:
    """The dashboard of `first_day` … `last_day`, for staff who may view reports."""
    ensure_permitted(staff, Permission.VIEW_REPORTS)
    store_id = staff.store_id
    with uow:  # one transaction: every figure reads the same data
        period = report_period(uow, store_id, first_day, last_day)
        previous = previous_period(period)
        return Dashboard(
            period=period,
            previous=previous,
            cohort=cohort,
            rate=return_rate(uow, store_id, first_day, last_day, cohort),
            previous_rate=return_rate(uow, store_id, previous.first_day, previous.last_day, cohort),
            series=return_rate_series(uow, store_id, first_day, last_day, cohort),
            reasons=reasons_breakdown(uow, store_id, first_day, last_day, cohort, Grouping.REASON),
            resolutions=resolution_mix(uow, store_id, first_day, last_day, cohort),
            products=top_returned_products(
                uow, store_id, first_day, last_day, cohort, TOP_PRODUCTS
            ),
            anomalies=find_return_anomalies(uow, store_id, first_day, last_day),
        )
