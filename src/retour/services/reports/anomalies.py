"""Anomaly alerts: SKU × reason pairs coming back far more than their own baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from retour.db.models import ReturnLineFact as F
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.anomalies import Anomaly, AnomalyRules, SkuReasonHistory, find_anomalies
from retour.domain.reports.periods import Cohort, Period
from retour.services.reports.rollups import units_sold_per_sku
from retour.services.reports.scope import NOT_RETURNED, open_scope

#: Days of history a SKU × reason is compared with: the days just before the period.
BASELINE_DAYS = 90


@dataclass(frozen=True)
class AnomalyReport:
    date_from: date
    date_to: date
    baseline_from: date
    baseline_to: date
    rules: AnomalyRules
    anomalies: list[Anomaly]


def find_return_anomalies(
    uow: UnitOfWork,
    store_id: int,
    first_day: date,
    last_day: date,
    rules: AnomalyRules | None = None,
) -> AnomalyReport:
    """SKU × reason pairs whose returns (by request date) in the period are well above what
    their rate over the 90 days before predicts; strongest first."""
    rules = rules or AnomalyRules()
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, Cohort.RETURN_DATE)
        period = scope.period
        baseline = period.preceding(BASELINE_DAYS)
        in_period = F.requested_at >= period.start
        returns = func.sum(case((in_period, 1), else_=0))
        returned = (
            select(
                F.sku,
                func.max(F.title),
                F.reason_code,
                returns,
                func.sum(case((in_period, 0), else_=1)),
            )
            .where(
                F.store_id == store_id,
                F.requested_at >= baseline.start,
                F.requested_at < period.end,
                F.status.not_in([status.value for status in NOT_RETURNED]),
                F.is_unexpected.is_(False),
            )
            .group_by(F.sku, F.reason_code)
            .having(returns >= rules.min_returns)
        )
        candidates = uow.session.execute(returned).all()
        sold = _units_sold(uow, store_id, baseline, period, {row[0] for row in candidates})
    histories = [
        SkuReasonHistory(
            sku=sku,
            title=title,
            reason_code=reason,
            returns=int(current),
            sold=sold.get(sku, (0, 0))[0],
            baseline_returns=int(before),
            baseline_sold=sold.get(sku, (0, 0))[1],
            days=period.days,
            baseline_days=BASELINE_DAYS,
        )
        for sku, title, reason, current, before in candidates
    ]
    return AnomalyReport(
        date_from=first_day,
        date_to=last_day,
        baseline_from=baseline.first_day,
        baseline_to=baseline.last_day,
        rules=rules,
        anomalies=find_anomalies(histories, rules),
    )


def _units_sold(
    uow: UnitOfWork, store_id: int, baseline: Period, period: Period, skus: set[str]
) -> dict[str, tuple[int, int]]:
    """Units of each SKU ordered in the period and in the baseline."""
    current = units_sold_per_sku(uow, store_id, period, skus)
    before = units_sold_per_sku(uow, store_id, baseline, skus)
    return {sku: (current.get(sku, 0), before.get(sku, 0)) for sku in current.keys() | before}
