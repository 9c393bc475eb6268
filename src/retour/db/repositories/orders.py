"""Orders: the snapshot returns need, and the lock that makes concurrent requests take turns."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from retour.db.models import Fulfilment, OrderRow
from retour.domain.orders import Order, OrderLine


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_row(self, store_id: int, order_id: int) -> OrderRow | None:
        statement = (
            select(OrderRow)
            .options(
                selectinload(OrderRow.lines),
                selectinload(OrderRow.payments),
                selectinload(OrderRow.fulfilments).selectinload(Fulfilment.lines),
            )
            .where(OrderRow.id == order_id, OrderRow.store_id == store_id)
        )
        return self.session.scalars(statement).one_or_none()

    def find_row_by_platform_id(self, store_id: int, platform_order_id: str) -> OrderRow | None:
        statement = (
            select(OrderRow)
            .options(
                selectinload(OrderRow.lines),
                selectinload(OrderRow.payments),
                selectinload(OrderRow.fulfilments).selectinload(Fulfilment.lines),
            )
            .where(OrderRow.store_id == store_id, OrderRow.platform_order_id == platform_order_id)
        )
        return self.session.scalars(statement).one_or_none()

    def lock_for_returns(self, store_id: int, order_id: int) -> bool:
        """Take the order's row lock (both engines) so its returns are checked one at a time."""
        result = self.session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, OrderRow.store_id == store_id)
            .values(returns_lock=OrderRow.returns_lock + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def get(self, store_id: int, order_id: int) -> Order | None:
        row = self.get_row(store_id, order_id)
        return None if row is None else to_domain(row)


def to_domain(row: OrderRow) -> Order:
    fulfilled: dict[int, int] = defaultdict(int)
    for fulfilment in row.fulfilments:
        for fulfilment_line in fulfilment.lines:
            fulfilled[fulfilment_line.order_line_id] += fulfilment_line.quantity
    return Order(
        id=row.id,
        store_id=row.store_id,
        number=row.number,
        currency=row.currency,
        customer_email=row.customer_email,
        placed_at=row.placed_at,
        lines=tuple(
            OrderLine(
                id=line.id,
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                fulfilled_quantity=min(fulfilled[line.id], line.quantity),
                variant_id=line.variant_id,
            )
            for line in row.lines
        ),
    )
