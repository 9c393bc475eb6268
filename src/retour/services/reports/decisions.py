"""What the return policy decided on the returns in scope, and how risky they looked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from retour.db.models import ReturnFact, ReturnRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.services.reports.scope import open_scope, return_fact_in_scope

#: Width of a risk band: 0–9, 10–19, …, 90–100.
RISK_BAND = 10
NO_POLICY = "none"


@dataclass(frozen=True)
class DecisionCount:
    #: approve, review or reject as the policy decided; `none` without a policy.
    outcome: str
    #: Staff overrode the policy when the return was requested.
    is_overridden: bool
    #: Where the returns are now (a reviewed return ends approved or rejected by staff).
    status: str
    returns: int


@dataclass(frozen=True)
class RiskBand:
    #: Lowest score of the band; None for returns that were never scored.
    low: int | None
    high: int | None
    returns: int


def policy_decisions(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> list[DecisionCount]:
    """Returns per policy outcome, override and current status (rejected ones included)."""
    outcome = func.coalesce(
        ReturnRow.policy_decision[("decision", "outcome")].as_string(), NO_POLICY
    )
    is_overridden = ReturnRow.policy_decision[("override", "reason")].as_string().is_not(None)
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        statement = (
            select(outcome, is_overridden, ReturnRow.status, func.count())
            .join(ReturnFact, ReturnFact.return_id == ReturnRow.id)
            .where(return_fact_in_scope(scope, counted_only=False))
            .group_by(outcome, is_overridden, ReturnRow.status)
        )
        rows = uow.session.execute(statement).all()
    counts = [
        DecisionCount(found, bool(overridden), status, int(returns))
        for found, overridden, status, returns in rows
    ]
    return sorted(counts, key=lambda count: (count.outcome, count.is_overridden, count.status))


def risk_distribution(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> list[RiskBand]:
    """Returns per risk band (scores 0–100 in bands of ten; 100 falls in the last band)."""
    band = case(
        (ReturnRow.risk_score.is_(None), -1),
        (ReturnRow.risk_score >= 100, 90),
        else_=(ReturnRow.risk_score // RISK_BAND) * RISK_BAND,
    )
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        statement = (
            select(band, func.count())
            .join(ReturnFact, ReturnFact.return_id == ReturnRow.id)
            .where(return_fact_in_scope(scope, counted_only=False))
            .group_by(band)
            .order_by(band)
        )
        rows = uow.session.execute(statement).all()
    return [
        RiskBand(None, None, int(returns))
        if low < 0
        else RiskBand(int(low), 100 if low == 90 else int(low) + RISK_BAND - 1, int(returns))
        for low, returns in rows
    ]
