"""Read-only use cases: what the API lists and shows. No writes here."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select

from retour.db.models import (
    Event,
    InventoryLocation,
    InventoryMovement,
    OrderRow,
    StockLevel,
    Variant,
)
from retour.db.repositories.returns import ReturnFilter
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.returns import Return
from retour.services.errors import NotFound

T = TypeVar("T")
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


@dataclass(frozen=True)
class StockRow:
    sku: str
    location: str
    bucket: str
    quantity: int


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidRequest("not a cursor this API gave out", field="cursor") from error


def _page(items: list[T], limit: int, last_id: int | None) -> Page[T]:
    has_more = len(items) > limit
    return Page(items[:limit], encode_cursor(last_id) if has_more and last_id else None)


def get_return(uow: UnitOfWork, store_id: int, return_id: int) -> Return:
    with uow:
        ret = uow.returns.view(store_id, return_id)
    if ret is None:
        raise NotFound("return", return_id)
    return ret


def list_returns(
    uow: UnitOfWork, store_id: int, where: ReturnFilter, cursor: str | None, limit: int
) -> Page[Return]:
    """Newest first; pass the page's `next_cursor` back for the next page."""
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    with uow:
        items = uow.returns.search(store_id, where, decode_cursor(cursor), limit + 1)
    return _page(items, limit, items[limit - 1].id if len(items) > limit else None)


def return_events(uow: UnitOfWork, store_id: int, return_id: int) -> list[Event]:
    with uow:
        if not uow.returns.exists(store_id, return_id):
            raise NotFound("return", return_id)
        statement = (
            select(Event)
            .where(Event.return_id == return_id, Event.store_id == store_id)
            .order_by(Event.id)
        )
        return list(uow.session.scalars(statement))


def get_order(uow: UnitOfWork, store_id: int, order_id: int) -> OrderRow:
    with uow:
        row = uow.orders.get_row(store_id, order_id)
        if row is None:
            raise NotFound("order", order_id)
        return row


def list_orders(
    uow: UnitOfWork,
    store_id: int,
    cursor: str | None,
    limit: int,
    number: str | None = None,
    customer_email: str | None = None,
) -> Page[OrderRow]:
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    after = decode_cursor(cursor)
    with uow:
        rows = uow.orders.search_rows(store_id, number, customer_email, after, limit + 1)
    return _page(rows, limit, rows[limit - 1].id if len(rows) > limit else None)


def stock_levels(
    uow: UnitOfWork, store_id: int, sku: str | None = None, location: str | None = None
) -> list[StockRow]:
    statement = (
        select(Variant.sku, InventoryLocation.code, StockLevel.bucket, StockLevel.quantity)
        .join(Variant, Variant.id == StockLevel.variant_id)
        .join(InventoryLocation, InventoryLocation.id == StockLevel.location_id)
        .where(StockLevel.store_id == store_id)
        .order_by(Variant.sku, InventoryLocation.code, StockLevel.bucket)
    )
    if sku:
        statement = statement.where(Variant.sku == sku)
    if location:
        statement = statement.where(InventoryLocation.code == location)
    with uow:
        return [StockRow(*row) for row in uow.session.execute(statement)]


@dataclass(frozen=True)
class MovementRow:
    id: int
    sku: str
    location: str
    bucket: str
    quantity: int
    cause: str
    return_id: int | None
    return_line_id: int | None
    occurred_at: object


def inventory_movements(
    uow: UnitOfWork,
    store_id: int,
    cursor: str | None,
    limit: int,
    sku: str | None = None,
    return_id: int | None = None,
) -> Page[MovementRow]:
    limit = min(max(limit, 1), MAX_PAGE_SIZE)
    statement = (
        select(
            InventoryMovement.id,
            Variant.sku,
            InventoryLocation.code,
            InventoryMovement.bucket,
            InventoryMovement.quantity,
            InventoryMovement.cause,
            InventoryMovement.return_id,
            InventoryMovement.return_line_id,
            InventoryMovement.occurred_at,
        )
        .join(Variant, Variant.id == InventoryMovement.variant_id)
        .join(InventoryLocation, InventoryLocation.id == InventoryMovement.location_id)
        .where(InventoryMovement.store_id == store_id)
    )
    if sku:
        statement = statement.where(Variant.sku == sku)
    if return_id:
        statement = statement.where(InventoryMovement.return_id == return_id)
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(InventoryMovement.id < after)
    statement = statement.order_by(InventoryMovement.id.desc()).limit(limit + 1)
    with uow:
        rows = [MovementRow(*row) for row in uow.session.execute(statement)]
    return _page(rows, limit, rows[limit - 1].id if len(rows) > limit else None)
