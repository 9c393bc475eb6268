"""Return aggregates in and out of the returns, return_lines and inspections tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, selectinload

from retour.db.models import InspectionRow, ReturnLineRow, ReturnRow, Store
from retour.domain.lines import Disposition, Grade, Inspection, Resolution, ReturnLine, ReturnMethod
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus

_RETURN_FIELDS = (
    "store_id",
    "order_id",
    "number",
    "customer_email",
    "currency",
    "status",
    "resolution",
    "return_method",
    "customer_note",
    "staff_message",
    "tracking_number",
    "carrier",
    "approved_at",
    "expires_at",
    "completed_at",
    "created_at",
    "updated_at",
)
_LINE_FIELDS = (
    "order_line_id",
    "variant_id",
    "sku",
    "title",
    "reason_code",
    "reason_note",
    "resolution",
    "requested_quantity",
    "approved_quantity",
    "received_quantity",
    "wrong_item_quantity",
    "is_unexpected",
)


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

    def get(self, store_id: int, return_id: int, for_update: bool = False) -> Return | None:
        """Load one return; `for_update` locks it first, so concurrent writers take turns."""
        statement = _with_lines(select(ReturnRow)).where(
            ReturnRow.id == return_id, ReturnRow.store_id == store_id
        )
        if for_update:
            statement = self._lock_first(statement, return_id, store_id)
        row = self.session.scalars(statement).one_or_none()
        return None if row is None else self._track(row)

    def for_order(self, store_id: int, order_id: int) -> list[Return]:
        statement = _with_lines(select(ReturnRow)).where(
            ReturnRow.order_id == order_id, ReturnRow.store_id == store_id
        )
        return [self._track(row) for row in self.session.scalars(statement)]

    def overdue_ids(self, now: datetime, limit: int) -> list[int]:
        statement = (
            select(ReturnRow.id)
            .where(ReturnRow.status == ReturnStatus.APPROVED.value, ReturnRow.expires_at <= now)
            .order_by(ReturnRow.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def store_ids(self, return_ids: Sequence[int]) -> dict[int, int]:
        rows = self.session.execute(
            select(ReturnRow.id, ReturnRow.store_id).where(ReturnRow.id.in_(return_ids))
        )
        return {return_id: store_id for return_id, store_id in rows}

    def search(
        self, store_id: int, where: ReturnFilter, after_id: int | None, limit: int
    ) -> list[Return]:
        """Newest first, `limit` returns with an id below `after_id` (keyset pagination)."""
        statement = _with_lines(select(ReturnRow)).where(ReturnRow.store_id == store_id)
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
        statement = statement.order_by(ReturnRow.id.desc()).limit(limit)
        return [_to_domain(row) for row in self.session.scalars(statement)]

    def next_number(self, store_id: int) -> str:
        """Hand out the store's next RMA number; the row lock lasts until commit."""
        value = self.session.execute(
            update(Store)
            .where(Store.id == store_id)
            .values(return_number_seq=Store.return_number_seq + 1)
            .returning(Store.return_number_seq)
        ).scalar_one()
        return f"R-{value}"

    def add(self, ret: Return, location_id: int) -> None:
        row = ReturnRow(location_id=location_id, lines=[])
        self.session.add(row)
        self._rows[id(ret)] = row
        self.save(ret)

    def save(self, ret: Return) -> None:
        """Write the aggregate back; bumps the row version, so a stale writer fails."""
        row = self._rows[id(ret)]
        for name in _RETURN_FIELDS:
            setattr(row, name, getattr(ret, name))
        line_rows = {line_row.id: line_row for line_row in row.lines}
        new_lines: list[tuple[ReturnLine, ReturnLineRow]] = []
        for line in ret.lines:
            if line.id is None:
                line_row = ReturnLineRow(store_id=ret.store_id, inspections=[])
                row.lines.append(line_row)
                new_lines.append((line, line_row))
            else:
                line_row = line_rows[line.id]
            for name in _LINE_FIELDS:
                setattr(line_row, name, getattr(line, name))
            for inspection in line.inspections:
                if inspection.id is None:
                    line_row.inspections.append(_inspection_row(ret.store_id, inspection))
        self.session.flush()
        ret.id = row.id
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

    def _lock_first(
        self, statement: Select[ReturnRow], return_id: int, store_id: int
    ) -> Select[ReturnRow]:
        if self.session.get_bind().dialect.name == "postgresql":
            return statement.with_for_update(of=ReturnRow)
        # SQLite has no row locks: a no-op write takes the database's writer lock instead.
        self.session.execute(
            update(ReturnRow)
            .where(ReturnRow.id == return_id, ReturnRow.store_id == store_id)
            .values(version=ReturnRow.version)
            .execution_options(synchronize_session=False)
        )
        return statement

    def _track(self, row: ReturnRow) -> Return:
        ret = _to_domain(row)
        self._rows[id(ret)] = row
        return ret


def _with_lines(statement: Select[ReturnRow]) -> Select[ReturnRow]:
    return statement.options(selectinload(ReturnRow.lines).selectinload(ReturnLineRow.inspections))


def _inspection_row(store_id: int, inspection: Inspection) -> InspectionRow:
    return InspectionRow(
        store_id=store_id,
        quantity=inspection.quantity,
        is_accepted=inspection.is_accepted,
        grade=inspection.grade.value,
        disposition=inspection.disposition.value,
        note=inspection.note,
        inspected_at=inspection.inspected_at,
    )


def _to_domain(row: ReturnRow) -> Return:
    return Return(
        id=row.id,
        store_id=row.store_id,
        order_id=row.order_id,
        number=row.number,
        customer_email=row.customer_email,
        currency=row.currency,
        status=ReturnStatus(row.status),
        resolution=Resolution(row.resolution),
        return_method=ReturnMethod(row.return_method),
        customer_note=row.customer_note,
        staff_message=row.staff_message,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        approved_at=row.approved_at,
        expires_at=row.expires_at,
        completed_at=row.completed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lines=[
            ReturnLine(
                id=line.id,
                order_line_id=line.order_line_id,
                variant_id=line.variant_id,
                sku=line.sku,
                title=line.title,
                reason_code=line.reason_code,
                reason_note=line.reason_note,
                resolution=Resolution(line.resolution),
                requested_quantity=line.requested_quantity,
                approved_quantity=line.approved_quantity,
                received_quantity=line.received_quantity,
                wrong_item_quantity=line.wrong_item_quantity,
                is_unexpected=line.is_unexpected,
                inspections=[
                    Inspection(
                        id=inspection.id,
                        quantity=inspection.quantity,
                        is_accepted=inspection.is_accepted,
                        grade=Grade(inspection.grade),
                        disposition=Disposition(inspection.disposition),
                        note=inspection.note,
                        inspected_at=inspection.inspected_at,
                    )
                    for inspection in line.inspections
                ],
            )
            for line in row.lines
        ],
    )
