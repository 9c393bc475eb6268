"""Return aggregates in and out of the returns, return_lines and inspections tables.

Reads and creation use single Core statements (they are the hot paths); changes to an existing
return go through the ORM rows it was loaded from, whose version column refuses stale writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select
from sqlalchemy.orm import Session, selectinload

from retour.db.locking import lock_row, take_writer_lock
from retour.db.models import InspectionRow, ReplacementOrderRow, ReturnLineRow, ReturnRow
from retour.db.repositories.return_rows import (
    INSPECTION_LABELS,
    LineData,
    build_return,
    group_joined_lines,
    header_then_lines,
    joined_return_columns,
    line_values,
    return_values,
    split_joined_return,
)
from retour.domain.exchanges import OWING_STATUSES
from retour.domain.lines import Inspection
from retour.domain.quantity_checks import units_held
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus

RETURNS = cast(Table, ReturnRow.__table__)
LINES = cast(Table, ReturnLineRow.__table__)
INSPECTIONS = cast(Table, InspectionRow.__table__)
REPLACEMENTS = cast(Table, ReplacementOrderRow.__table__)

#: What the shopper owes for the return's exchange, as a column of any read of the return (a
#: correlated subquery on the replacements' return index: no second statement).
BALANCE_DUE = (
    select(func.coalesce(func.sum(REPLACEMENTS.c.balance_due), 0))
    .where(
        REPLACEMENTS.c.return_id == RETURNS.c.id,
        REPLACEMENTS.c.status.in_(sorted(status.value for status in OWING_STATUSES)),
    )
    .scalar_subquery()
    .label("balance_due")
)
#: The hot read (GET /returns/{id}, quotes): built once, so each call skips statement
#: construction; the return's row, then its lines.
VIEW_RETURN = header_then_lines(RETURNS, LINES, INSPECTIONS, [BALANCE_DUE])
#: The same read holding the return's row lock (PostgreSQL; SQLite takes its writer lock), as
#: one join, since a UNION cannot lock: the return's columns on every line's row.
VIEW_RETURN_FOR_UPDATE = (
    select(*joined_return_columns(RETURNS, LINES, INSPECTIONS), BALANCE_DUE)
    .join(LINES, LINES.c.return_id == RETURNS.c.id)
    .outerjoin(INSPECTIONS, INSPECTIONS.c.return_line_id == LINES.c.id)
    .where(RETURNS.c.id == bindparam("return_id"), RETURNS.c.store_id == bindparam("store_id"))
    .order_by(LINES.c.id, INSPECTIONS.c.id)
    .with_for_update(of=RETURNS)
)

HELD_ON_ORDER = (
    select(LINES.c.order_line_id, RETURNS.c.status, LINES.c.requested_quantity,
           LINES.c.approved_quantity)
    .join(LINES, LINES.c.return_id == RETURNS.c.id)
    .where(
        RETURNS.c.order_id == bindparam("order_id"),
        RETURNS.c.store_id == bindparam("store_id"),
        LINES.c.is_unexpected.is_(False),
    )
)  # fmt: skip
NEXT_IDS = select(
    func.nextval(func.pg_get_serial_sequence("returns", "id")),
    func.array(
        select(func.nextval(func.pg_get_serial_sequence("return_lines", "id")))
        .select_from(func.generate_series(1, bindparam("lines")))
        .scalar_subquery()
    ),
)
LAST_IDS = select(
    select(func.coalesce(func.max(RETURNS.c.id), 0)).scalar_subquery(),
    select(func.coalesce(func.max(LINES.c.id), 0)).scalar_subquery(),
)

#: RMA numbers are R-100001, R-100002, …: derived from the row id, so they are unique without
#: a shared counter that every new return would have to lock.
RMA_NUMBER_BASE = 100000


def rma_number(return_id: int) -> str:
    return f"R-{RMA_NUMBER_BASE + return_id}"


@dataclass(frozen=True)
class ReturnFilter:
    status: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    customer_email: str | None = None
    order_id: int | None = None


class ReturnRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[int, ReturnRow] = {}

    # -- reads ------------------------------------------------------------------------------

    def view(self, store_id: int, return_id: int) -> Return | None:
        """One return with its lines and inspections, read in one statement (not tracked)."""
        parameters = {"return_id": return_id, "store_id": store_id}
        rows = _single_statement_reader(self.session).execute(VIEW_RETURN, parameters).all()
        return _from_joined_rows(rows)

    def read_locked(self, store_id: int, return_id: int) -> Return | None:
        """The return, locked until commit, for use cases that read it but save it another way
        (refunds): one Core statement, no ORM tracking, so `save` cannot be used on it."""
        parameters = {"return_id": return_id, "store_id": store_id}
        if self.session.get_bind().dialect.name == "postgresql":
            rows = self.session.connection().execute(VIEW_RETURN_FOR_UPDATE, parameters).all()
        else:
            take_writer_lock(self.session, ReturnRow, return_id, store_id)
            rows = self.session.connection().execute(VIEW_RETURN, parameters).all()
        return _from_joined_rows(rows)

    def exists(self, store_id: int, return_id: int) -> bool:
        statement = select(RETURNS.c.id).where(
            RETURNS.c.id == return_id, RETURNS.c.store_id == store_id
        )
        return self.session.execute(statement).first() is not None

    def search(
        self, store_id: int, where: ReturnFilter, after_id: int | None, limit: int
    ) -> list[Return]:
        """Newest first, `limit` returns with an id below `after_id` (keyset pagination)."""
        statement = select(RETURNS, BALANCE_DUE).where(ReturnRow.store_id == store_id)
        if where.status:
            statement = statement.where(ReturnRow.status == where.status)
        if where.created_from:
            statement = statement.where(ReturnRow.created_at >= where.created_from)
        if where.created_to:
            statement = statement.where(ReturnRow.created_at < where.created_to)
        if where.customer_email:
            statement = statement.where(ReturnRow.customer_email == where.customer_email.lower())
        if where.order_id:
            statement = statement.where(ReturnRow.order_id == where.order_id)
        if after_id is not None:
            statement = statement.where(ReturnRow.id < after_id)
        headers = self.session.execute(statement.order_by(ReturnRow.id.desc()).limit(limit)).all()
        lines = self._lines_of([header.id for header in headers])
        return [
            build_return(header, lines.get(header.id, []), balance_due=header.balance_due)
            for header in headers
        ]

    def held_on_order(self, store_id: int, order_id: int) -> list[tuple[int, int]]:
        """(order line id, units held) for every planned line of the order's returns."""
        parameters = {"order_id": order_id, "store_id": store_id}
        rows = self.session.connection().execute(HELD_ON_ORDER, parameters)
        return [
            (line_id, units_held(ReturnStatus(status), requested, approved))
            for line_id, status, requested, approved in rows
            if line_id is not None
        ]

    def overdue(self, now: datetime, limit: int, exclude: Set[int]) -> list[tuple[int, int]]:
        """(id, store id) of approved returns past their deadline, oldest first."""
        statement = select(ReturnRow.id, ReturnRow.store_id).where(
            ReturnRow.status == ReturnStatus.APPROVED.value, ReturnRow.expires_at <= now
        )
        if exclude:
            statement = statement.where(ReturnRow.id.not_in(exclude))
        rows = self.session.execute(statement.order_by(ReturnRow.id).limit(limit))
        return [(return_id, store_id) for return_id, store_id in rows]

    def _lines_of(self, return_ids: Iterable[int]) -> dict[int, list[LineData]]:
        """Lines of these returns with their inspections, in one statement."""
        ids = list(return_ids)
        if not ids:
            return {}
        lines, inspections = LINES, INSPECTIONS
        statement = (
            select(
                lines,
                *(inspections.c[field].label(label) for field, label in INSPECTION_LABELS.items()),
            )
            .outerjoin(inspections, inspections.c.return_line_id == lines.c.id)
            .where(lines.c.return_id.in_(ids))
            .order_by(lines.c.id, inspections.c.id)
        )
        return group_joined_lines(self.session.execute(statement).all())

    # -- writes -----------------------------------------------------------------------------

    def reserve_ids(self, line_count: int) -> tuple[int, list[int]]:
        """Ids for a return about to be added and for its lines, so its events can name them."""
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            return_id, line_ids = connection.execute(NEXT_IDS, {"lines": line_count}).one()
            return int(return_id), [int(line_id) for line_id in line_ids]
        # SQLite: the caller already holds the database's writer lock (one writer at a time).
        last_return, last_line = connection.execute(LAST_IDS).one()
        return last_return + 1, [last_line + n for n in range(1, line_count + 1)]

    def add(self, ret: Return, location_id: int) -> None:
        """Insert a new return and its lines (ids reserved beforehand) with two statements."""
        if ret.id is None or any(line.id is None for line in ret.lines):
            raise ValueError("reserve the return's ids before adding it")
        connection = self.session.connection()
        connection.execute(
            insert(RETURNS),
            {"id": ret.id, "location_id": location_id, "version": 1, **return_values(ret)},
        )
        connection.execute(
            insert(LINES),
            [{"id": line.id, **line_values(ret.store_id, ret.id, line)} for line in ret.lines],
        )

    def get(self, store_id: int, return_id: int, for_update: bool = False) -> Return | None:
        """Load one return to change it; `for_update` locks it first, so writers take turns."""
        statement = (
            select(ReturnRow, BALANCE_DUE)
            .options(selectinload(ReturnRow.lines).selectinload(ReturnLineRow.inspections))
            .where(ReturnRow.id == return_id, ReturnRow.store_id == store_id)
        )
        if for_update:
            statement = lock_row(self.session, statement, ReturnRow, return_id, store_id)
        found = self.session.execute(statement).one_or_none()
        if found is None:
            return None
        row, balance_due = found
        lines = [(line, line.inspections) for line in row.lines]
        ret = build_return(row, lines, balance_due=balance_due)
        self._rows[id(ret)] = row
        return ret

    def save(self, ret: Return) -> None:
        """Write a loaded aggregate back; bumps the row version, so a stale writer fails."""
        row = self._rows[id(ret)]
        for name, value in return_values(ret).items():
            setattr(row, name, value)
        line_rows = {line_row.id: line_row for line_row in row.lines}
        new_lines: list[tuple[Any, ReturnLineRow]] = []
        for line in ret.lines:
            if line.id is None:
                line_row = ReturnLineRow(inspections=[])
                row.lines.append(line_row)
                new_lines.append((line, line_row))
            else:
                line_row = line_rows[line.id]
            for name, value in line_values(ret.store_id, row.id, line).items():
                setattr(line_row, name, value)
            for inspection in line.inspections:
                if inspection.id is None:
                    line_row.inspections.append(_inspection_row(ret.store_id, inspection))
        self.session.flush()
        for line, line_row in new_lines:
            line.id = line_row.id
        for line in ret.lines:
            line_row = next(r for r in row.lines if r.id == line.id)
            for inspection, inspection_row in zip(
                line.inspections, line_row.inspections, strict=True
            ):
                inspection.id = inspection_row.id

    def location_of(self, ret: Return) -> int:
        return self._rows[id(ret)].location_id

    def send_to(self, ret: Return, location_id: int) -> None:
        """Point a loaded return at another location (written by the next `save`)."""
        self._rows[id(ret)].location_id = location_id


def _from_joined_rows(rows: Sequence[Row[*tuple[Any, ...]]]) -> Return | None:
    """The aggregate from the rows of `VIEW_RETURN` (none: no such return)."""
    if not rows or rows[0].id is None:
        return None
    header, lines = split_joined_return(rows)
    return build_return(header, lines, balance_due=header.balance_due)


def _single_statement_reader(session: Session) -> Connection:
    """A connection for a read that is one statement, and so consistent on its own.

    Outside a transaction it runs in autocommit, saving the BEGIN and ROLLBACK round trips.
    """
    if session.in_transaction():
        return session.connection()
    return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _inspection_row(store_id: int, inspection: Inspection) -> InspectionRow:
    return InspectionRow(
        store_id=store_id,
        quantity=inspection.quantity,
        is_accepted=inspection.is_accepted,
        grade=inspection.grade.value,
        disposition=inspection.disposition.value,
        note=inspection.note,
        inspected_at=inspection.inspected_at,
        is_wrong_item=inspection.is_wrong_item,
        arrived_sku=inspection.arrived_sku,
    )
