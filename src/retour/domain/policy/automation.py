"""The automatic decision on a return request: approve, review or reject.

The rules are tried in the order the policy lists them; the first whose conditions all hold
decides, else the default does. They look at the eligible items only (what approval would
cover); a request with no eligible item is rejected by the built-in rule
`retour.nothing_eligible`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from retour.domain.policy.document import (
    NOTHING_ELIGIBLE_RULE,
    Automation,
    Conditions,
    Outcome,
    normalise_address,
    normalise_email,
)
from retour.domain.policy.explain import decision_text
from retour.domain.policy.inputs import CustomerHistory, OrderContext, OrderedItem
from retour.domain.policy.results import Decision


@dataclass(frozen=True)
class DecidedItem:
    """An eligible item as the automation sees it."""

    item: OrderedItem
    reason_code: str
    is_merchant_fault: bool
    value: int
    unit_value: int


@dataclass(frozen=True)
class RequestFacts:
    order: OrderContext
    items: Sequence[DecidedItem]
    history: CustomerHistory
    risk_score: int
    now: datetime

    @property
    def return_value(self) -> int:
        return sum(item.value for item in self.items)


def decide(automation: Automation, facts: RequestFacts, currency: str) -> Decision:
    if not facts.items:
        return Decision(Outcome.REJECT, NOTHING_ELIGIBLE_RULE, "Rejected: no item can be returned")
    for rule in automation.rules:
        if holds(rule.when, facts):
            message = rule.message or decision_text(rule.outcome, rule.when, currency)
            return Decision(rule.outcome, rule.id, message)
    return Decision(
        automation.default,
        automation.default_id,
        decision_text(automation.default, None, currency),
    )


def holds(conditions: Conditions, facts: RequestFacts) -> bool:
    """True when every condition that is set holds."""
    order, items, history = facts.order, facts.items, facts.history
    checks = (
        conditions.order_value is None or conditions.order_value.contains(order.order_value),
        conditions.return_value is None or conditions.return_value.contains(facts.return_value),
        conditions.item_value is None
        or conditions.item_value.contains(max(item.unit_value for item in items)),
        conditions.reasons is None or any(item.reason_code in conditions.reasons for item in items),
        conditions.merchant_fault is None
        or conditions.merchant_fault == any(item.is_merchant_fault for item in items),
        conditions.items is None
        or any(
            conditions.items.matches(item.item.sku, item.item.tags, item.item.collections)
            for item in items
        ),
        conditions.customer_returns is None
        or conditions.customer_returns.count.contains(
            history.returns_since(facts.now - timedelta(days=conditions.customer_returns.days))
        ),
        conditions.customer_return_rate_bp is None
        or conditions.customer_return_rate_bp.contains(history.return_rate_bp or 0),
        conditions.emails is None or normalise_email(order.customer_email) in conditions.emails,
        conditions.addresses is None
        or normalise_address(order.shipping_address) in conditions.addresses,
        conditions.risk_score is None or conditions.risk_score.contains(facts.risk_score),
        conditions.gift is None or conditions.gift == order.is_gift,
    )
    return all(checks)
