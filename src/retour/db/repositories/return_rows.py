"""Translation between the return aggregate and the columns of its three tables."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Row,
    Table,
    bindparam,
    cast,
    literal,
    literal_column,
    null,
    select,
    union_all,
)

from retour.domain.lines import Disposition, Grade, Inspection, Resolution, ReturnLine, ReturnMethod
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus

RETURN_COLUMNS = (
    "store_id", "order_id", "number", "customer_email", "currency", "status", "resolution",
    "return_method", "customer_note", "staff_message", "tracking_number", "carrier",
    "approved_at", "expires_at", "completed_at", "arrived_at", "created_at", "updated_at",
    "policy_version", "policy_decision", "risk_score", "window_days_left",
)  # fmt: skip
LINE_COLUMNS = (
    "order_line_id", "variant_id", "sku", "title", "reason_code", "reason_note", "resolution",
    "requested_quantity", "approved_quantity", "received_quantity", "wrong_item_quantity",
    "is_unexpected",
)  # fmt: skip
#: Inspection columns as `ReturnRepository` labels them when it joins them to their lines.
INSPECTION_LABELS = {
    "id": "inspection_id",
    "quantity": "inspection_quantity",
    "is_accepted": "inspection_is_accepted",
    "grade": "inspection_grade",
    "disposition": "inspection_disposition",
    "note": "inspection_note",
    "inspected_at": "inspected_at",
    "is_wrong_item": "inspection_is_wrong_item",
    "arrived_sku": "inspection_arrived_sku",
}

LineData = tuple[Any, Sequence[Any]]


def return_values(ret: Return) -> dict[str, Any]:
    return {name: getattr(ret, name) for name in RETURN_COLUMNS}


def line_values(store_id: int, return_id: int, line: ReturnLine) -> dict[str, Any]:
    values = {name: getattr(line, name) for name in LINE_COLUMNS}
    return {"store_id": store_id, "return_id": return_id, **values}


def joined_return_columns(returns: Table, lines: Table, inspections: Table) -> list[Any]:
    """Columns of a return joined to its lines and their inspections, without name clashes."""
    return [*returns.c, *_line_columns(lines, inspections)]


def header_then_lines(
    returns: Table, lines: Table, inspections: Table, header_extras: Sequence[Any]
) -> CompoundSelect[*tuple[Any, ...]]:
    """The columns of `joined_return_columns` (and `header_extras`): the return's row first,
    its line columns NULL, then one row per line and inspection, the return's columns NULL.
    Each return column is read (and typed) once, not once per line, which matters for
    returns of a hundred lines."""
    header = [*returns.c, *header_extras]
    per_line = _line_columns(lines, inspections)
    header_row = select(*header, *map(_typed_null, per_line), literal(0).label("part")).where(
        returns.c.id == bindparam("return_id"), returns.c.store_id == bindparam("store_id")
    )
    line_rows = (
        select(*map(_typed_null, header), *per_line, literal(1).label("part"))
        .select_from(lines.outerjoin(inspections, inspections.c.return_line_id == lines.c.id))
        .where(lines.c.return_id == bindparam("return_id"))
        .where(lines.c.store_id == bindparam("store_id"))
    )
    order = ("part", "line_id", "inspection_id")
    return union_all(header_row, line_rows).order_by(*map(literal_column, order))


def _line_columns(lines: Table, inspections: Table) -> list[Any]:
    return [
        *(lines.c[name].label(f"line_{name}") for name in ("id", "return_id", *LINE_COLUMNS)),
        *(inspections.c[field].label(label) for field, label in INSPECTION_LABELS.items()),
    ]


def _typed_null(column: Any) -> Any:
    """NULL under the column's name and type (so that both engines type the union alike)."""
    return cast(null(), column.type).label(column.key)


_LINE_LABELS = tuple((name, f"line_{name}") for name in LINE_COLUMNS)


def split_joined_return(rows: Sequence[Row[Any]]) -> tuple[Any, list[LineData]]:
    """Rows from `joined_return_columns` (a return's columns on every row) or
    `header_then_lines` (on the first row only) → the returns row and its (line, inspections)."""
    if not rows:
        raise ValueError("no rows: no return")
    fields = rows[0]._fields
    id_at = fields.index("line_id")
    inspection_at = fields.index("inspection_id")
    at = [(name, fields.index(label)) for name, label in _LINE_LABELS]
    lines: list[LineData] = []
    line_rows_only = (row for row in rows if row[id_at] is not None)
    for _line_id, group in groupby(line_rows_only, key=itemgetter(id_at)):
        line_rows = list(group)
        first = line_rows[0]
        line = SimpleNamespace(id=first[id_at], **{name: first[index] for name, index in at})
        inspections = _inspections_in(line_rows) if first[inspection_at] is not None else []
        lines.append((line, inspections))
    return rows[0], lines


def _inspections_in(rows: Sequence[Row[Any]]) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            **{field: getattr(row, label) for field, label in INSPECTION_LABELS.items()}
        )
        for row in rows
        if row.inspection_id is not None
    ]


def group_joined_lines(rows: Sequence[Row[Any]]) -> dict[int, list[LineData]]:
    """Rows of lines left-joined to their inspections → per return, (line, inspections)."""
    by_return: dict[int, list[LineData]] = {}
    for _line_id, group in groupby(rows, key=lambda row: row.id):
        line_rows = list(group)
        first = line_rows[0]
        by_return.setdefault(first.return_id, []).append((first, _inspections_in(line_rows)))
    return by_return


def build_return(header: Any, lines: Sequence[LineData], *, balance_due: int) -> Return:
    """The aggregate from a returns row, its (line row, inspection rows) pairs, and what the
    shopper owes for its exchange."""
    return Return(
        id=header.id,
        store_id=header.store_id,
        order_id=header.order_id,
        number=header.number,
        customer_email=header.customer_email,
        currency=header.currency,
        status=ReturnStatus(header.status),
        resolution=Resolution(header.resolution),
        return_method=ReturnMethod(header.return_method),
        customer_note=header.customer_note,
        staff_message=header.staff_message,
        tracking_number=header.tracking_number,
        carrier=header.carrier,
        approved_at=header.approved_at,
        expires_at=header.expires_at,
        completed_at=header.completed_at,
        arrived_at=header.arrived_at,
        refund_status=header.refund_status,
        balance_due=balance_due,
        policy_version=header.policy_version,
        policy_decision=header.policy_decision,
        risk_score=header.risk_score,
        window_days_left=header.window_days_left,
        created_at=header.created_at,
        updated_at=header.updated_at,
        lines=[_line(line, inspections) for line, inspections in lines],
    )


def _line(line: Any, inspections: Sequence[Any]) -> ReturnLine:
    return ReturnLine(
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
        inspections=[_inspection(inspection) for inspection in inspections],
    )


def _inspection(inspection: Any) -> Inspection:
    return Inspection(
        id=inspection.id,
        quantity=inspection.quantity,
        is_accepted=inspection.is_accepted,
        grade=Grade(inspection.grade),
        disposition=Disposition(inspection.disposition),
        note=inspection.note,
        inspected_at=inspection.inspected_at,
        is_wrong_item=inspection.is_wrong_item,
        arrived_sku=inspection.arrived_sku,
    )
