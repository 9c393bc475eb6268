"""The returns queue: filters, one search box, keyset pages, and counts per status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, select, union

from retour.db.models import OrderRow, ReturnLineRow, ReturnRow, ShipmentRow, Store
from retour.db.repositories.shipments import returns_with_parcel
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.domain.statuses import ReturnStatus
from retour.services.backoffice.tallies import status_counts

PAGE_SIZE = 50
#: A parcel on its way for longer than this "needs attention".
IN_TRANSIT_TOO_LONG = timedelta(days=10)
RMA_NUMBER = re.compile(r"R-\d{1,12}", re.IGNORECASE)
S = ReturnStatus

#: The "needs attention" views, what each shows, and its condition.
ATTENTION: dict[str, str] = {
    "review": "Waiting for review",
    "in_transit_too_long": "In transit for more than 10 days",
    "not_inspected": "Received, not inspected",
    "refund_failed": "Refund failed",
}
RISK_BANDS = {"high": (70, 101), "medium": (40, 70), "low": (0, 40)}
SORTS = ("newest", "oldest")


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""
    attention: str = ""
    search: str = ""
    reason: str = ""
    method: str = ""
    risk: str = ""
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "newest"

    def checked(self) -> QueueFilter:
        """The filter, or a refusal naming the field that is not one of its choices."""
        choices: dict[str, Any] = {
            "status": {s.value for s in ReturnStatus},
            "attention": set(ATTENTION),
            "risk": set(RISK_BANDS),
            "sort": set(SORTS),
        }
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value and value not in allowed:
                raise InvalidRequest(f"{name} cannot be {value!r}", field=name)
        if self.created_from and self.created_to and self.created_to < self.created_from:
            raise InvalidRequest("the end date is before the start date", field="created_to")
        return self

    def is_search_only(self) -> bool:
        """A search and nothing else to narrow it (the sort aside)."""
        narrowing = (self.status, self.attention, self.reason, self.method, self.risk,
                     self.created_from, self.created_to)  # fmt: skip
        return bool(self.search.strip()) and not any(narrowing)


@dataclass(frozen=True)
class QueueRow:
    id: int
    number: str
    status: str
    created_at: datetime
    customer_email: str
    order_number: str
    units: int
    resolution: str
    return_method: str
    risk_score: int | None
    refund_status: str
    #: What the return's page calls its version: a bulk decision is refused when it moved.
    updated_at: datetime

    @property
    def version(self) -> str:
        return self.updated_at.isoformat()


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    #: The id to pass as `after` for the next page; None on the last page.
    next_after: int | None
    counts: dict[str, int]
    attention_counts: dict[str, int]


def returns_queue(
    uow: UnitOfWork,
    staff: StaffMember,
    where: QueueFilter,
    now: datetime,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    where = where.checked()
    with uow:
        zone = store_zone(uow, staff.store_id)
        newest_first = where.sort != "oldest"
        window = PageWindow(after, newest_first, limit + 1) if where.is_search_only() else None
        statement = queue_listing(staff.store_id, where, now, zone, window)
        if after is not None:
            statement = statement.where(
                ReturnRow.id < after if newest_first else ReturnRow.id > after
            )
        order = ReturnRow.id.desc() if newest_first else ReturnRow.id.asc()
        found = [
            QueueRow(*row)
            for row in uow.session.execute(statement.order_by(order).limit(limit + 1))
        ]
        counts = status_counts(uow, staff.store_id)
        attention = attention_counts(uow, staff.store_id, now, counts)
        uow.commit()  # the tallies may have been folded
    has_more = len(found) > limit
    rows = found[:limit]
    return QueuePage(rows, rows[-1].id if has_more else None, counts, attention)


def attention_counts(
    uow: UnitOfWork, store_id: int, now: datetime, counts: dict[str, int] | None = None
) -> dict[str, int]:
    """Two views are sums of status counts (`counts`, read when not given); the other two
    are counted over the few returns their indexes find."""
    counts = counts if counts is not None else status_counts(uow, store_id)
    counted = {
        view: uow.session.scalar(
            select(func.count())
            .select_from(ReturnRow)
            .where(ReturnRow.store_id == store_id, _attention(view, now))
        )
        or 0
        for view in ("in_transit_too_long", "refund_failed")
    }
    return {
        "review": counts[S.REQUESTED.value],
        "in_transit_too_long": counted["in_transit_too_long"],
        "not_inspected": counts[S.RECEIVED.value] + counts[S.PARTIALLY_RECEIVED.value],
        "refund_failed": counted["refund_failed"],
    }


def store_zone(uow: UnitOfWork, store_id: int) -> ZoneInfo:
    found = uow.session.scalar(select(Store.timezone).where(Store.id == store_id))
    return ZoneInfo(found or "UTC")


@dataclass(frozen=True)
class PageWindow:
    """The page a search-only listing shows: each look-up of the search stops after `size`
    ids past `after` in the page's order, so a SKU that thousands of returns share costs
    one page's worth of index entries, not all of them."""

    after: int | None
    newest_first: bool
    size: int

    def cut(self, ids: Select[Any], column: Any) -> Select[Any]:
        if self.after is not None:
            ids = ids.where(column < self.after if self.newest_first else column > self.after)
        order = column.desc() if self.newest_first else column.asc()
        window = ids.order_by(order).limit(self.size).subquery()
        return select(window.c[0])


def queue_listing(
    store_id: int,
    where: QueueFilter,
    now: datetime,
    zone: ZoneInfo,
    window: PageWindow | None = None,
) -> Select[Any]:
    units = (
        select(func.coalesce(func.sum(ReturnLineRow.requested_quantity), 0))
        .where(ReturnLineRow.return_id == ReturnRow.id)
        .scalar_subquery()
    )
    statement = (
        select(
            ReturnRow.id,
            ReturnRow.number,
            ReturnRow.status,
            ReturnRow.created_at,
            ReturnRow.customer_email,
            OrderRow.number,
            units,
            ReturnRow.resolution,
            ReturnRow.return_method,
            ReturnRow.risk_score,
            ReturnRow.refund_status,
            ReturnRow.updated_at,
        )
        .join(OrderRow, OrderRow.id == ReturnRow.order_id)
        .where(ReturnRow.store_id == store_id)
    )
    for condition in _conditions(store_id, where, now, zone, window):
        statement = statement.where(condition)
    return statement


def _conditions(
    store_id: int,
    where: QueueFilter,
    now: datetime,
    zone: ZoneInfo,
    window: PageWindow | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.status:
        conditions.append(ReturnRow.status == where.status)
    if where.attention:
        conditions.append(_attention(where.attention, now))
    if where.method:
        conditions.append(ReturnRow.return_method == where.method)
    if where.risk:
        low, high = RISK_BANDS[where.risk]
        conditions.append(and_(ReturnRow.risk_score >= low, ReturnRow.risk_score < high))
    if where.reason:
        conditions.append(
            ReturnRow.id.in_(_lines_where(store_id, ReturnLineRow.reason_code == where.reason))
        )
    if where.created_from:
        conditions.append(ReturnRow.created_at >= _start_of(where.created_from, zone))
    if where.created_to:
        conditions.append(
            ReturnRow.created_at < _start_of(where.created_to + timedelta(days=1), zone)
        )
    if where.search.strip():
        conditions.append(_search(store_id, where.search.strip(), window))
    return conditions


def _attention(view: str, now: datetime) -> ColumnElement[bool]:
    if view == "review":
        return ReturnRow.status == S.REQUESTED.value
    if view == "in_transit_too_long":
        return and_(
            ReturnRow.status == S.IN_TRANSIT.value,
            ReturnRow.updated_at < now - IN_TRANSIT_TOO_LONG,
        )
    if view == "not_inspected":
        return ReturnRow.status.in_([S.RECEIVED.value, S.PARTIALLY_RECEIVED.value])
    if view == "refund_failed":
        return ReturnRow.refund_status == "failed"
    return false()


def _search(store_id: int, text: str, window: PageWindow | None) -> ColumnElement[bool]:
    """An RMA number, an e-mail, or else an order number, tracking number or SKU."""
    if RMA_NUMBER.fullmatch(text):
        return ReturnRow.number == text.upper()
    if "@" in text:
        return ReturnRow.customer_email == text.lower()
    bare = text.lstrip("#")
    orders = select(OrderRow.id).where(
        OrderRow.store_id == store_id, OrderRow.number.in_({text, bare, f"#{bare}"})
    )
    # One set of ids from five indexed look-ups (an OR of them would scan every return).
    lookups = [
        (ReturnRow.id, select(ReturnRow.id).where(
            ReturnRow.store_id == store_id, ReturnRow.order_id.in_(orders))),
        (ReturnRow.id, select(ReturnRow.id).where(
            ReturnRow.store_id == store_id, ReturnRow.tracking_number == text)),
        (ShipmentRow.return_id, select(ShipmentRow.return_id).where(
            ShipmentRow.store_id == store_id, ShipmentRow.tracking_number == text)),
        (ShipmentRow.return_id, returns_with_parcel(store_id, text)),
        (ReturnLineRow.return_id, _lines_where(store_id, ReturnLineRow.sku == text).distinct()),
    ]  # fmt: skip
    if window is None:
        return ReturnRow.id.in_(union(*(ids for _, ids in lookups)))
    return ReturnRow.id.in_(union(*(window.cut(ids, column) for column, ids in lookups)))


def _lines_where(store_id: int, condition: ColumnElement[bool]) -> Select[Any]:
    return select(ReturnLineRow.return_id).where(ReturnLineRow.store_id == store_id, condition)


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, zone)
