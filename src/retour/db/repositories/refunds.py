"""Refunds: what earlier refunds already paid back, per order line, payment and return."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from retour.db.models import (
    OrderLineRow,
    OrderPayment,
    OrderRow,
    RefundAllocationRow,
    RefundLineRow,
    RefundRow,
    ReplacementOrderRow,
    ReturnRow,
)
from retour.domain.refund_quote import PaidLine, RefundedSoFar
from retour.domain.tender import PaymentBalance

#: Refunds that hold money: a failed one still holds it until it is retried or voided.
HOLDING_STATUSES = ("pending", "succeeded", "failed")

REFUNDS = cast(Table, RefundRow.__table__)
REFUND_LINES = cast(Table, RefundLineRow.__table__)
REFUND_ALLOCATIONS = cast(Table, RefundAllocationRow.__table__)
_HOLDING_ON_ORDER = (REFUNDS.c.order_id == bindparam("order_id")) & REFUNDS.c.status.in_(
    HOLDING_STATUSES
)
# Built once (refunds are a hot path): what an order was paid and what was refunded from it.
ORDER_HEAD = select(OrderRow.currency, OrderRow.shipping_amount, OrderRow.shipping_tax).where(
    OrderRow.id == bindparam("order_id")
)
ORDER_HEAD_FOR_UPDATE = ORDER_HEAD.with_for_update()
_REFUNDED_PER_LINE = (
    select(REFUND_LINES.c.order_line_id, func.sum(REFUND_LINES.c.units).label("units_refunded"),
           func.sum(REFUND_LINES.c.items_amount).label("items_refunded"),
           func.sum(REFUND_LINES.c.tax_amount).label("tax_refunded"))
    .join(REFUNDS, REFUNDS.c.id == REFUND_LINES.c.refund_id)
    .where(_HOLDING_ON_ORDER)
    .group_by(REFUND_LINES.c.order_line_id)
    .subquery("refunded")
)  # fmt: skip
#: The order's lines, PaidLine's fields in order, then what earlier refunds took of each
#: (NULL: nothing yet).
ORDER_LINES = (
    select(OrderLineRow.id, OrderLineRow.quantity, OrderLineRow.unit_price,
           OrderLineRow.line_discount, OrderLineRow.order_discount_allocated, OrderLineRow.tax,
           _REFUNDED_PER_LINE.c.units_refunded, _REFUNDED_PER_LINE.c.items_refunded,
           _REFUNDED_PER_LINE.c.tax_refunded)
    .outerjoin(_REFUNDED_PER_LINE, _REFUNDED_PER_LINE.c.order_line_id == OrderLineRow.id)
    .where(OrderLineRow.order_id == bindparam("order_id"))
    .order_by(OrderLineRow.id)
)  # fmt: skip
_REFUNDED_PER_PAYMENT = (
    select(REFUND_ALLOCATIONS.c.payment_id, func.sum(REFUND_ALLOCATIONS.c.amount).label("amount"))
    .join(REFUNDS, REFUNDS.c.id == REFUND_ALLOCATIONS.c.refund_id)
    .where(_HOLDING_ON_ORDER)
    .group_by(REFUND_ALLOCATIONS.c.payment_id)
    .subquery("refunded")
)
#: The order's payments with what earlier refunds took back from each.
ORDER_PAYMENTS = (
    select(
        OrderPayment.id,
        OrderPayment.gateway,
        OrderPayment.amount,
        OrderPayment.currency,
        func.coalesce(_REFUNDED_PER_PAYMENT.c.amount, 0).label("refunded"),
    )
    .outerjoin(_REFUNDED_PER_PAYMENT, _REFUNDED_PER_PAYMENT.c.payment_id == OrderPayment.id)
    .where(OrderPayment.order_id == bindparam("order_id"))
    .order_by(OrderPayment.id)
)
REFUNDED_ON_ORDER = select(
    func.coalesce(func.sum(REFUNDS.c.shipping_amount), 0),
    func.coalesce(func.sum(REFUNDS.c.paid_amount), 0),
).where(_HOLDING_ON_ORDER)
#: The order's head and REFUNDED_ON_ORDER in one statement, for reads that lock nothing.
ORDER_HEAD_AND_REFUNDED = ORDER_HEAD.add_columns(
    *(
        select(func.coalesce(func.sum(amount), 0)).where(_HOLDING_ON_ORDER).scalar_subquery()
        for amount in (REFUNDS.c.shipping_amount, REFUNDS.c.paid_amount)
    )
)
ACTIVE_REPLACEMENT = select(ReplacementOrderRow.id).where(
    ReplacementOrderRow.return_id == bindparam("return_id"),
    ReplacementOrderRow.status.in_(("draft", "pending", "released")),
)
_HOLDING_ON_RETURN = (REFUNDS.c.return_id == bindparam("return_id")) & REFUNDS.c.status.in_(
    HOLDING_STATUSES
)
UNITS_REFUNDED_ON_RETURN = (
    select(REFUND_LINES.c.return_line_id, func.sum(REFUND_LINES.c.units))
    .join(REFUNDS, REFUNDS.c.id == REFUND_LINES.c.refund_id)
    .where(_HOLDING_ON_RETURN)
    .group_by(REFUND_LINES.c.return_line_id)
)
REFUNDS_OF_RETURN = select(
    REFUNDS.c.status, REFUNDS.c.fixed_fees_charged, REFUNDS.c.bonus_amount
).where(_HOLDING_ON_RETURN)
INSERT_REFUND = insert(REFUNDS).returning(REFUNDS.c.id)
INSERT_REFUND_LINE = insert(REFUND_LINES)
INSERT_ALLOCATION = insert(REFUND_ALLOCATIONS)


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
    """What the refunds of one return that hold money (pending, succeeded, failed) settled."""

    units_by_return_line: dict[int, int]
    fixed_fees_charged: bool
    bonus_given: int
    statuses: frozenset[str] = frozenset()

    def adding(self, refund: RefundRow) -> ReturnRefunds:
        """These plus a refund just recorded."""
        return settled_by([refund], self)


def settled_by(refunds: list[RefundRow], base: ReturnRefunds | None = None) -> ReturnRefunds:
    """What `refunds` (any status; only holding ones count) settled, on top of `base`."""
    units: dict[int, int] = defaultdict(int, base.units_by_return_line if base else {})
    fixed_fees_charged = base.fixed_fees_charged if base else False
    bonus_given = base.bonus_given if base else 0
    statuses = set(base.statuses) if base else set()
    for refund in refunds:
        if refund.status not in HOLDING_STATUSES:
            continue
        for line in refund.lines:
            units[line.return_line_id] += line.units
        fixed_fees_charged |= refund.fixed_fees_charged
        bonus_given += refund.bonus_amount
        statuses.add(refund.status)
    return ReturnRefunds(dict(units), fixed_fees_charged, bonus_given, frozenset(statuses))


def _values(row: object, table: Table) -> dict[str, Any]:
    return {
        column.name: getattr(row, column.name)
        for column in table.columns
        if column.name != "id" or getattr(row, "id", None) is not None
    }


class RefundRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def order_money(self, order_id: int, for_update: bool = False) -> OrderMoney:
        """What the order was paid and what was refunded from it.

        `for_update` holds the order's row lock until commit, so that refunds of one order,
        across its returns, take turns (SQLite: the writer lock, taken by any earlier write in
        the transaction, already does).
        """
        connection = self.session.connection()
        order_parameters = {"order_id": order_id}
        if for_update and connection.dialect.name == "postgresql":
            # Locked first, summed after: a statement that waited for the lock still reads
            # the snapshot it started with, which would miss the refund it waited for.
            head = connection.execute(ORDER_HEAD_FOR_UPDATE, order_parameters).one()
            refunded = connection.execute(REFUNDED_ON_ORDER, order_parameters).one()
            currency, shipping, shipping_tax = head
            shipping_refunded, paid_refunded = refunded
        else:
            currency, shipping, shipping_tax, shipping_refunded, paid_refunded = connection.execute(
                ORDER_HEAD_AND_REFUNDED, order_parameters
            ).one()
        lines: list[PaidLine] = []
        refunded_lines: dict[int, RefundedSoFar] = {}
        for *paid, units, items, tax in connection.execute(ORDER_LINES, order_parameters).all():
            lines.append(PaidLine(*paid))
            if units is not None:
                refunded_lines[paid[0]] = RefundedSoFar(int(units), int(items), int(tax))
        payments = [
            PaymentBalance(row.id, row.gateway, row.amount, int(row.refunded))
            for row in connection.execute(ORDER_PAYMENTS, order_parameters).all()
            if row.currency == currency
        ]
        return OrderMoney(
            currency=currency,
            lines=lines,
            shipping_paid=shipping + shipping_tax,
            payments=payments,
            refunded_lines=refunded_lines,
            shipping_refunded=int(shipping_refunded),
            paid_refunded=int(paid_refunded),
        )

    def return_refunds(self, return_id: int) -> ReturnRefunds:
        """What the return's refunds settled, from two aggregate reads."""
        connection = self.session.connection()
        parameters = {"return_id": return_id}
        units = {
            line_id: int(count)
            for line_id, count in connection.execute(UNITS_REFUNDED_ON_RETURN, parameters).all()
        }
        statuses, fixed_fees_charged, bonus_given = set(), False, 0
        for status, fixed, bonus in connection.execute(REFUNDS_OF_RETURN, parameters).all():
            statuses.add(status)
            fixed_fees_charged |= bool(fixed)
            bonus_given += bonus
        return ReturnRefunds(units, fixed_fees_charged, bonus_given, frozenset(statuses))

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

    def has_active_replacement(self, return_id: int) -> bool:
        parameters = {"return_id": return_id}
        return self.session.connection().execute(ACTIVE_REPLACEMENT, parameters).first() is not None

    def by_idempotency_key(self, store_id: int, key: str) -> RefundRow | None:
        statement = (
            select(RefundRow)
            .where(RefundRow.store_id == store_id, RefundRow.idempotency_key == key)
            .options(selectinload(RefundRow.lines), selectinload(RefundRow.allocations))
        )
        return self.session.scalars(statement).one_or_none()

    def pending(
        self,
        store_id: int | None = None,
        return_id: int | None = None,
        updated_before: datetime | None = None,
    ) -> list[tuple[int, int]]:
        """(store id, refund id) of pending refunds, oldest first; `updated_before`: only
        those untouched since then."""
        statement = select(RefundRow.store_id, RefundRow.id).where(RefundRow.status == "pending")
        if updated_before is not None:
            statement = statement.where(RefundRow.updated_at < updated_before)
        if store_id is not None:
            statement = statement.where(RefundRow.store_id == store_id)
        if return_id is not None:
            statement = statement.where(RefundRow.return_id == return_id)
        return [
            (row.store_id, row.id) for row in self.session.execute(statement.order_by(RefundRow.id))
        ]

    def add(self, refund: RefundRow) -> RefundRow:
        """Insert a new refund with its lines and allocations in three Core statements.

        The row object stays outside the session (nothing to flush); its ids are filled in.
        """
        connection = self.session.connection()
        refund.id = connection.execute(INSERT_REFUND, _values(refund, REFUNDS)).scalar_one()
        for line in refund.lines:
            line.refund_id = refund.id
        for allocation in refund.allocations:
            allocation.refund_id = refund.id
        if refund.lines:
            connection.execute(
                INSERT_REFUND_LINE, [_values(line, REFUND_LINES) for line in refund.lines]
            )
        if refund.allocations:
            connection.execute(
                INSERT_ALLOCATION,
                [_values(allocation, REFUND_ALLOCATIONS) for allocation in refund.allocations],
            )
        return refund

    def set_return_refund_status(self, return_id: int, status: str) -> None:
        """Summarise a return's refunds on the return; callers hold the return's lock."""
        self.session.execute(
            update(ReturnRow)
            .where(ReturnRow.id == return_id)
            .values(refund_status=status)
            .execution_options(synchronize_session=False)
        )
