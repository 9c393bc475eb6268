"""The one-word refund status a return shows: none, pending, failed, partially or fully."""

from __future__ import annotations

from retour.db.models import RefundRow
from retour.db.repositories.refunds import HOLDING_STATUSES, settled_by
from retour.db.unit_of_work import UnitOfWork
from retour.domain.refund_basis import refund_basis
from retour.domain.returns import Return


def refresh_refund_status(
    uow: UnitOfWork, ret: Return, refunds: list[RefundRow] | None = None
) -> str:
    """Recompute and store the summary from `refunds` (all the return's refunds; loaded when
    not given); callers hold the return's lock."""
    assert ret.id is not None
    if refunds is None:
        refunds = uow.refunds.for_return(ret.id)
    summary = refund_status_of(ret, refunds)
    uow.refunds.set_return_refund_status(ret.id, summary)
    return summary


def refund_status_of(ret: Return, refunds: list[RefundRow]) -> str:
    holding = [refund for refund in refunds if refund.status in HOLDING_STATUSES]
    statuses = {refund.status for refund in holding}
    if not holding:
        return "none"
    if "failed" in statuses:
        return "failed"
    if "pending" in statuses:
        return "pending"
    refunded = settled_by(holding).units_by_return_line
    owed = any(
        refund_basis(ret, line) > refunded.get(line.id, 0)
        for line in ret.lines
        if line.id is not None
    )
    return "partially_refunded" if owed else "refunded"
