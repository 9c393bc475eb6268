"""Refunds: what earlier refunds already paid back, per order line, payment and return."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from retour.db.locking import lock_row
from retour.db.models import (
    OrderLineRow,
    OrderPayment,
    OrderRow,
    RefundAllocationRow,
    RefundLineRow,
    RefundRow,
    ReturnRow,
)
from retour.domain.refund_quote import PaidLine, RefundedSoFar
from retour.domain.tender import PaymentBalance

#: Refunds that hold money: a failed one still holds it until it is retried or voided.
HOLDING_STATUSES = ("pending", "succeeded", "failed")


@dataclass(frozen=True)
class OrderMoney:
    """What an order was paid, and what earlier refunds took back from it."""

    currency: str
    lines: list[PaidLine]
    shipping_paid: int
    payments: list[PaymentBalance]
    refunded_lines: dict[int, RefundedSoFar]
    shipping_refunded: int
    paid_refunded: int

    @property
    def payments_remaining(self) -> int:
        return sum(payment.captured for payment in self.payments) - self.paid_refunded


@dataclass(frozen=True)
class ReturnRefunds:
    """What earlier refunds of one return settled."""

    units_by_return_line: dict[int, int]
    fixed_fees_charged: bool
    bonus_given: int


def settled_by(refunds: list[RefundRow]) -> ReturnRefunds:
    """What a return's refunds (all of them, any status) settled."""
    units: dict[int, int] = defaultdict(int)
    fixed_fees_charged = False
    bonus_given = 0
    for refund in refunds:
        if refund.status not in HOLDING_STATUSES:
            continue
        for line in refund.lines:
            units[line.return_line_id] += line.units
        fixed_fees_charged |= bool(refund.breakdown.get("fixed_fees_charged"))
        bonus_given += refund.bonus_amount
    return ReturnRefunds(dict(units), fixed_fees_charged, bonus_given)


class RefundRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_order(self, store_id: int, order_id: int) -> None:
        """Hold the order's row lock: refunds of one order, across returns, take turns."""
        statement = lock_row(
            self.session,
            select(OrderRow.id).where(OrderRow.id == order_id, OrderRow.store_id == store_id),
            OrderRow,
            order_id,
            store_id,
        )
        self.session.execute(statement).one()

    def order_money(self, order_id: int) -> OrderMoney:
        order = self.session.execute(
            select(OrderRow.currency, OrderRow.shipping_amount, OrderRow.shipping_tax).where(
                OrderRow.id == order_id
            )
        ).one()
        lines = [
            PaidLine(
                order_line_id=row.id,
                quantity=row.quantity,
                unit_price=row.unit_price,
                line_discount=row.line_discount,
                order_discount=row.order_discount_allocated,
                tax=row.tax,
            )
            for row in self.session.scalars(
                select(OrderLineRow).where(OrderLineRow.order_id == order_id)
            )
        ]
        refunded_per_payment = {
            payment_id: int(amount)
            for payment_id, amount in self.session.execute(
                select(RefundAllocationRow.payment_id, func.sum(RefundAllocationRow.amount))
                .join(RefundRow, RefundRow.id == RefundAllocationRow.refund_id)
                .where(RefundRow.order_id == order_id, RefundRow.status.in_(HOLDING_STATUSES))
                .group_by(RefundAllocationRow.payment_id)
            )
        }
        payments = [
            PaymentBalance(
                payment_id=row.id,
                gateway=row.gateway,
                captured=row.amount,
                refunded=refunded_per_payment.get(row.id, 0),
            )
            for row in self.session.scalars(
                select(OrderPayment)
                .where(OrderPayment.order_id == order_id)
                .order_by(OrderPayment.id)
            )
            if row.currency == order.currency
        ]
        refunded_lines = {
            order_line_id: RefundedSoFar(int(units), int(items), int(tax))
            for order_line_id, units, items, tax in self.session.execute(
                select(
                    RefundLineRow.order_line_id,
                    func.sum(RefundLineRow.units),
                    func.sum(RefundLineRow.items_amount),
                    func.sum(RefundLineRow.tax_amount),
                )
                .join(RefundRow, RefundRow.id == RefundLineRow.refund_id)
                .where(RefundRow.order_id == order_id, RefundRow.status.in_(HOLDING_STATUSES))
                .group_by(RefundLineRow.order_line_id)
            )
        }
        shipping_refunded, paid_refunded = self.session.execute(
            select(
                func.coalesce(func.sum(RefundRow.shipping_amount), 0),
                func.coalesce(func.sum(RefundRow.paid_amount), 0),
            ).where(RefundRow.order_id == order_id, RefundRow.status.in_(HOLDING_STATUSES))
        ).one()
        return OrderMoney(
            currency=order.currency,
            lines=lines,
            shipping_paid=order.shipping_amount + order.shipping_tax,
            payments=payments,
            refunded_lines=refunded_lines,
            shipping_refunded=int(shipping_refunded),
            paid_refunded=int(paid_refunded),
        )

    def return_refunds(self, return_id: int) -> ReturnRefunds:
        return settled_by(self.for_return(return_id))

    def for_return(self, return_id: int) -> list[RefundRow]:
        statement = (
            select(RefundRow)
            .where(RefundRow.return_id == return_id)
            .options(selectinload(RefundRow.lines), selectinload(RefundRow.allocations))
            .order_by(RefundRow.id)
        )
        return list(self.session.scalars(statement))

    def get(self, store_id: int, refund_id: int) -> RefundRow | None:
        """The refund as stored now (reloaded even if this session read it before a lock)."""
        statement = (
            select(RefundRow)
            .where(RefundRow.id == refund_id, RefundRow.store_id == store_id)
            .options(selectinload(RefundRow.lines), selectinload(RefundRow.allocations))
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(statement).one_or_none()

    def by_idempotency_key(self, store_id: int, key: str) -> RefundRow | None:
        statement = (
            select(RefundRow)
            .where(RefundRow.store_id == store_id, RefundRow.idempotency_key == key)
            .options(selectinload(RefundRow.lines), selectinload(RefundRow.allocations))
        )
        return self.session.scalars(statement).one_or_none()

    def pending(
        self, store_id: int | None = None, return_id: int | None = None
    ) -> list[tuple[int, int]]:
        """(store id, refund id) of pending refunds, oldest first."""
        statement = select(RefundRow.store_id, RefundRow.id).where(RefundRow.status == "pending")
        if store_id is not None:
            statement = statement.where(RefundRow.store_id == store_id)
        if return_id is not None:
            statement = statement.where(RefundRow.return_id == return_id)
        return [
            (row.store_id, row.id) for row in self.session.execute(statement.order_by(RefundRow.id))
        ]

    def add(self, refund: RefundRow) -> RefundRow:
        self.session.add(refund)
        self.session.flush()
        return refund

    def set_return_refund_status(self, return_id: int, status: str) -> None:
        """Summarise a return's refunds on the return; callers hold the return's lock."""
        self.session.execute(
            update(ReturnRow)
            .where(ReturnRow.id == return_id)
            .values(refund_status=status)
            .execution_options(synchronize_session=False)
        )
