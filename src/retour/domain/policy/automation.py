"""The automatic decision on a return request: approve, review or reject.

The rules are tried in the order the policy lists them; the first whose conditions all hold
decides, else the default does. They look at the eligible items only (what approval would
cover); a request with no eligible item is rejected by the built-in rule
`retour.nothing_eligible`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from retour.domain.policy.document import (
    NOTHING_ELIGIBLE_RULE,
    Automation,
    Conditions,
    Outcome,
    normalise_address,
    normalise_email,
)
from retour.domain.policy.inputs import CustomerHistory, OrderContext, OrderedItem
from retour.domain.policy.results import Decision

if TYPE_CHECKING:
    from retour.domain.policy.rule_index import RuleIndex


class DecidedItem(Protocol):
    """An eligible item as the automation sees it."""

    @property
    def item(self) -> OrderedItem: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def is_merchant_fault(self) -> bool: ...
    @property
    def value(self) -> int: ...
    @property
    def unit_value(self) -> int: ...


class RequestFacts:
    """What the automation rules look at; each figure worked out once, when a rule asks."""

    def __init__(
        self,
        order: OrderContext,
        items: Sequence[DecidedItem],
        history: CustomerHistory,
        risk_score: int,
        returns_in_last: Callable[[int], int],
    ) -> None:
        self.order = order
        self.items = items
        self.history = history
        self.risk_score = risk_score
        #: The customer's returns in the last days.
        self.returns_in_last = returns_in_last
        self._return_value: int | None = None

    @property
    def return_value(self) -> int:
        if self._return_value is None:
            self._return_value = sum(item.value for item in self.items)
        return self._return_value

    @property
    def highest_unit_value(self) -> int:
        return max(item.unit_value for item in self.items)


def decide(automation: Automation, facts: RequestFacts, rules: RuleIndex) -> Decision:
    """The first rule whose conditions hold, else the default (sentences from `rules`)."""
    if not facts.items:
        return Decision(Outcome.REJECT, NOTHING_ELIGIBLE_RULE, "Rejected: no item can be returned")
    for rule in automation.rules:
        if holds(rule.when, facts):
            return Decision(rule.outcome, rule.id, rules.decision_message(rule))
    return Decision(automation.default, automation.default_id, rules.default_message)


def holds(conditions: Conditions, facts: RequestFacts) -> bool:
    """True when every condition that is set holds (tried in turn, the first that does not
    hold answers)."""
    order, items, history = facts.order, facts.items, facts.history
    if conditions.order_value is not None and not conditions.order_value.contains(
        order.order_value
    ):
        return False
    if conditions.return_value is not None and not conditions.return_value.contains(
        facts.return_value
    ):
        return False
    if conditions.item_value is not None and not conditions.item_value.contains(
        facts.highest_unit_value
    ):
        return False
    if conditions.reasons is not None and not any(
        item.reason_code in conditions.reasons for item in items
    ):
        return False
    if conditions.merchant_fault is not None and conditions.merchant_fault != any(
        item.is_merchant_fault for item in items
    ):
        return False
    if conditions.items is not None and not any(
        conditions.items.matches(item.item.sku, item.item.tags, item.item.collections)
        for item in items
    ):
        return False
    recent = conditions.customer_returns
    if recent is not None and not recent.count.contains(facts.returns_in_last(recent.days)):
        return False
    if conditions.customer_return_rate_bp is not None and not (
        conditions.customer_return_rate_bp.contains(history.return_rate_bp or 0)
    ):
        return False
    if conditions.emails is not None and (
        normalise_email(order.customer_email) not in conditions.emails
    ):
        return False
    if conditions.addresses is not None and (
        normalise_address(order.shipping_address) not in conditions.addresses
    ):
        return False
    if conditions.risk_score is not None and not conditions.risk_score.contains(facts.risk_score):
        return False
    return conditions.gift is None or conditions.gift == order.is_gift
