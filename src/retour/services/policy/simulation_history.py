"""The history a simulation reads, a chunk of returns at a time: the returns, their orders
and lines, and their customers' records arranged to say what each record was at any moment."""

from __future__ import annotations

import queue
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from typing import TypeVar

from retour.db.repositories.policy_facts import CustomerOrder, CustomerReturn, OrderFacts
from retour.db.repositories.policy_history import PastLine, PastReturnRequest
from retour.db.unit_of_work import UnitOfWork
from retour.domain.policy import CustomerHistory, PastReturn

Chunk = TypeVar("Chunk")


class CustomerRecord:
    """One customer's orders and counted returns, sorted once, so that their record as it
    stood at a moment is a prefix of each (what `inputs.customer_history` gives with
    `as_of`, without filtering and sorting the lists again for each of their returns)."""

    def __init__(self, orders: Sequence[CustomerOrder], returns: Sequence[CustomerReturn]) -> None:
        orders = sorted(orders, key=lambda order: order.placed_at)
        self._placed = [order.placed_at for order in orders]
        self._bought = list(accumulate((order.units for order in orders), initial=0))
        # Stable, as customer_history's sort: returns asked at the same instant keep their order.
        returns = sorted(returns, key=lambda past: past.requested_at)
        self._requested = [past.requested_at for past in returns]
        self._returned = list(accumulate((past.units for past in returns), initial=0))
        self._returns = returns
        self._past = tuple(PastReturn(past.requested_at, past.days_left_in_window)
                           for past in returns)  # fmt: skip
        self._position = {past.return_id: index for index, past in enumerate(returns)}

    def as_of(self, moment: datetime, exclude_return_id: int) -> CustomerHistory:
        """Orders placed at `moment` or before, returns asked for before it, less one."""
        orders = bisect_right(self._placed, moment)
        count = bisect_left(self._requested, moment)
        past = self._past[:count]
        returned = self._returned[count]
        left_out = self._position.get(exclude_return_id)
        if left_out is not None and left_out < count:
            past = past[:left_out] + past[left_out + 1 :]
            returned -= self._returns[left_out].units
        return CustomerHistory(
            orders_count=orders,
            items_bought=self._bought[orders],
            items_returned=returned,
            returns=past,
        )


@dataclass(frozen=True)
class HistoryChunk:
    returns: list[PastReturnRequest]
    orders: dict[int, OrderFacts]
    #: Per order, (return id, line) of every planned line of its returns, oldest first.
    lines: dict[int, list[tuple[int, PastLine]]]
    customers: dict[str, CustomerRecord]


def read_chunk(
    uow: UnitOfWork,
    store_id: int,
    since: datetime,
    after: tuple[str, int],
    limit: int,
    before_email: str | None,
) -> HistoryChunk:
    """The next returns and everything needed to judge them: five statements, in one short
    transaction (on PostgreSQL, planned to read by index: `favour_index_lookups`)."""
    with uow:
        history, facts = uow.policies.history, uow.policies.facts
        history.favour_index_lookups()
        returns = history.returns_after(store_id, since, after, limit, before_email)
        order_ids = {past.order_id for past in returns}
        emails = {past.customer_email for past in returns}
        orders = facts.customer_orders(store_id, emails)
        counted = facts.customer_returns(store_id, emails)
        return HistoryChunk(
            returns=returns,
            orders=facts.orders(store_id, order_ids),
            lines=history.lines_by_return(store_id, order_ids),
            customers={
                email: CustomerRecord(orders.get(email, []), counted.get(email, []))
                for email in emails
            },
        )


def read_ahead(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The chunks, each read by another thread while the one before is judged: the database
    (SQLite's engine, PostgreSQL's server, the driver's waits) works while Python judges.
    At most two chunks are held at a time."""
    ready: queue.Queue[Chunk | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: Chunk | BaseException | None) -> bool:
        """False when judging has stopped (nobody will take it)."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
            hand_over(None)
        except BaseException as error:  # handed over to the judging thread, which raises it
            hand_over(error)

    reader = threading.Thread(target=read, name="policy-simulation-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()
