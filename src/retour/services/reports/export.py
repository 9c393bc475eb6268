"""Every return line in scope as CSV rows, streamed from a server-side cursor."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from retour.db.models import OrderLineRow, OrderRow, ReturnLineRow, ReturnRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.services.reports.scope import open_scope, return_in_scope
from retour.services.reports.sql import returned_value

COLUMNS = (
    "return_number",
    "status",
    "requested_at",
    "order_number",
    "order_placed_at",
    "customer_email",
    "sku",
    "title",
    "reason_code",
    "resolution",
    "requested_quantity",
    "approved_quantity",
    "received_quantity",
    "currency",
    "value",
)
#: Positions of the timestamps (never null), written in the store's local time.
TIMES = (COLUMNS.index("requested_at"), COLUMNS.index("order_placed_at"))
#: Rows fetched from the cursor at a time, and written out as one chunk.
CHUNK_ROWS = 2000


def return_lines_csv(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> Iterator[str]:
    """The header, then chunks of CSV rows; times in the store's timezone. Memory stays
    constant: rows come through a server-side cursor `CHUNK_ROWS` at a time."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        zone = ZoneInfo(scope.period.timezone)
        statement = (
            select(
                ReturnRow.number,
                ReturnRow.status,
                ReturnRow.created_at,
                OrderRow.number,
                OrderRow.placed_at,
                ReturnRow.customer_email,
                ReturnLineRow.sku,
                ReturnLineRow.title,
                ReturnLineRow.reason_code,
                ReturnLineRow.resolution,
                ReturnLineRow.requested_quantity,
                ReturnLineRow.approved_quantity,
                ReturnLineRow.received_quantity,
                ReturnRow.currency,
                returned_value(),
            )
            .join(ReturnRow, ReturnRow.id == ReturnLineRow.return_id)
            .join(OrderRow, OrderRow.id == ReturnRow.order_id)
            .outerjoin(OrderLineRow, OrderLineRow.id == ReturnLineRow.order_line_id)
            .where(return_in_scope(scope, counted_only=False))
            .order_by(ReturnRow.id, ReturnLineRow.id)
            .execution_options(yield_per=CHUNK_ROWS)
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        result = uow.session.execute(statement)
        for rows in result.partitions():
            writer.writerows(_csv_row(row, zone) for row in rows)
            yield drain_buffer(buffer)
        yield drain_buffer(buffer)


def _csv_row(row: tuple[object, ...], zone: ZoneInfo) -> list[object]:
    # The csv module writes None as an empty field; only the two timestamps need work.
    values = list(row)
    for index in TIMES:
        moment = values[index]
        assert isinstance(moment, datetime)
        values[index] = moment.astimezone(zone).isoformat(timespec="seconds")
    return values


def drain_buffer(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
