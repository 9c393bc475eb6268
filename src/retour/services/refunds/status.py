"""The one-word refund status a return shows: none, pending, failed, partially or fully."""

from __future__ import annotations

from retour.db.repositories.refunds import HOLDING_STATUSES
from retour.db.unit_of_work import UnitOfWork
from retour.domain.refund_basis import refund_basis
from retour.domain.returns import Return


def refresh_refund_status(uow: UnitOfWork, ret: Return) -> str:
    """Recompute and store the summary; callers hold the return's lock."""
    assert ret.id is not None
    refunds = [r for r in uow.refunds.for_return(ret.id) if r.status in HOLDING_STATUSES]
    statuses = {refund.status for refund in refunds}
    if not refunds:
        summary = "none"
    elif "failed" in statuses:
        summary = "failed"
    elif "pending" in statuses:
        summary = "pending"
    else:
        refunded = uow.refunds.return_refunds(ret.id).units_by_return_line
        owed = any(
            refund_basis(ret, line) > refunded.get(line.id, 0)
            for line in ret.lines
            if line.id is not None
        )
        summary = "partially_refunded" if owed else "refunded"
    uow.refunds.set_return_refund_status(ret.id, summary)
    return summary
