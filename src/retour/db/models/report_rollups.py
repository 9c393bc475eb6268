"""What the reports read instead of the order and return rows, kept by the database itself.

Triggers (migration 0012) keep both tables up to date whoever writes the rows: the services,
the demo seed's COPY, a bulk load, a test writing rows directly.

- `sales_day_tallies`: what each store sold per day of *its* calendar (the store's timezone),
  currency and SKU. Only inserts while orders change: an order adds a row with `orders` = 1
  (SKU ''), each line a row with its units and value (price after discounts, without tax);
  a change or a deletion adds the opposite rows. Figures are sums over the rows of the days
  asked. The reports fold a store's unfolded rows into one per day, currency and SKU now and
  then (services/reports/rollups.py), so a month is a few thousand rows whatever was sold.
  Changing a store's timezone rebuilds its rows for the new calendar.
- `return_line_facts`: one row per return line with what the reports filter and group by,
  copied from its return, order and order line (request and order moments, status, currency,
  reason, SKU, resolution, units, value), so a report reads one narrow table, no joins.
- `return_facts` (migration 0014): one row per return, with its order's moment, status,
  currency, the shopper's e-mail, the value of its line facts and the first moment of each
  milestone event. Events are only ever added, so a milestone only moves earlier.

A migration that rebuilds `orders`, `order_lines`, `returns`, `return_lines` or `stores` on
SQLite (batch mode) drops their triggers: recreate them (migrations 0012's and 0014's
`create_triggers`; 0014's are on `returns`, `orders` and `events`);
tests/integration/test_report_rollups.py would fail.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class SalesDayTally(Base):
    __tablename__ = "sales_day_tallies"
    __table_args__ = (
        # Every column: a report's sums are read from the index alone.
        Index(
            "ix_sales_day_tallies_store_day",
            "store_id",
            "day",
            "sku",
            "currency",
            "folded",
            "orders",
            "units",
            "value",
        ),
        Index(
            "ix_sales_day_tallies_unfolded",
            "store_id",
            "day",
            postgresql_where=text("NOT folded"),
            sqlite_where=text("NOT folded"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    store_id: Mapped[int]
    #: A day of the store's calendar.
    day: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    #: '' for an order's own row (it counts the order, not units).
    sku: Mapped[str] = mapped_column(String(100))
    orders: Mapped[int] = mapped_column(BigInteger)
    units: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(BigInteger)
    #: Written by a fold (one row per day, currency and SKU), not by a trigger.
    folded: Mapped[bool] = mapped_column(default=False)


class ReturnLineFact(Base):
    __tablename__ = "return_line_facts"
    __table_args__ = (
        Index("ix_return_line_facts_requested", "store_id", "requested_at"),
        Index("ix_return_line_facts_ordered", "store_id", "order_placed_at"),
    )

    return_line_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    store_id: Mapped[int]
    return_id: Mapped[int]
    order_id: Mapped[int]
    order_line_id: Mapped[int | None]
    variant_id: Mapped[int | None]
    #: When the return was requested (its `created_at`).
    requested_at: Mapped[datetime]
    #: When its order was placed.
    order_placed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    reason_code: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    resolution: Mapped[str] = mapped_column(String(32))
    is_unexpected: Mapped[bool]
    #: Units asked to be sent back (the line's requested quantity).
    units: Mapped[int]
    #: What those units were sold for; None without an order line (or one of no units).
    value: Mapped[int | None] = mapped_column(BigInteger)


class ReturnFact(Base):
    """One row per return (migration 0014): what the return-level reports filter and group by,
    and when the return first reached each milestone (the first event of each name), so that
    time to refund, stage times, costs and repeat returners read one narrow table."""

    __tablename__ = "return_facts"
    __table_args__ = (
        Index("ix_return_facts_requested", "store_id", "requested_at"),
        Index("ix_return_facts_ordered", "store_id", "order_placed_at"),
    )

    return_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    store_id: Mapped[int]
    order_id: Mapped[int]
    #: When the return was requested (its `created_at`).
    requested_at: Mapped[datetime]
    #: When its order was placed.
    order_placed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    customer_email: Mapped[str] = mapped_column(String(254))
    #: The summed `value` of its line facts that have an order line, and how many they are.
    returned_value: Mapped[int] = mapped_column(BigInteger)
    valued_lines: Mapped[int]
    #: The first `return.approved`, `return.received`, `return.inspected`, `return.completed`.
    approved_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    inspected_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
