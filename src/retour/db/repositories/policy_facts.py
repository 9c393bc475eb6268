"""What the policy engine needs to know from the database: orders with their catalogue facts
and fulfilment dates, customers' records, the store's return rate.

Each read takes many orders or customers at once, so that a simulation over history reads a
chunk of returns with a handful of statements; a single request passes lists of one.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from retour.db.models import (
    Fulfilment,
    FulfilmentLine,
    OrderLineRow,
    OrderRow,
    Product,
    ReturnLineRow,
    ReturnReason,
    ReturnRow,
    Variant,
)
from retour.domain.policy import OrderedItem
from retour.domain.quantity_checks import units_held
from retour.domain.statuses import ReturnStatus

#: Returns that do not count in a customer's record (docs/policy.md, "Limits").
NOT_COUNTED = (ReturnStatus.REJECTED.value, ReturnStatus.CANCELLED.value)

_LINE_FULFILMENT = (
    select(
        FulfilmentLine.order_line_id,
        func.sum(FulfilmentLine.quantity).label("units"),
        func.max(Fulfilment.shipped_at).label("shipped_at"),
        func.max(Fulfilment.delivered_at).label("delivered_at"),
    )
    .join(Fulfilment, Fulfilment.id == FulfilmentLine.fulfilment_id)
    .where(Fulfilment.order_id.in_(bindparam("order_ids", expanding=True)))
    .group_by(FulfilmentLine.order_line_id)
    .subquery()
)
ORDER_FACTS = (
    select(
        OrderRow.id.label("order_id"), OrderRow.currency, OrderRow.placed_at,
        OrderRow.customer_email, OrderRow.is_gift, OrderRow.shipping_amount,
        OrderRow.shipping_tax, OrderRow.shipping_postal_code, OrderRow.shipping_country,
        OrderLineRow.id.label("line_id"), OrderLineRow.sku, OrderLineRow.title,
        OrderLineRow.quantity, OrderLineRow.unit_price, OrderLineRow.line_discount,
        OrderLineRow.order_discount_allocated, OrderLineRow.tax, Variant.product_id,
        # As stored: a simulation reads many lines of few products (see _Names.of_tags).
        type_coerce(Product.tags, String).label("tags"), Product.collection,
        Product.is_final_sale, Product.is_returnable,
        func.coalesce(_LINE_FULFILMENT.c.units, 0).label("fulfilled"),
        _LINE_FULFILMENT.c.shipped_at, _LINE_FULFILMENT.c.delivered_at,
    )
    .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
    .outerjoin(Variant, Variant.id == OrderLineRow.variant_id)
    .outerjoin(Product, Product.id == Variant.product_id)
    .outerjoin(_LINE_FULFILMENT, _LINE_FULFILMENT.c.order_line_id == OrderLineRow.id)
    .where(
        OrderRow.id.in_(bindparam("order_ids", expanding=True)),
        OrderRow.store_id == bindparam("store_id"),
    )
    .order_by(OrderRow.id, OrderLineRow.id)
)  # fmt: skip
CUSTOMER_ORDERS = (
    select(
        OrderRow.customer_email, OrderRow.id, OrderRow.placed_at,
        func.sum(OrderLineRow.quantity),
    )
    .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
    .where(
        OrderRow.store_id == bindparam("store_id"),
        OrderRow.customer_email.in_(bindparam("emails", expanding=True)),
    )
    .group_by(OrderRow.customer_email, OrderRow.id, OrderRow.placed_at)
)  # fmt: skip
CUSTOMER_RETURNS = (
    select(
        ReturnRow.customer_email, ReturnRow.id, ReturnRow.order_id, ReturnRow.status,
        ReturnRow.created_at, ReturnRow.window_days_left,
        func.sum(ReturnLineRow.requested_quantity), func.sum(ReturnLineRow.approved_quantity),
    )
    .join(ReturnLineRow, and_(
        ReturnLineRow.return_id == ReturnRow.id, ReturnLineRow.is_unexpected.is_(False)
    ))
    .where(
        ReturnRow.store_id == bindparam("store_id"),
        ReturnRow.customer_email.in_(bindparam("emails", expanding=True)),
        ReturnRow.status.not_in(NOT_COUNTED),
    )
    .group_by(ReturnRow.customer_email, ReturnRow.id, ReturnRow.order_id, ReturnRow.status,
              ReturnRow.created_at, ReturnRow.window_days_left)
)  # fmt: skip
ACTIVE_REASONS = select(ReturnReason.code, ReturnReason.is_merchant_fault).where(
    ReturnReason.store_id == bindparam("store_id"), ReturnReason.is_active.is_(True)
)
STORE_UNITS = select(
    select(func.coalesce(func.sum(OrderLineRow.quantity), 0))
    .where(OrderLineRow.store_id == bindparam("store_id"))
    .scalar_subquery(),
    select(func.coalesce(func.sum(ReturnLineRow.requested_quantity), 0))
    .join(ReturnRow, ReturnRow.id == ReturnLineRow.return_id)
    .where(
        ReturnLineRow.store_id == bindparam("store_id"),
        ReturnLineRow.is_unexpected.is_(False),
        ReturnRow.status.not_in(NOT_COUNTED),
    )
    .scalar_subquery(),
)


@dataclass(frozen=True)
class OrderFacts:
    """An order as the policy sees it, before the request adds what it knows."""

    order_id: int
    currency: str
    placed_at: datetime
    customer_email: str
    is_gift: bool
    shipping_paid: int
    #: Retour keeps the postal code and country of the shipping address, not the street.
    shipping_address: str
    shipping_country: str | None
    items: tuple[OrderedItem, ...]


@dataclass(frozen=True)
class CustomerOrder:
    order_id: int
    placed_at: datetime
    units: int


@dataclass(frozen=True)
class CustomerReturn:
    """One of a customer's returns that counts in their record (not rejected or cancelled)."""

    return_id: int
    order_id: int
    requested_at: datetime
    #: Units it keeps of its orders (none once expired).
    units: int
    days_left_in_window: int | None


class PolicyFactsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def orders(self, store_id: int, order_ids: Collection[int]) -> dict[int, OrderFacts]:
        """The orders with their lines, catalogue facts and fulfilment dates, in one statement;
        `returned_quantity` is left 0 (the caller knows what other returns hold)."""
        if not order_ids:
            return {}
        parameters = {"store_id": store_id, "order_ids": list(order_ids)}
        rows = self.session.connection().execute(ORDER_FACTS, parameters).all()
        grouped: dict[int, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        names = _Names()
        return {order_id: _order_facts(lines, names) for order_id, lines in grouped.items()}

    def customer_orders(self, store_id: int, emails: Collection[str]) -> dict[str, list[Any]]:
        """Per customer e-mail, their orders with the units bought on each."""
        by_email: dict[str, list[Any]] = {email: [] for email in emails}
        if emails:
            parameters = {"store_id": store_id, "emails": list(emails)}
            rows = self.session.connection().execute(CUSTOMER_ORDERS, parameters)
            for email, order_id, placed_at, units in rows:
                by_email[email].append(CustomerOrder(order_id, placed_at, int(units or 0)))
        return by_email

    def customer_returns(
        self, store_id: int, emails: Collection[str]
    ) -> dict[str, list[CustomerReturn]]:
        """Per customer e-mail, their returns that count (not rejected or cancelled)."""
        by_email: dict[str, list[CustomerReturn]] = {email: [] for email in emails}
        if emails:
            parameters = {"store_id": store_id, "emails": list(emails)}
            rows = self.session.connection().execute(CUSTOMER_RETURNS, parameters)
            for email, return_id, order_id, status, created_at, days_left, asked, ok in rows:
                units = units_held(ReturnStatus(status), int(asked or 0), int(ok or 0))
                by_email[email].append(
                    CustomerReturn(return_id, order_id, created_at, units, days_left)
                )
        return by_email

    def reasons(self, store_id: int) -> dict[str, bool]:
        """The store's active reason codes, each with whether it is the merchant's fault."""
        rows = self.session.connection().execute(ACTIVE_REASONS, {"store_id": store_id})
        return {code: bool(is_merchant_fault) for code, is_merchant_fault in rows}

    def store_units(self, store_id: int) -> tuple[int, int]:
        """(units sold, units returned) over the store's whole history."""
        sold, returned = self.session.execute(STORE_UNITS, {"store_id": store_id}).one()
        return int(sold), int(returned)


class _Names:
    """One frozenset per distinct tag list or collection (a simulation reads many lines of
    few products)."""

    def __init__(self) -> None:
        self.tags: dict[str | tuple[str, ...], frozenset[str]] = {}
        self.collections: dict[str, frozenset[str]] = {"": frozenset()}

    def of_tags(self, tags: Any) -> frozenset[str]:
        """The JSON text on SQLite, decoded once per distinct text; PostgreSQL's driver
        decodes JSON columns itself and gives a list."""
        key = tags if isinstance(tags, str) else tuple(tags or ())
        found = self.tags.get(key)
        if found is None:
            names = json.loads(tags) if isinstance(tags, str) else tags
            found = self.tags[key] = frozenset(names or ())
        return found

    def of_collection(self, collection: str | None) -> frozenset[str]:
        key = collection or ""
        found = self.collections.get(key)
        if found is None:
            found = self.collections[key] = frozenset({key})
        return found


def _order_facts(rows: list[Any], names: _Names) -> OrderFacts:
    # Positional: the columns of ORDER_FACTS, in order (a hot loop of simulations).
    order_id, currency, placed_at, email, is_gift, shipping, shipping_tax, postal_code, country = (
        rows[0][:9]
    )
    return OrderFacts(
        order_id=order_id,
        currency=currency,
        placed_at=placed_at,
        customer_email=email,
        is_gift=is_gift,
        shipping_paid=shipping + shipping_tax,
        shipping_address=" ".join(part for part in (postal_code, country) if part),
        shipping_country=country or None,
        items=tuple(_item(row[9:], names) for row in rows),
    )


def _item(row: Any, names: _Names) -> OrderedItem:
    (line_id, sku, title, quantity, unit_price, line_discount, order_discount, tax, product_id,
     tags, collection, is_final_sale, is_returnable, fulfilled, shipped_at, delivered_at,
     ) = row  # fmt: skip
    return OrderedItem(
        order_line_id=line_id,
        sku=sku,
        title=title,
        quantity=quantity,
        fulfilled_quantity=min(int(fulfilled), quantity),
        unit_price=unit_price,
        line_discount=line_discount,
        order_discount=order_discount,
        tax=tax,
        product_id=str(product_id) if product_id is not None else None,
        tags=names.of_tags(tags),
        collections=names.of_collection(collection),
        # A product marked not returnable is final sale to the policy.
        is_final_sale=bool(is_final_sale) or is_returnable is False,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
    )
