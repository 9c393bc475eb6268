"""Which units of a return can be paid back now, given how far the return has come."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from retour.domain.errors import IllegalTransition
from retour.domain.lines import ReturnLine, ReturnMethod
from retour.domain.refund_quote import UnitsToRefund
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus

#: A return can be refunded once approved; before receipt only its approved units count.
REFUNDABLE_STATUSES = frozenset(
    {
        ReturnStatus.APPROVED,
        ReturnStatus.IN_TRANSIT,
        ReturnStatus.PARTIALLY_RECEIVED,
        ReturnStatus.RECEIVED,
        ReturnStatus.INSPECTED,
        ReturnStatus.COMPLETED,
    }
)
_RECEIVED_STATUSES = frozenset(
    {
        ReturnStatus.PARTIALLY_RECEIVED,
        ReturnStatus.RECEIVED,
        ReturnStatus.INSPECTED,
        ReturnStatus.COMPLETED,
    }
)

_AWAITING_DECISION = frozenset({ReturnStatus.REQUESTED, ReturnStatus.NEEDS_INFO})
_CLOSED_UNAPPROVED = frozenset(
    {ReturnStatus.REJECTED, ReturnStatus.CANCELLED, ReturnStatus.EXPIRED}
)


def can_refund(ret: Return) -> bool:
    return ret.status in REFUNDABLE_STATUSES


def ensure_refundable(ret: Return) -> None:
    if not can_refund(ret):
        raise IllegalTransition("refund", ret.status.value)


def refund_basis(ret: Return, line: ReturnLine) -> int:
    """Units of `line` that earn money back at this stage.

    Awaiting a decision: the requested units (a preview; refunds wait for approval). Closed
    without approval: none. Keep-item returns: the approved units. Before anything arrives:
    the approved units (a refund on approval). Once parcels arrive: the units received, less
    wrong items and units rejected at inspection, which never earn a refund.
    """
    if line.is_unexpected or line.order_line_id is None:
        return 0
    if ret.status in _AWAITING_DECISION:
        return line.requested_quantity
    if ret.status in _CLOSED_UNAPPROVED:
        return 0
    if ret.return_method is ReturnMethod.KEEP_ITEM or ret.status not in _RECEIVED_STATUSES:
        return line.approved_quantity
    return max(line.received_quantity - line.wrong_item_quantity - line.refused_quantity, 0)


def units_to_refund(
    ret: Return,
    already_refunded: Mapping[int, int],
    merchant_fault_reasons: Collection[str],
) -> list[UnitsToRefund]:
    """Per line: the basis units not yet covered by this return's earlier refunds."""
    wanted = []
    for line in ret.lines:
        if line.id is None or line.order_line_id is None:
            continue
        units = refund_basis(ret, line) - already_refunded.get(line.id, 0)
        if units > 0:
            wanted.append(
                UnitsToRefund(
                    return_line_id=line.id,
                    order_line_id=line.order_line_id,
                    units=units,
                    is_merchant_fault=line.reason_code in merchant_fault_reasons,
                )
            )
    return wanted
