"""The one-word refund status a return shows: none, pending, failed, partially or fully."""

from __future__ import annotations

from retour.db.repositories.refunds import ReturnRefunds
from retour.db.unit_of_work import UnitOfWork
from retour.domain.refund_basis import refund_basis
from retour.domain.returns import Return


def refresh_refund_status(
    uow: UnitOfWork, ret: Return, settled: ReturnRefunds | None = None
) -> str:
    """Recompute and store the summary from what the return's refunds settled (read when not
    given); callers hold the return's lock."""
    assert ret.id is not None
    if settled is None:
        uow.session.flush()  # the aggregate read must see refunds changed in this transaction
        settled = uow.refunds.return_refunds(ret.id)
    summary = refund_status_of(ret, settled)
    uow.refunds.set_return_refund_status(ret.id, summary)
    return summary


def refund_status_of(ret: Return, settled: ReturnRefunds) -> str:
    if not settled.statuses:
        return "none"
    if "failed" in settled.statuses:
        return "failed"
    if "pending" in settled.statuses:
        return "pending"
    refunded = settled.units_by_return_line
    owed = any(
        refund_basis(ret, line) > refunded.get(line.id, 0)
        for line in ret.lines
        if line.id is not None
    )
    return "partially_refunded" if owed else "refunded"
