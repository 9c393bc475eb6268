"""SQL pieces the reports share and that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    SQLColumnExpression,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
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
    # date_part is double precision; EXTRACT is numeric, several times slower to sort.
    start, end = list(element.clauses)
    return f"date_part('epoch', {compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


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
) -> dict[int, Spans]:
    """For each `group` of `spans` (columns `group`, a small integer, and `seconds`): how many
    spans there are and their nearest-rank percentiles in hours, ranked by the database so
    that only the answers come back.

    PostgreSQL ranks with the ordered-set aggregate `percentile_disc`, whose value at fraction
    f is the ⌈f·n⌉-th: the nearest rank, also in floating point for whole percents (f·n is
    rounded back to the integer it should be; tests/integration/test_report_percentiles.py
    compares every n up to 500). SQLite has no such aggregate and ranks with window functions.
    The groups are integers because the ranking sorts by them: text would be compared under
    the database's collation, several times slower over a year's spans."""
    if session.get_bind().dialect.name == "postgresql":
        return _percentiles_postgresql(session, spans, percents)
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
    found: dict[int, Spans] = {}
    for group, total, position, seconds in session.execute(statement):
        spans_of_group = found.setdefault(group, Spans(int(total), {}))
        for percent in percents:
            if position == nearest_rank(int(total), percent):
                spans_of_group.hours[percent] = _hours(seconds)
    return found


def _percentiles_postgresql(
    session: Session, spans: Subquery, percents: tuple[int, ...]
) -> dict[int, Spans]:
    fractions = postgresql.array([literal(percent / 100, Float) for percent in percents])
    statement = select(
        spans.c.group,
        func.count(),
        type_coerce(
            func.percentile_disc(fractions).within_group(spans.c.seconds),
            postgresql.ARRAY(Float),
        ),
    ).group_by(spans.c.group)
    return {
        group: Spans(int(total), {p: _hours(s) for p, s in zip(percents, values, strict=True)})
        for group, total, values in session.execute(statement)
    }


def _hours(seconds: Any) -> float:
    return round(float(seconds) / 3600, 2)


@dataclass(frozen=True)
class Spans:
    """How many spans a group has and its percentiles (percent → hours)."""

    count: int
    hours: dict[int, float]
