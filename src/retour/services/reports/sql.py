"""SQL pieces the reports share and that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, SQLColumnExpression, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery

from retour.db.models import OrderLineRow, ReturnLineRow
from retour.domain.reports.statistics import nearest_rank


class seconds_between(FunctionElement[float]):
    """Seconds from the first timestamp to the second, computed by the database."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


def line_value(quantity: SQLColumnExpression[int]) -> ColumnElement[int]:
    """What `quantity` units of the joined order line were sold for: the line's price after
    its discounts, without tax, pro rata and rounded down (minor units)."""
    net = (
        OrderLineRow.unit_price * OrderLineRow.quantity
        - OrderLineRow.line_discount
        - OrderLineRow.order_discount_allocated
    )
    return (quantity * net) // func.nullif(OrderLineRow.quantity, 0, type_=Integer)


def returned_value() -> ColumnElement[int]:
    """The value of the units a return line asks to send back."""
    return line_value(ReturnLineRow.requested_quantity)


def percentile_hours(
    session: Session, spans: Subquery, percents: tuple[int, ...] = (50, 90)
) -> dict[str, Spans]:
    """For each `group` of `spans` (columns `group`, `seconds`): how many spans there are and
    their nearest-rank percentiles in hours. The database ranks them (window functions), so
    only the rows at the wanted ranks come back."""
    ranked = select(
        spans.c.group,
        spans.c.seconds,
        func.row_number()
        .over(partition_by=spans.c.group, order_by=spans.c.seconds)
        .label("position"),
        func.count().over(partition_by=spans.c.group).label("total"),
    ).subquery()
    # ⌈p·n/100⌉ in integer arithmetic: the rank `nearest_rank` gives.
    at_wanted_rank = or_(
        *(ranked.c.position == (ranked.c.total * percent + 99) // 100 for percent in percents)
    )
    statement = select(ranked.c.group, ranked.c.total, ranked.c.position, ranked.c.seconds).where(
        at_wanted_rank
    )
    found: dict[str, Spans] = {}
    for group, total, position, seconds in session.execute(statement):
        spans_of_group = found.setdefault(group, Spans(int(total), {}))
        for percent in percents:
            if position == nearest_rank(int(total), percent):
                spans_of_group.hours[percent] = round(float(seconds) / 3600, 2)
    return found


@dataclass(frozen=True)
class Spans:
    """How many spans a group has and its percentiles (percent → hours)."""

    count: int
    hours: dict[int, float]
