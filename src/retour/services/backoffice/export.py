"""The queue's current filter as CSV, streamed: one row per return, any number of them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from retour.db.models import ReturnRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.queue import QueueFilter, queue_listing, store_zone
from retour.services.reports.export import drain_buffer

COLUMNS = (
    "return_number", "status", "requested_at", "customer_email", "order_number", "units",
    "resolution", "return_method", "risk_score", "refund_status",
)  # fmt: skip
#: Rows fetched from the cursor at a time, and written out as one chunk.
CHUNK_ROWS = 1000
#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def queue_csv(
    uow: UnitOfWork, staff: StaffMember, where: QueueFilter, now: datetime
) -> Iterator[str]:
    """The header, then chunks of rows, in the queue's order; times in the store's timezone.

    Checks the role and the filter before the first chunk, so a refusal is an error page and
    not half a file.
    """
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    where = where.checked()
    return _rows(uow, staff, where, now)


def _rows(uow: UnitOfWork, staff: StaffMember, where: QueueFilter, now: datetime) -> Iterator[str]:
    with uow:
        zone = store_zone(uow, staff.store_id)
        order = ReturnRow.id.asc() if where.sort == "oldest" else ReturnRow.id.desc()
        statement = (
            queue_listing(staff.store_id, where, now, zone)
            .order_by(order)
            .execution_options(yield_per=CHUNK_ROWS)
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for rows in uow.session.execute(statement).partitions():
            for row in rows:
                (_id, number, status, created_at, email, order_number, units, resolution,
                 method, risk, refund_status, _updated_at) = row  # fmt: skip
                writer.writerow([
                    number, status, created_at.astimezone(zone).isoformat(timespec="seconds"),
                    as_text_cell(email), as_text_cell(order_number), units, resolution, method,
                    "" if risk is None else risk, refund_status,
                ])  # fmt: skip
            yield drain_buffer(buffer)
        yield drain_buffer(buffer)


def as_text_cell(value: str) -> str:
    """A shopper-typed value a spreadsheet would run as a formula, quoted as text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
