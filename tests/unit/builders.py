"""Domain objects in any state, built directly (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from retour.domain.inputs import InspectionInput, LineRequest, Receipt
from retour.domain.lines import Disposition, Grade, Resolution, ReturnMethod
from retour.domain.orders import Order, OrderLine
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def order() -> Order:
    return Order(
        id=7,
        store_id=1,
        number="#1001",
        currency="EUR",
        customer_email="sam@example.com",
        placed_at=NOW - timedelta(days=10),
        lines=(
            OrderLine(
                id=11,
                sku="LINEN-M",
                title="Linen shirt M",
                quantity=2,
                fulfilled_quantity=2,
                variant_id=101,
            ),
            OrderLine(
                id=12,
                sku="LINEN-L",
                title="Linen shirt L",
                quantity=2,
                fulfilled_quantity=2,
                variant_id=102,
            ),
        ),
    )


def requested(method: ReturnMethod = ReturnMethod.SHIP_YOURSELF) -> Return:
    ret = Return.request(
        order=order(),
        return_id=1,
        line_ids=[1, 2],
        number="R-100001",
        requests=[LineRequest(11, 2, "too_small"), LineRequest(12, 2, "damaged")],
        returnable={11: 2, 12: 2},
        resolution=Resolution.REFUND,
        return_method=method,
        customer_note="",
        now=NOW,
    )
    ret.events.clear()
    return ret


def verdict(line_id: int, quantity: int, disposition: Disposition = Disposition.RESTOCK):
    return InspectionInput(line_id, quantity, True, Grade.A, disposition)


def in_status(status: ReturnStatus, method: ReturnMethod = ReturnMethod.SHIP_YOURSELF) -> Return:
    """A return that reached `status` by the usual path; approved ones are already overdue."""
    ret = requested(method)
    path = {
        ReturnStatus.REQUESTED: [],
        ReturnStatus.NEEDS_INFO: [lambda r: r.request_info(NOW, "photo please?")],
        ReturnStatus.REJECTED: [lambda r: r.reject(NOW, "outside the window")],
        ReturnStatus.CANCELLED: [lambda r: r.cancel(NOW)],
        ReturnStatus.APPROVED: [_approve],
        ReturnStatus.EXPIRED: [_approve, lambda r: r.expire(NOW)],
        ReturnStatus.IN_TRANSIT: [_approve, lambda r: r.mark_in_transit(NOW, "TRK1")],
        ReturnStatus.PARTIALLY_RECEIVED: [_approve, lambda r: r.receive(NOW, [Receipt(1, 1)])],
        ReturnStatus.RECEIVED: [_approve, _receive_all],
        ReturnStatus.INSPECTED: [_approve, _receive_all, _inspect_all],
        ReturnStatus.COMPLETED: [_approve, _receive_all, _inspect_all, lambda r: r.complete(NOW)],
    }[status]
    for step in path:
        step(ret)
    ret.events.clear()
    assert ret.status is status
    return ret


def _approve(ret: Return) -> None:
    ret.approve(NOW - timedelta(days=31), deadline_days=30)


def _receive_all(ret: Return) -> None:
    ret.receive(NOW, [Receipt(1, 2), Receipt(2, 2)])


def _inspect_all(ret: Return) -> None:
    ret.inspect(NOW, [verdict(1, 2), verdict(2, 2, Disposition.DISPOSE)])
