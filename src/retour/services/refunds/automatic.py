"""Automatic refunds: the store pays back on approval, receipt or inspection, by setting."""

from __future__ import annotations

from datetime import datetime

from retour.db.models import RefundRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.lines import Resolution
from retour.domain.refund_quote import RefundMethod
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.status import refresh_refund_status

#: The store's `auto_refund` setting → the moment it pays back.
AUTO_REFUND_SETTINGS = ("off", "on_approval", "on_receipt", "on_inspection")
_METHOD_FOR_RESOLUTION = {
    Resolution.REFUND: RefundMethod.ORIGINAL_PAYMENT,
    Resolution.STORE_CREDIT: RefundMethod.STORE_CREDIT,
}


def refund_automatically(
    uow: UnitOfWork, ret: Return, moment: str, actor: Actor, now: datetime
) -> RefundRow | None:
    """Open the refund the store's setting calls for at `moment`, in the caller's transaction.

    Refunds to the original payment are left `pending` for the caller to settle after commit
    (or `retour refunds settle`); one whose gateway has no provider then fails visibly, for
    staff to retry, void or pay another way. Exchanges and replacements are not paid in money.
    """
    store = uow.stores.get(ret.store_id)
    method = _METHOD_FOR_RESOLUTION.get(ret.resolution)
    if store is None or store.auto_refund != moment or method is None or ret.id is None:
        return None
    uow.session.flush()
    try:
        refund, _replayed = open_refund(
            uow, ret.store_id, ret.id, RefundInstruction(method), actor, now, providers=None
        )
    except DomainError:
        return None  # nothing (more) to pay back at this moment
    ret.refund_status = refresh_refund_status(uow, ret)
    return refund
