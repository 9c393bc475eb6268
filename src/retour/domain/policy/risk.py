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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from retour.domain.policy.document import RiskSettings
from retour.domain.policy.explain import amount_text, percent_text
from retour.domain.policy.inputs import CustomerHistory, OrderContext, OrderedItem
from retour.domain.policy.results import RiskAssessment, RiskSignal, RiskSignalCode

MAX_SCORE = 100


@dataclass(frozen=True)
class RequestedItem:
    item: OrderedItem
    value: int
    last_day: date


def assess_risk(
    settings: RiskSettings,
    order: OrderContext,
    requested: Sequence[RequestedItem],
    history: CustomerHistory,
    now: datetime,
    today: date,
    currency: str,
) -> RiskAssessment:
    value = sum(line.value for line in requested)
    signals: list[RiskSignal] = []

    def fire(code: RiskSignalCode, weight: int, message: str, **params: str | int) -> None:
        if weight > 0:
            signals.append(RiskSignal(code, weight, params, message))

    customer_rate = history.return_rate_bp
    store_rate = order.store_return_rate_bp
    if (
        customer_rate is not None
        and store_rate
        and history.items_bought >= settings.serial_returner_min_items
        and customer_rate >= settings.serial_returner_rate_multiple * store_rate
    ):
        fire(
            RiskSignalCode.SERIAL_RETURNER,
            settings.serial_returner_weight,
            f"Returns {percent_text(customer_rate)} of the items bought, against "
            f"{percent_text(store_rate)} for the store",
            customer_rate_bp=customer_rate,
            store_rate_bp=store_rate,
        )
    if value >= settings.high_value_at_least:
        fire(
            RiskSignalCode.HIGH_VALUE,
            settings.high_value_weight,
            f"Return worth {amount_text(value, currency)}",
            value=value,
        )
    bracketed = _bracketed_product(requested)
    if bracketed is not None:
        product_id, variants = bracketed
        fire(
            RiskSignalCode.BRACKETING,
            settings.bracketing_weight,
            f"{variants} variants of one product returned together",
            product_id=product_id,
            variants=variants,
        )
    if requested:
        days_left = min((line.last_day - today).days for line in requested)
        earlier = sum(
            1
            for past in history.returns
            if past.days_left_in_window is not None
            and past.days_left_in_window <= settings.near_window_end_days
        )
        if (
            0 <= days_left <= settings.near_window_end_days
            and earlier >= settings.near_window_end_min_earlier
        ):
            fire(
                RiskSignalCode.NEAR_WINDOW_END,
                settings.near_window_end_weight,
                f"Returned {days_left} days before the window ends, like {earlier} earlier returns",
                days_left=days_left,
                earlier=earlier,
            )
    if (
        history.orders_count <= settings.new_customer_max_orders
        and value >= settings.new_customer_value_at_least
    ):
        fire(
            RiskSignalCode.NEW_CUSTOMER,
            settings.new_customer_weight,
            f"New customer returning {amount_text(value, currency)}",
            orders=history.orders_count,
            value=value,
        )
    shipped_to, sent_from = order.shipping_country, order.return_country
    if shipped_to and sent_from and shipped_to.upper() != sent_from.upper():
        fire(
            RiskSignalCode.ADDRESS_MISMATCH,
            settings.address_mismatch_weight,
            f"Sent back from {sent_from.upper()}, the order went to {shipped_to.upper()}",
            shipping_country=shipped_to.upper(),
            return_country=sent_from.upper(),
        )
    recent = history.returns_since(now - timedelta(days=settings.velocity_days))
    if recent >= settings.velocity_min_returns:
        fire(
            RiskSignalCode.VELOCITY,
            settings.velocity_weight,
            f"{recent} returns in the last {settings.velocity_days} days",
            returns=recent,
            days=settings.velocity_days,
        )
    score = min(sum(signal.weight for signal in signals), MAX_SCORE)
    return RiskAssessment(score, tuple(signals))


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
