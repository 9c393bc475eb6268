"""The risk score of a return request: 0–100, the sum of the weights of the signals that fire.

Each signal is yes or no, so the score is the list of reasons it is made of. The signals look
at every requested item the order has (eligible or not): risk is about what was asked.

- serial_returner: the customer, with at least `min_items` items bought, returns at least
  `rate_multiple` times the store's rate (not judged while the store's rate is unknown or 0);
- high_value: the requested items are worth at least `at_least`;
- bracketing: two or more variants (e.g. sizes) of one product from this order come back
  together;
- near_window_end: the return comes at most `days` days before its window ends, and
  `min_earlier` of the customer's earlier returns came that late too;
- new_customer: a customer with at most `max_orders` orders returns at least `at_least`;
- address_mismatch: the parcel would leave from another country than the order went to;
- velocity: `min_returns` or more earlier returns in the last `days` days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from retour.domain.policy.document import RiskSettings
from retour.domain.policy.explain import amount_text, percent_text
from retour.domain.policy.inputs import CustomerHistory, OrderContext, OrderedItem
from retour.domain.policy.results import RiskAssessment, RiskSignal, RiskSignalCode

MAX_SCORE = 100


class RequestedItem(Protocol):
    """A requested line the order has, eligible or not."""

    @property
    def item(self) -> OrderedItem: ...
    @property
    def value(self) -> int: ...
    @property
    def last_day(self) -> date: ...


def assess_risk(
    settings: RiskSettings,
    order: OrderContext,
    requested: Sequence[RequestedItem],
    history: CustomerHistory,
    returns_in_last: Callable[[int], int],
    today: date,
    currency: str,
) -> RiskAssessment:
    """The signals that fire and the score; `returns_in_last(days)` counts the customer's
    returns in the last days."""
    value = 0
    for line in requested:
        value += line.value
    signals: list[RiskSignal] = []
    params: dict[str, str | int]
    # A signal of weight 0 is off: not even looked at.
    customer_rate = history.return_rate_bp
    store_rate = order.store_return_rate_bp
    if (
        settings.serial_returner_weight > 0
        and customer_rate is not None
        and store_rate
        and history.items_bought >= settings.serial_returner_min_items
        and customer_rate >= settings.serial_returner_rate_multiple * store_rate
    ):
        message = (
            f"Returns {percent_text(customer_rate)} of the items bought, against "
            f"{percent_text(store_rate)} for the store"
        )
        params = {"customer_rate_bp": customer_rate, "store_rate_bp": store_rate}
        signals.append(
            RiskSignal(
                RiskSignalCode.SERIAL_RETURNER, settings.serial_returner_weight, params, message
            )
        )
    if settings.high_value_weight > 0 and value >= settings.high_value_at_least:
        message = f"Return worth {amount_text(value, currency)}"
        signals.append(
            RiskSignal(
                RiskSignalCode.HIGH_VALUE, settings.high_value_weight, {"value": value}, message
            )
        )
    bracketed = _bracketed_product(requested) if settings.bracketing_weight > 0 else None
    if bracketed is not None:
        product_id, variants = bracketed
        message = f"{variants} variants of one product returned together"
        params = {"product_id": product_id, "variants": variants}
        signals.append(
            RiskSignal(RiskSignalCode.BRACKETING, settings.bracketing_weight, params, message)
        )
    if settings.near_window_end_weight > 0 and requested:
        days_left = min((line.last_day - today).days for line in requested)
        if 0 <= days_left <= settings.near_window_end_days:
            earlier = sum(
                1
                for past in history.returns
                if past.days_left_in_window is not None
                and past.days_left_in_window <= settings.near_window_end_days
            )
            if earlier >= settings.near_window_end_min_earlier:
                message = (
                    f"Returned {days_left} days before the window ends, "
                    f"like {earlier} earlier returns"
                )
                params = {"days_left": days_left, "earlier": earlier}
                weight = settings.near_window_end_weight
                signals.append(RiskSignal(RiskSignalCode.NEAR_WINDOW_END, weight, params, message))
    if (
        settings.new_customer_weight > 0
        and history.orders_count <= settings.new_customer_max_orders
        and value >= settings.new_customer_value_at_least
    ):
        message = f"New customer returning {amount_text(value, currency)}"
        params = {"orders": history.orders_count, "value": value}
        weight = settings.new_customer_weight
        signals.append(RiskSignal(RiskSignalCode.NEW_CUSTOMER, weight, params, message))
    shipped_to, sent_from = order.shipping_country, order.return_country
    if (
        settings.address_mismatch_weight > 0
        and shipped_to
        and sent_from
        and shipped_to.upper() != sent_from.upper()
    ):
        shipped_to, sent_from = shipped_to.upper(), sent_from.upper()
        message = f"Sent back from {sent_from}, the order went to {shipped_to}"
        params = {"shipping_country": shipped_to, "return_country": sent_from}
        weight = settings.address_mismatch_weight
        signals.append(RiskSignal(RiskSignalCode.ADDRESS_MISMATCH, weight, params, message))
    if settings.velocity_weight > 0:
        recent = returns_in_last(settings.velocity_days)
        if recent >= settings.velocity_min_returns:
            message = f"{recent} returns in the last {settings.velocity_days} days"
            params = {"returns": recent, "days": settings.velocity_days}
            signals.append(
                RiskSignal(RiskSignalCode.VELOCITY, settings.velocity_weight, params, message)
            )
    score = 0
    for signal in signals:
        score += signal.weight
    return RiskAssessment(min(score, MAX_SCORE), tuple(signals))


def _bracketed_product(requested: Sequence[RequestedItem]) -> tuple[str, int] | None:
    """The product with the most variants (distinct SKUs) requested together, if two or more."""
    skus_by_product: dict[str, set[str]] = {}
    for line in requested:
        if line.item.product_id is not None:
            skus_by_product.setdefault(line.item.product_id, set()).add(line.item.sku)
    best = max(
        sorted(skus_by_product.items()),
        key=lambda entry: len(entry[1]),
        default=None,
    )
    if best is None or len(best[1]) < 2:
        return None
    return best[0], len(best[1])
