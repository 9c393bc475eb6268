"""Where the money of returns went: refunds per status, method and currency; what returns
cost (labels, handling) and the fees they brought in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from retour.db.models import RefundRow, ReturnFact, ShipmentRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.domain.statuses import ReturnStatus
from retour.services.reports.scope import open_scope, return_fact_in_scope

#: Returns whose parcel the warehouse has handled (some or all of it).
HANDLED = (
    ReturnStatus.PARTIALLY_RECEIVED,
    ReturnStatus.RECEIVED,
    ReturnStatus.INSPECTED,
    ReturnStatus.COMPLETED,
)


@dataclass(frozen=True)
class RefundTotal:
    status: str
    method: str
    currency: str
    count: int
    amount: int
    paid_amount: int
    bonus_amount: int
    fees_amount: int


@dataclass(frozen=True)
class CurrencyCosts:
    currency: str
    labels: int
    label_cost: int
    #: Fees kept back from succeeded refunds (restocking, return shipping, label).
    fees_collected: int


@dataclass(frozen=True)
class ReturnCosts:
    per_currency: list[CurrencyCosts]
    handled_returns: int
    #: `handled_returns` × the handling cost asked for, in the store's currency.
    handling_estimate: int
    handling_currency: str


def refund_totals(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> list[RefundTotal]:
    """Refunds of the returns in scope, summed per status, method and currency."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        statement = (
            select(
                RefundRow.status,
                RefundRow.method,
                RefundRow.currency,
                func.count(),
                func.sum(RefundRow.amount),
                func.sum(RefundRow.paid_amount),
                func.sum(RefundRow.bonus_amount),
                func.sum(RefundRow.fees_amount),
            )
            .join(ReturnFact, ReturnFact.return_id == RefundRow.return_id)
            .where(RefundRow.store_id == store_id, return_fact_in_scope(scope, counted_only=False))
            .group_by(RefundRow.status, RefundRow.method, RefundRow.currency)
            .order_by(RefundRow.status, RefundRow.method, RefundRow.currency)
        )
        rows = uow.session.execute(statement).all()
    return [
        RefundTotal(status, method, currency, *(int(figure) for figure in figures))
        for status, method, currency, *figures in rows
    ]


def return_costs(
    uow: UnitOfWork,
    store_id: int,
    first_day: date,
    last_day: date,
    cohort: Cohort,
    handling_cost: int = 0,
) -> ReturnCosts:
    """Label costs and fees collected per currency, and an estimate of handling: the
    returns the warehouse handled × `handling_cost` (minor units of the store's currency)."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        in_scope = return_fact_in_scope(scope, counted_only=False)
        labels = (
            select(ShipmentRow.currency, func.count(), func.sum(ShipmentRow.label_cost))
            .join(ReturnFact, ReturnFact.return_id == ShipmentRow.return_id)
            .where(
                ShipmentRow.store_id == store_id,
                ShipmentRow.label_status == "issued",
                ShipmentRow.voided_at.is_(None),
                in_scope,
            )
            .group_by(ShipmentRow.currency)
        )
        fees = (
            select(RefundRow.currency, func.sum(RefundRow.fees_amount))
            .join(ReturnFact, ReturnFact.return_id == RefundRow.return_id)
            .where(RefundRow.store_id == store_id, RefundRow.status == "succeeded", in_scope)
            .group_by(RefundRow.currency)
        )
        handled = uow.session.scalar(
            select(func.count()).where(
                in_scope, ReturnFact.status.in_([status.value for status in HANDLED])
            )
        )
        label_rows = {
            currency: (int(n), int(cost)) for currency, n, cost in uow.session.execute(labels)
        }
        fee_rows = {currency: int(amount) for currency, amount in uow.session.execute(fees)}
    handled_returns = int(handled or 0)
    return ReturnCosts(
        per_currency=[
            CurrencyCosts(
                currency,
                label_rows.get(currency, (0, 0))[0],
                label_rows.get(currency, (0, 0))[1],
                fee_rows.get(currency, 0),
            )
            for currency in sorted(set(label_rows) | set(fee_rows))
        ],
        handled_returns=handled_returns,
        handling_estimate=handled_returns * handling_cost,
        handling_currency=scope.store_currency,
    )
