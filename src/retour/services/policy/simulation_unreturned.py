"""What-if on the lines nobody sent back: each fulfilled line of an order placed in range that
no return names is asked back, one unit, on the last day either policy would take it (the
later of its two windows' last days, at its last instant), and judged under both.

At that moment the line is inside the longer of its two windows, so a draft that shortens a
window shows as lines no longer eligible, one that lengthens it as lines becoming eligible,
and every other rule (final sale, discounts, limits, resolutions) shows either way. The line
is asked without a reason (no reason rule applies; not the store's fault), with the photos
and comments a rule may want, with the customer's record as it would stand then.

Read a chunk of lines at a time in (order, line) order, the next chunk by a second thread,
each chunk in its own short transaction: memory stays flat however many orders there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, func, or_, select

from retour.db.models import FulfilmentLine, OrderLineRow, OrderRow, ReturnLineRow
from retour.db.repositories.policy_facts import OrderFacts
from retour.db.unit_of_work import UnitOfWork
from retour.domain.policy import (
    CandidateLine,
    OrderContext,
    OrderedItem,
    Policy,
    judge_eligibility,
    prepare_request,
)
from retour.domain.policy.document import Extension
from retour.domain.policy.eligibility import item_terms
from retour.domain.policy.request import LocalDays
from retour.domain.policy.results import ReturnWindow
from retour.domain.policy.window import extensions_for, return_window
from retour.services.policy.inputs import order_context
from retour.services.policy.simulation_history import CustomerRecord, read_ahead
from retour.services.policy.simulation_unreturned_report import (
    LineExample,
    LineJudgement,
    UnreturnedReport,
)

#: No reason rule names it: the line is asked without a reason.
NO_REASON = "retour.no_reason"
#: Stands in for a comment a rule may require.
_COMMENT = "(not recorded)"
_LAST_INSTANT = timedelta(microseconds=1)
#: No return has this id: the customer's record leaves none out.
_NO_RETURN = 0

_NEVER_RETURNED = and_(
    OrderRow.store_id == bindparam("store_id"),
    OrderRow.placed_at >= bindparam("since"),
    # First: a probe of a covering index, which rules out most lines of most histories.
    ~exists().where(ReturnLineRow.order_line_id == OrderLineRow.id),
    exists().where(FulfilmentLine.order_line_id == OrderLineRow.id, FulfilmentLine.quantity > 0),
)
COUNT = (
    select(func.count())
    .select_from(OrderLineRow)
    .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
    .where(_NEVER_RETURNED)
)
LINES = (
    select(OrderRow.id, OrderRow.number, OrderLineRow.id)
    .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
    .where(
        _NEVER_RETURNED,
        OrderRow.id >= bindparam("after_order"),
        or_(OrderRow.id > bindparam("after_order"), OrderLineRow.id > bindparam("after_line")),
    )
    .order_by(OrderRow.id, OrderLineRow.id)
    .limit(bindparam("limit"))
)

Tell = Callable[[int], None]


@dataclass(frozen=True)
class LinesChunk:
    #: (order id, order number, order line id), in that order.
    lines: list[tuple[int, str, int]]
    orders: dict[int, OrderFacts]
    customers: dict[str, CustomerRecord]


def count_unreturned_lines(uow: UnitOfWork, store_id: int, since: datetime) -> int:
    """Fulfilled lines of the orders placed since `since` that no return names."""
    parameters = {"store_id": store_id, "since": since}
    return int(uow.session.connection().execute(COUNT, parameters).scalar_one())


def simulate_unreturned(
    uow: UnitOfWork,
    store_id: int,
    since: datetime,
    live: Policy,
    draft: Policy,
    store_rate_bp: int | None,
    chunk_size: int,
    on_chunk: Tell,
) -> UnreturnedReport:
    """Judge every never-returned line under both policies (`on_chunk(lines done)`)."""
    report = UnreturnedReport()
    done = 0
    currencies = {live.currency, draft.currency}
    for chunk in read_ahead(_chunks(uow, store_id, since, chunk_size)):
        _judge_chunk(report, chunk, live, draft, currencies, store_rate_bp)
        done += len(chunk.lines)
        on_chunk(done)
    return report


def _chunks(uow: UnitOfWork, store_id: int, since: datetime, limit: int) -> Iterator[LinesChunk]:
    after = (0, 0)
    while True:
        chunk = _read_chunk(uow, store_id, since, after, limit)
        if not chunk.lines:
            return
        yield chunk
        after = chunk.lines[-1][0], chunk.lines[-1][2]


def _read_chunk(
    uow: UnitOfWork, store_id: int, since: datetime, after: tuple[int, int], limit: int
) -> LinesChunk:
    """Four statements in one short transaction: the lines, their orders, their customers'
    orders and returns."""
    with uow:
        facts = uow.policies.facts
        uow.policies.history.favour_index_lookups()
        parameters = {"store_id": store_id, "since": since, "after_order": after[0],
                      "after_line": after[1], "limit": limit}  # fmt: skip
        rows = uow.session.connection().execute(LINES, parameters)
        lines = [(order_id, number, line_id) for order_id, number, line_id in rows]
        orders = facts.orders(store_id, {order_id for order_id, _, _ in lines})
        emails = {order.customer_email for order in orders.values()}
        bought = facts.customer_orders(store_id, emails)
        counted = facts.customer_returns(store_id, emails)
        customers = {
            email: CustomerRecord(bought.get(email, []), counted.get(email, [])) for email in emails
        }
    return LinesChunk(lines, orders, customers)


def _judge_chunk(
    report: UnreturnedReport,
    chunk: LinesChunk,
    live: Policy,
    draft: Policy,
    currencies: set[str],
    store_rate_bp: int | None,
) -> None:
    by_order: dict[int, tuple[str, list[int]]] = {}
    for order_id, number, line_id in chunk.lines:
        by_order.setdefault(order_id, (number, []))[1].append(line_id)
    for order_id, (number, line_ids) in by_order.items():
        facts = chunk.orders[order_id]
        if currencies != {facts.currency}:
            report.lines_skipped += len(line_ids)
            continue
        # No return names these lines, so what other returns hold does not bear on them.
        order = order_context(facts, (), store_return_rate_bp=store_rate_bp)
        record = chunk.customers[facts.customer_email]
        _judge_order(report, order, number, line_ids, record, live, draft)


def _judge_order(
    report: UnreturnedReport,
    order: OrderContext,
    number: str,
    line_ids: list[int],
    record: CustomerRecord,
    live: Policy,
    draft: Policy,
) -> None:
    """The lines asked back on the same instant are judged as one request (a line's verdict
    does not depend on the others asked with it); only their eligibility is worked out."""
    items = {item.order_line_id: item for item in order.items}
    windows = _Windows(live, order), _Windows(draft, order)
    by_moment: dict[datetime, list[OrderedItem]] = {}
    for line_id in line_ids:
        item = items[line_id]
        closes = max(policy.of(item).ends_at for policy in windows)
        by_moment.setdefault(closes - _LAST_INSTANT, []).append(item)
    for moment, asked in by_moment.items():
        candidates = [
            CandidateLine(item.order_line_id, 1, NO_REASON, comment=_COMMENT, photo_count=1)
            for item in asked
        ]
        request = prepare_request(order, candidates, record.as_of(moment, _NO_RETURN), moment)
        under_live = judge_eligibility(live, request)
        under_draft = judge_eligibility(draft, request)
        for item, live_line, draft_line in zip(asked, under_live, under_draft, strict=True):
            report.add(
                LineExample(
                    order.order_id, number, item.order_line_id, item.sku, moment,
                    LineJudgement.of(live_line), LineJudgement.of(draft_line),
                )
            )  # fmt: skip


class _Windows:
    """The windows of an order's lines under one policy, as `evaluate` works them out (they
    do not depend on when a line is asked back)."""

    def __init__(self, policy: Policy, order: OrderContext) -> None:
        self.policy = policy
        self.order = order
        # Only its dates are read: the day the order was placed, the days of the deliveries.
        self.days = LocalDays(policy.timezone, order.placed_at, order.placed_at)
        self.extensions: tuple[Extension, ...] = extensions_for(policy, self.days.ordered_on)

    def of(self, item: OrderedItem) -> ReturnWindow:
        terms = item_terms(self.policy, item)
        return return_window(
            self.policy, self.order, item, self.days, self.extensions, terms.window_days,
            terms.window_rule,
        )  # fmt: skip
