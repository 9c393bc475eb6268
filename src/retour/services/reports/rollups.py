"""What a store sold, read from its sales tallies (db/models/report_rollups.py): sums over
a few rows per day instead of a scan of the orders and their lines.

A period is whole days of the store's calendar, and the tallies are kept per such day, so
these sums are exactly what the orders placed in the period add up to.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, TextClause, bindparam, case, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from retour.db.locking import try_fold_lock
from retour.db.models import SalesDayTally
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Period

T = SalesDayTally
#: A period's unfolded rows are folded once they are more than this.
FOLD_AFTER = 2000
#: The first key of the advisory lock one fold per store holds (PostgreSQL).
FOLD_LOCK = 0x5A1E


@dataclass(frozen=True)
class Sold:
    """Orders, their units and the units' value (price after discounts, without tax) in one
    currency."""

    orders: int
    units: int
    value: int


def sold_per_currency(uow: UnitOfWork, store_id: int, period: Period) -> dict[str, Sold]:
    """What the orders placed in the period add up to, per currency (never added)."""
    statement = (
        select(T.currency, func.sum(T.orders), func.sum(T.units), func.sum(T.value))
        .where(_in(store_id, period))
        .group_by(T.currency)
    )
    return {
        currency: Sold(int(orders), int(units), int(value))
        for currency, orders, units, value in _read(uow, store_id, period, statement)
        if orders or units or value
    }


def sold_per_day(uow: UnitOfWork, store_id: int, period: Period) -> dict[date, tuple[int, int]]:
    """Orders and units per day of the period (days with none are left out)."""
    statement = (
        select(T.day, func.sum(T.orders), func.sum(T.units))
        .where(_in(store_id, period))
        .group_by(T.day)
    )
    return {
        day: (int(orders), int(units))
        for day, orders, units in _read(uow, store_id, period, statement)
        if orders or units
    }


def units_sold_per_sku(
    uow: UnitOfWork, store_id: int, period: Period, skus: Collection[str]
) -> dict[str, int]:
    """Units of each of `skus` on orders placed in the period."""
    if not skus:
        return {}
    statement = (
        select(T.sku, func.sum(T.units))
        .where(_in(store_id, period), T.sku.in_(sorted(skus)))
        .group_by(T.sku)
    )
    return {sku: int(units) for sku, units in _read(uow, store_id, period, statement) if units}


def _in(store_id: int, period: Period) -> ColumnElement[bool]:
    return (T.store_id == store_id) & (T.day >= period.first_day) & (T.day <= period.last_day)


def _read(
    uow: UnitOfWork, store_id: int, period: Period, statement: Select[*tuple[Any, ...]]
) -> list[Any]:
    """The rows of `statement`, which sums tally rows of the period; if they were many
    unfolded rows, the period's days are then folded, in a transaction of their own: reports
    only read and commit nothing, and the sums are the same either way. So never read a report
    in a transaction that has written: on SQLite the fold would wait for that transaction's
    writer lock until it times out (the staff digest reads its anomalies before it locks)."""
    rows = uow.session.execute(statement.add_columns(_UNFOLDED)).all()
    if sum(int(row[-1] or 0) for row in rows) > FOLD_AFTER:
        with uow.separate() as folding:
            fold_sales(folding, store_id, period.first_day, period.last_day)
            folding.commit()
    return [tuple(row[:-1]) for row in rows]


_UNFOLDED = func.sum(case((T.folded.is_(False), 1), else_=0))


def fold_sales(uow: UnitOfWork, store_id: int, first_day: date, last_day: date) -> None:
    """Replace the store's rows of the days `first_day` … `last_day` that have unfolded rows
    by one row per day, currency and SKU with their sums. The caller commits.

    The rows summed are exactly the rows deleted (PostgreSQL: one statement; SQLite: one
    writer at a time), so a concurrent change is never counted twice or lost.
    """
    if not try_fold_lock(uow.session, FOLD_LOCK, store_id):
        return
    days = uow.session.scalars(
        select(T.day)
        .where(T.store_id == store_id, T.day >= first_day, T.day <= last_day)
        .where(T.folded.is_(False))
        .distinct()
    ).all()
    if not days:
        return
    # The days as a list, not a subquery: the planner's estimates of a table that was just
    # bulk-loaded would turn a semi-join into a nested loop.
    bounds = {"store": store_id, "days": sorted(days)}
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(_FOLD_POSTGRESQL, bounds)
        return
    newest = uow.session.scalar(_with_days(f"SELECT max(id) FROM {_DAYS}"), bounds)
    uow.session.execute(_FOLD_SQLITE_SUMS, {**bounds, "newest": newest})
    uow.session.execute(_FOLD_SQLITE_DELETE, {**bounds, "newest": newest})


_DAYS = "sales_day_tallies WHERE store_id = :store AND day IN :days"
_COLUMNS = "store_id, day, currency, sku, orders, units, value, folded"
_SUMS = (
    "SELECT store_id, day, currency, sku, sum(orders), sum(units), sum(value), TRUE FROM {rows}"
    " GROUP BY store_id, day, currency, sku"
    " HAVING sum(orders) <> 0 OR sum(units) <> 0 OR sum(value) <> 0"
)


def _with_days(statement: str) -> TextClause:
    """`statement`, its `:days` given as a list."""
    return text(statement).bindparams(bindparam("days", expanding=True))


_FOLD_POSTGRESQL = _with_days(
    f"WITH gone AS (DELETE FROM {_DAYS} RETURNING {_COLUMNS})"
    f" INSERT INTO sales_day_tallies ({_COLUMNS}) {_SUMS.format(rows='gone')}"
)
_FOLD_SQLITE_SUMS = _with_days(
    f"INSERT INTO sales_day_tallies ({_COLUMNS}) " + _SUMS.format(rows=f"{_DAYS} AND id <= :newest")
)
_FOLD_SQLITE_DELETE = _with_days(f"DELETE FROM {_DAYS} AND id <= :newest")
