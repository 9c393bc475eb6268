"""Historical returns, read a chunk at a time, for re-deciding them under another policy."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from retour.db.models import ReturnLineRow, ReturnReason, ReturnRow
from retour.domain.quantity_checks import units_held
from retour.domain.statuses import ReturnStatus

_IN_RANGE = and_(
    ReturnRow.store_id == bindparam("store_id"), ReturnRow.created_at >= bindparam("since")
)
COUNT = select(func.count()).select_from(ReturnRow).where(_IN_RANGE)
HEADERS = (
    select(
        ReturnRow.id, ReturnRow.number, ReturnRow.order_id, ReturnRow.customer_email,
        ReturnRow.currency, ReturnRow.resolution, ReturnRow.return_method, ReturnRow.created_at,
    )
    .where(
        _IN_RANGE,
        # The first condition alone lets either engine range over the e-mail index.
        ReturnRow.customer_email >= bindparam("after_email"),
        or_(
            ReturnRow.customer_email > bindparam("after_email"),
            ReturnRow.id > bindparam("after_id"),
        ),
    )
    .order_by(ReturnRow.customer_email, ReturnRow.id)
    .limit(bindparam("limit"))
)  # fmt: skip
#: The e-mail address at a position of the returns in range, in e-mail order.
EMAIL_AT = (
    select(ReturnRow.customer_email)
    .where(_IN_RANGE)
    .order_by(ReturnRow.customer_email)
    .limit(1)
    .offset(bindparam("position"))
)
#: Every planned line of the orders' returns: each return's own lines, and what the order's
#: other returns held before it.
ORDER_RETURN_LINES = (
    select(
        ReturnRow.order_id, ReturnRow.id, ReturnRow.status, ReturnLineRow.order_line_id,
        ReturnLineRow.reason_code, ReturnLineRow.reason_note, ReturnLineRow.resolution,
        ReturnLineRow.requested_quantity, ReturnLineRow.approved_quantity,
    )
    .join(ReturnLineRow, ReturnLineRow.return_id == ReturnRow.id)
    .where(
        ReturnRow.order_id.in_(bindparam("order_ids", expanding=True)),
        # The store is checked on the lines: on `returns`, SQLite would range over the
        # store's (store_id, created_at) index, every return of the store, for each chunk,
        # instead of looking the orders up in the order_id index.
        ReturnLineRow.store_id == bindparam("store_id"),
        ReturnLineRow.is_unexpected.is_(False),
        ReturnLineRow.order_line_id.is_not(None),
    )
    .order_by(ReturnRow.order_id, ReturnRow.id, ReturnLineRow.id)
)  # fmt: skip
ALL_REASONS = select(ReturnReason.code, ReturnReason.is_merchant_fault).where(
    ReturnReason.store_id == bindparam("store_id")
)


@dataclass(frozen=True)
class PastLine:
    order_line_id: int
    reason_code: str
    reason_note: str
    resolution: str
    requested: int
    #: Units of the order line this return keeps now (none once released).
    held: int


@dataclass(frozen=True)
class PastReturnRequest:
    """A historical return as it was asked for."""

    return_id: int
    number: str
    order_id: int
    customer_email: str
    currency: str
    resolution: str
    return_method: str
    requested_at: datetime


class PolicyHistoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def favour_index_lookups(self) -> None:
        """For the rest of the transaction, on PostgreSQL: plan the chunk's look-ups of
        scattered orders, lines and customers through their indexes.

        With the default cost of a random page read (4, for spinning disks) the planner
        reads the whole of order_lines, fulfilment_lines and returns for each chunk of a
        thousand orders, so the reads of a simulation grow with the square of the history;
        by index they are three times cheaper at 100k lines, and stay proportional.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.connection().exec_driver_sql("SET LOCAL random_page_cost = 1.1")

    def count(self, store_id: int, since: datetime) -> int:
        return int(self.session.scalars(COUNT, {"store_id": store_id, "since": since}).one())

    def returns_after(
        self,
        store_id: int,
        since: datetime,
        after: tuple[str, int],
        limit: int,
        before_email: str | None = None,
    ) -> list[PastReturnRequest]:
        """The next `limit` returns asked for since `since`, in (customer e-mail, id) order
        after `after` and, when given, before the address `before_email` (keyset pagination:
        a customer's returns come together, so their record is read about once)."""
        statement = HEADERS
        if before_email is not None:
            statement = statement.where(ReturnRow.customer_email < before_email)
        parameters = {"store_id": store_id, "since": since, "after_email": after[0],
                      "after_id": after[1], "limit": limit}  # fmt: skip
        rows = self.session.connection().execute(statement, parameters)
        return [PastReturnRequest(*row) for row in rows]

    def email_bounds(self, store_id: int, since: datetime, total: int, parts: int) -> list[str]:
        """Addresses that cut the returns in range into `parts` runs of about equal size (a
        customer is never cut in two)."""
        bounds: list[str] = []
        for part in range(1, parts):
            parameters = {"store_id": store_id, "since": since, "position": total * part // parts}
            email = self.session.connection().execute(EMAIL_AT, parameters).scalar()
            if email is not None and (not bounds or email > bounds[-1]):
                bounds.append(email)
        return bounds

    def lines_by_return(
        self, store_id: int, order_ids: Collection[int]
    ) -> dict[int, list[tuple[int, PastLine]]]:
        """Per order, (return id, line) of every planned line of its returns, oldest first."""
        by_order: dict[int, list[tuple[int, PastLine]]] = {}
        if not order_ids:
            return by_order
        parameters = {"store_id": store_id, "order_ids": list(order_ids)}
        for row in self.session.connection().execute(ORDER_RETURN_LINES, parameters):
            order_id, return_id, status, line_id, code, note, resolution, asked, ok = row
            assert line_id is not None  # the statement reads planned lines only
            held = units_held(ReturnStatus(status), asked, ok)
            line = PastLine(line_id, code, note, resolution, asked, held)
            by_order.setdefault(order_id, []).append((return_id, line))
        return by_order

    def merchant_fault_by_reason(self, store_id: int) -> dict[str, bool]:
        """Every reason the store has had, active or not, with whether it is its fault."""
        rows = self.session.connection().execute(ALL_REASONS, {"store_id": store_id})
        return {code: bool(is_merchant_fault) for code, is_merchant_fault in rows}
