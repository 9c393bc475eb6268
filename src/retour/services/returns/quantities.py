"""Staff change a return's approved quantities after approval, with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.exchanges import ReplacementStatus, holds_stock
from retour.domain.orders import returnable_quantities
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from retour.services.context import Actor
from retour.services.errors import ConcurrentModification, NotFound
from retour.services.exchanges.resizing import follow_quantities, replacement_to_follow
from retour.services.returns.common import after_transition, load_return, save_return


class StaleReturn(ConcurrentModification):
    """The return changed after the caller read it (its `updated_at` is not the one they
    sent); nothing was done. A concurrent modification that names where the return is now."""

    def __init__(self, ret: Return, expected: datetime) -> None:
        now_at = _stamp(ret.updated_at)
        DomainError.__init__(
            self,
            f"return {ret.number} changed since {_stamp(expected)}: it is now "
            f"{ret.status.value}, updated at {now_at}. Nothing was changed: read it again, "
            "then retry.",
            current_status=ret.status.value,
            updated_at=now_at,
        )


def _stamp(moment: datetime) -> str:
    """A moment as the API writes it (`2026-03-02T09:30:00Z`)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def edit_return_quantities(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    quantities: Mapping[int, int],
    reason: str,
    expected_updated_at: datetime | None = None,
) -> Return:
    """Set the approved units of lines none of whose units arrived (line id → units; others
    keep theirs), in one transaction with its event.

    Lines that refunds hold (pending, paid or failed) are refused; an exchange's reserved
    stock follows the lowered units (`exchanges/resizing.py`); a label already bought stays
    as it is. A partly received return with nothing more awaited becomes received, and what
    follows a receipt (exchange release, automatic refund) follows.

    `expected_updated_at`: the return's `updated_at` as the caller read it; if it changed
    since, `StaleReturn` and nothing is done (checked under the return's lock).
    """
    with uow:
        ret = load_return(uow, store_id, return_id)
        if expected_updated_at is not None and ret.updated_at != expected_updated_at:
            raise StaleReturn(ret, expected_updated_at)
        # Locks the order's lines, as a new request for a return does, so that a raised line
        # and another return cannot both claim the same free units.
        order = uow.orders.get_for_returns(store_id, ret.order_id)
        if order is None:
            raise NotFound("order", ret.order_id)
        free = returnable_quantities(order, uow.returns.held_on_order(store_id, order.id))
        assert ret.id is not None
        refunded = uow.refunds.return_refunds(ret.id).units_by_return_line
        replacement = replacement_to_follow(uow, ret) if ret.can_edit_quantities() else None
        reserved = replacement is not None and holds_stock(ReplacementStatus(replacement.status))
        before = ret.status
        ret.edit_quantities(now, quantities, reason, refunded, free, reserved)
        save_return(uow, ret, actor, now)
        if replacement is not None:
            follow_quantities(uow, ret, replacement, actor, now)
        if before is not ret.status and ret.status is ReturnStatus.RECEIVED:
            after_transition(uow, ret, "receipt", actor, now)
        uow.commit()
    return ret
