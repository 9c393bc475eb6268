"""The refunds report: what went back per day, method and currency, and how fast."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from retour.db.models import Event, RefundRow, ReturnRow, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.services.errors import NotFound

#: Longest period one report covers.
MAX_DAYS = 366


@dataclass(frozen=True)
class DayTotal:
    day: date
    method: str
    currency: str
    count: int
    amount: int
    paid_amount: int
    bonus_amount: int


@dataclass(frozen=True)
class OpenTotal:
    status: str
    currency: str
    count: int
    amount: int


@dataclass(frozen=True)
class Durations:
    """Hours from a starting point to the refund's success, over `count` refunds."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class RefundReport:
    date_from: date
    date_to: date
    timezone: str
    days: list[DayTotal]
    open: list[OpenTotal]
    from_request: Durations
    from_receipt: Durations


def refunds_report(uow: UnitOfWork, store_id: int, date_from: date, date_to: date) -> RefundReport:
    """Succeeded refunds between two dates (inclusive, in the store's timezone)."""
    if date_to < date_from:
        raise InvalidRequest("`to` must not be before `from`", field="to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise InvalidRequest(f"a report covers at most {MAX_DAYS} days", field="to")
    with uow:
        store = uow.session.get(Store, store_id)
        if store is None:
            raise NotFound("store", store_id)
        zone = ZoneInfo(store.timezone)
        start, end = _bounds(date_from, date_to, zone)
        totals: dict[tuple[date, str, str], list[int]] = {}
        from_request: list[timedelta] = []
        from_receipt: list[timedelta] = []
        # One pass: only the day totals and one duration per refund are kept.
        for row in _succeeded(uow, store_id, start, end):
            key = (row.succeeded_at.astimezone(zone).date(), row.method, row.currency)
            total = totals.setdefault(key, [0, 0, 0, 0])
            total[0] += 1
            total[1] += row.amount
            total[2] += row.paid_amount
            total[3] += row.bonus_amount
            from_request.append(row.succeeded_at - row.requested_at)
            # Refunds paid before the parcel arrived (on approval, advance exchanges) did not
            # wait for it: a negative span would only drag the median and p90 down.
            if row.received_at is not None and row.received_at <= row.succeeded_at:
                from_receipt.append(row.succeeded_at - row.received_at)
        open_totals = _open(uow, store_id, start, end)
    return RefundReport(
        date_from=date_from,
        date_to=date_to,
        timezone=store.timezone,
        days=[
            DayTotal(day, method, currency, *total)
            for (day, method, currency), total in sorted(totals.items())
        ],
        open=open_totals,
        from_request=_durations(from_request),
        from_receipt=_durations(from_receipt),
    )


def _bounds(date_from: date, date_to: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(date_from, datetime.min.time(), zone)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), zone)
    return start, end


def _succeeded(uow: UnitOfWork, store_id: int, start: datetime, end: datetime) -> Iterator[_Row]:
    first_receipt = (
        select(Event.return_id, func.min(Event.occurred_at).label("received_at"))
        .where(Event.store_id == store_id, Event.name == "return.received")
        .group_by(Event.return_id)
        .subquery()
    )
    statement = (
        select(
            RefundRow.method,
            RefundRow.currency,
            RefundRow.amount,
            RefundRow.paid_amount,
            RefundRow.bonus_amount,
            RefundRow.succeeded_at,
            ReturnRow.created_at.label("requested_at"),
            first_receipt.c.received_at,
        )
        .join(ReturnRow, ReturnRow.id == RefundRow.return_id)
        .outerjoin(first_receipt, first_receipt.c.return_id == RefundRow.return_id)
        .where(
            RefundRow.store_id == store_id,
            RefundRow.status == "succeeded",
            RefundRow.succeeded_at >= start,
            RefundRow.succeeded_at < end,
        )
        .order_by(RefundRow.succeeded_at)
    )
    for row in uow.session.execute(statement):
        yield _Row(*row)


@dataclass(frozen=True)
class _Row:
    method: str
    currency: str
    amount: int
    paid_amount: int
    bonus_amount: int
    succeeded_at: datetime
    requested_at: datetime
    received_at: datetime | None


def _open(uow: UnitOfWork, store_id: int, start: datetime, end: datetime) -> list[OpenTotal]:
    """Refunds opened in the period that are still pending or failed."""
    statement = (
        select(RefundRow.status, RefundRow.currency, func.count(), func.sum(RefundRow.amount))
        .where(
            RefundRow.store_id == store_id,
            RefundRow.status.in_(("pending", "failed")),
            RefundRow.created_at >= start,
            RefundRow.created_at < end,
        )
        .group_by(RefundRow.status, RefundRow.currency)
        .order_by(RefundRow.status, RefundRow.currency)
    )
    return [
        OpenTotal(status, currency, int(count), int(amount or 0))
        for status, currency, count, amount in uow.session.execute(statement)
    ]


def _durations(spans: Sequence[timedelta]) -> Durations:
    hours = sorted(span.total_seconds() / 3600 for span in spans)
    if not hours:
        return Durations(0, None, None)
    return Durations(len(hours), _percentile(hours, 50), _percentile(hours, 90))


def _percentile(ordered: Sequence[float], percent: int) -> float:
    """Nearest-rank percentile (the value at rank ⌈p/100 · n⌉), rounded to 0.01 h."""
    rank = max(1, -(-percent * len(ordered) // 100))
    return round(ordered[rank - 1], 2)
