"""Orders: the snapshot returns need, and the lock that makes concurrent requests take turns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from retour.db.locking import lock_row
from retour.db.models import Fulfilment, FulfilmentLine, OrderLineRow, OrderPayment, OrderRow
from retour.domain.orders import Order, OrderLine

_FULFILLED = (
    select(FulfilmentLine.order_line_id, func.sum(FulfilmentLine.quantity).label("units"))
    .join(Fulfilment, Fulfilment.id == FulfilmentLine.fulfilment_id)
    .where(Fulfilment.order_id == bindparam("order_id"))
    .group_by(FulfilmentLine.order_line_id)
    .subquery()
)
#: Built once (a hot path): the order's lines and the units fulfilled on each.
ORDER_FOR_RETURNS = (
    select(
        OrderRow.number, OrderRow.currency, OrderRow.customer_email, OrderRow.placed_at,
        OrderLineRow.id, OrderLineRow.sku, OrderLineRow.title, OrderLineRow.quantity,
        OrderLineRow.variant_id, func.coalesce(_FULFILLED.c.units, 0),
    )
    .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
    .outerjoin(_FULFILLED, _FULFILLED.c.order_line_id == OrderLineRow.id)
    .where(OrderRow.id == bindparam("order_id"), OrderRow.store_id == bindparam("store_id"))
    .order_by(OrderLineRow.id)
)  # fmt: skip

#: Built once (the portal's items page, review and confirm): the order with each line's
#: prices and units fulfilled, in one statement; an order without lines gives one row of
#: NULL line columns (outer join), so it is still found.
ORDER_FOR_PORTAL = (
    select(
        OrderRow.number, OrderRow.currency, OrderRow.placed_at,
        OrderLineRow.id, OrderLineRow.title, OrderLineRow.sku, OrderLineRow.quantity,
        OrderLineRow.unit_price, OrderLineRow.line_discount,
        OrderLineRow.order_discount_allocated, OrderLineRow.tax,
        func.coalesce(_FULFILLED.c.units, 0),
    )
    .outerjoin(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
    .outerjoin(_FULFILLED, _FULFILLED.c.order_line_id == OrderLineRow.id)
    .where(OrderRow.id == bindparam("order_id"), OrderRow.store_id == bindparam("store_id"))
    .order_by(OrderLineRow.id)
)  # fmt: skip


@dataclass(frozen=True)
class PortalLine:
    """One order line as the shopper portal shows it (amounts in minor units, whole line)."""

    id: int
    title: str
    sku: str
    quantity: int
    unit_price: int
    line_discount: int
    order_discount_allocated: int
    tax: int
    #: Units of it in the order's fulfilments (may exceed `quantity` if the platform says so).
    shipped: int


@dataclass(frozen=True)
class PortalOrderRead:
    id: int
    number: str
    currency: str
    placed_at: datetime
    #: By line id, as `OrderRow.lines`.
    lines: tuple[PortalLine, ...]


def _whole_order() -> Select[OrderRow]:
    """Orders with their lines, payments and fulfilments loaded alongside."""
    return select(OrderRow).options(
        selectinload(OrderRow.lines),
        selectinload(OrderRow.payments),
        selectinload(OrderRow.fulfilments).selectinload(Fulfilment.lines),
    )


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def recent_gateways(self, store_id: int, payments: int) -> list[str]:
        """The gateway names of the store's last `payments` payments imported, in order."""
        recent = (
            select(OrderPayment.gateway)
            .where(OrderPayment.store_id == store_id)
            .order_by(OrderPayment.id.desc())
            .limit(payments)
            .subquery()
        )
        return list(
            self.session.scalars(select(recent.c.gateway).distinct().order_by(recent.c.gateway))
        )

    def get_row(self, store_id: int, order_id: int) -> OrderRow | None:
        statement = _whole_order().where(OrderRow.id == order_id, OrderRow.store_id == store_id)
        return self.session.scalars(statement).one_or_none()

    def get_for_portal(self, store_id: int, order_id: int) -> PortalOrderRead | None:
        """The order's lines with their prices and shipped units, one statement, no lock."""
        parameters = {"order_id": order_id, "store_id": store_id}
        rows = self.session.connection().execute(ORDER_FOR_PORTAL, parameters).all()
        if not rows:
            return None
        number, currency, placed_at = rows[0][:3]
        return PortalOrderRead(
            id=order_id,
            number=number,
            currency=currency,
            placed_at=placed_at,
            lines=tuple(
                PortalLine(line_id, title, sku, quantity, unit_price, line_discount,
                           allocated, tax, int(shipped))
                for (*_, line_id, title, sku, quantity, unit_price, line_discount,
                     allocated, tax, shipped) in rows
                if line_id is not None
            ),
        )  # fmt: skip

    def find_row_by_platform_id(self, store_id: int, platform_order_id: str) -> OrderRow | None:
        statement = _whole_order().where(
            OrderRow.store_id == store_id, OrderRow.platform_order_id == platform_order_id
        )
        return self.session.scalars(statement).one_or_none()

    def search_rows(
        self,
        store_id: int,
        number: str | None,
        customer_email: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[OrderRow]:
        """Newest first, `limit` orders with an id below `after_id` (keyset pagination)."""
        statement = _whole_order().where(OrderRow.store_id == store_id)
        if number:
            statement = statement.where(OrderRow.number == number)
        if customer_email:
            statement = statement.where(OrderRow.customer_email == customer_email.lower())
        if after_id is not None:
            statement = statement.where(OrderRow.id < after_id)
        statement = statement.order_by(OrderRow.id.desc()).limit(limit)
        return list(self.session.scalars(statement))

    def get_for_returns(self, store_id: int, order_id: int) -> Order | None:
        """The order's lines with their fulfilled units, locked until commit.

        The lock makes requests for returns on one order take turns, so that two of them
        cannot both claim the same units.
        """
        parameters = {"order_id": order_id, "store_id": store_id}
        statement = lock_row(self.session, ORDER_FOR_RETURNS, OrderRow, order_id, store_id)
        rows = self.session.connection().execute(statement, parameters).all()
        if not rows:
            return None
        number, currency, email, placed_at = rows[0][:4]
        return Order(
            id=order_id,
            store_id=store_id,
            number=number,
            currency=currency,
            customer_email=email,
            placed_at=placed_at,
            lines=tuple(
                OrderLine(
                    id=line_id,
                    sku=sku,
                    title=title,
                    quantity=quantity,
                    fulfilled_quantity=min(units, quantity),
                    variant_id=variant_id,
                )
                for *_, line_id, sku, title, quantity, variant_id, units in rows
            ),
        )
