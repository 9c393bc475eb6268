"""The policy engine's inputs for one request, read from the database: the order with its
catalogue facts, the lines asked for, the customer's record and the store's return rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from retour.db.repositories.policy_facts import CustomerOrder, CustomerReturn, OrderFacts
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.policy import (
    CandidateLine,
    CustomerHistory,
    OrderContext,
    PastReturn,
    Policy,
)
from retour.services.errors import NotFound


@dataclass(frozen=True)
class LineAsk:
    """Units of one order line asked back, and why."""

    order_line_id: int
    quantity: int
    reason_code: str
    comment: str = ""
    photo_count: int = 0


@dataclass(frozen=True)
class PolicyInputs:
    order: OrderContext
    lines: tuple[CandidateLine, ...]
    history: CustomerHistory


class CurrencyMismatch(InvalidRequest):
    """The order's amounts are in another currency than the policy's: no mixing them."""

    code = "currency_mismatch"

    def __init__(self, order_id: int, order_currency: str, policy_currency: str) -> None:
        super().__init__(
            f"order {order_id} is in {order_currency} but the policy's amounts are in "
            f"{policy_currency}; it can only be judged by a policy in {order_currency}",
            field="order_id",
            order_currency=order_currency,
            policy_currency=policy_currency,
        )


def gather_policy_inputs(
    uow: UnitOfWork,
    store_id: int,
    policy: Policy,
    order_id: int,
    asks: Sequence[LineAsk],
    *,
    return_country: str | None = None,
    label_cost: int | None = None,
    held: Iterable[tuple[int, int]] | None = None,
    merchant_fault: Mapping[str, bool] | None = None,
) -> PolicyInputs:
    """Everything `evaluate` needs about a request: six statements, five while the store's
    return rate is cached, one fewer for each of what the order's other returns `held` and
    the store's active reasons (code → `merchant_fault`) when the caller already read them
    in this unit of work. Unknown order → NotFound; unknown reason or another currency → 422."""
    facts = uow.policies.facts.orders(store_id, [order_id]).get(order_id)
    if facts is None:
        raise NotFound("order", order_id)
    if facts.currency != policy.currency:
        raise CurrencyMismatch(order_id, facts.currency, policy.currency)
    if merchant_fault is None:
        merchant_fault = uow.policies.facts.reasons(store_id)
    candidates = tuple(_candidate(index, ask, merchant_fault) for index, ask in enumerate(asks))
    if held is None:
        held = uow.returns.held_on_order(store_id, order_id)
    email = facts.customer_email
    history = customer_history(
        uow.policies.facts.customer_orders(store_id, [email])[email],
        uow.policies.facts.customer_returns(store_id, [email])[email],
    )
    order = order_context(
        facts,
        held,
        return_country=return_country,
        label_cost=label_cost,
        store_return_rate_bp=store_return_rate(uow, store_id)
        if policy.risk.serial_returner_weight
        else None,
    )
    return PolicyInputs(order, candidates, history)


def order_context(
    facts: OrderFacts,
    held: Iterable[tuple[int, int]],
    *,
    return_country: str | None = None,
    label_cost: int | None = None,
    store_return_rate_bp: int | None = None,
) -> OrderContext:
    """The order as the engine sees it; `held` is (order line id, units) other returns keep."""
    returned: dict[int, int] = {}
    for line_id, units in held:
        returned[line_id] = returned.get(line_id, 0) + units
    items = tuple(
        replace(item, returned_quantity=returned[item.order_line_id])
        if item.order_line_id in returned
        else item
        for item in facts.items
    )
    shipped = [item.shipped_at for item in items if item.shipped_at is not None]
    delivered = [item.delivered_at for item in items if item.delivered_at is not None]
    return OrderContext(
        order_id=facts.order_id,
        currency=facts.currency,
        placed_at=facts.placed_at,
        items=items,
        customer_email=facts.customer_email,
        shipping_address=facts.shipping_address,
        shipping_country=facts.shipping_country,
        shipping_paid=facts.shipping_paid,
        shipped_at=max(shipped, default=None),
        delivered_at=max(delivered, default=None),
        is_gift=facts.is_gift,
        return_country=(return_country or facts.shipping_country or "").upper() or None,
        label_cost=label_cost,
        store_return_rate_bp=store_return_rate_bp,
    )


def customer_history(
    orders: Sequence[CustomerOrder],
    returns: Sequence[CustomerReturn],
    as_of: datetime | None = None,
    exclude_return_id: int | None = None,
) -> CustomerHistory:
    """The customer's record; with `as_of`, as it stood then (orders placed and returns
    requested before it), leaving out the return being judged."""
    if as_of is not None:
        orders = [order for order in orders if order.placed_at <= as_of]
        returns = [
            past
            for past in returns
            if past.requested_at < as_of and past.return_id != exclude_return_id
        ]
    return CustomerHistory(
        orders_count=len(orders),
        items_bought=sum(order.units for order in orders),
        items_returned=sum(past.units for past in returns),
        returns=tuple(
            PastReturn(past.requested_at, past.days_left_in_window)
            for past in sorted(returns, key=lambda past: past.requested_at)
        ),
    )


def _candidate(index: int, ask: LineAsk, merchant_fault: Mapping[str, bool]) -> CandidateLine:
    if ask.reason_code not in merchant_fault:
        known = ", ".join(sorted(merchant_fault))
        raise InvalidRequest(
            f"unknown return reason {ask.reason_code!r}; one of: {known}",
            field=f"lines[{index}].reason_code",
        )
    return CandidateLine(
        order_line_id=ask.order_line_id,
        quantity=ask.quantity,
        reason_code=ask.reason_code,
        is_merchant_fault=merchant_fault[ask.reason_code],
        comment=ask.comment,
        photo_count=ask.photo_count,
    )


# -- the store's return rate ----------------------------------------------------------------

#: The rate moves slowly and costs a scan of the store's order and return lines, so each
#: process keeps it for a few minutes (it only feeds the serial-returner risk signal).
STORE_RATE_TTL_SECONDS = 300.0
_rates: dict[tuple[str, int], tuple[float, int | None]] = {}
_rates_lock = threading.Lock()


def store_return_rate(uow: UnitOfWork, store_id: int) -> int | None:
    """Units returned ÷ units sold over the store's history, in basis points (None: no sales)."""
    key = (str(uow.session.get_bind().engine.url), store_id)
    now = time.monotonic()
    with _rates_lock:
        cached = _rates.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    sold, returned = uow.policies.facts.store_units(store_id)
    rate = returned * 10_000 // sold if sold else None
    with _rates_lock:
        if len(_rates) > 10_000:
            _rates.clear()
        _rates[key] = (now + STORE_RATE_TTL_SECONDS, rate)
    return rate


def forget_store_return_rates() -> None:
    """Drop the cached rates (tests whose stores reuse ids, an operator after an import)."""
    with _rates_lock:
        _rates.clear()
