"""The English sentences of the policy engine: decisions, and an evaluation as plain text.

The findings' sentences are in `sentences` (re-exported here); the portal translates from the
same codes and parameters, these are the English catalogue and what the back office, the API
and the CLI show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from retour.domain.policy.codes import FindingCode
from retour.domain.policy.document import Conditions, Outcome, Range
from retour.domain.policy.results import Evaluation, Finding
from retour.domain.policy.sentences import (
    amount_text,
    day_text,
    finding_text,
    percent_text,
    resolutions_text,
)

__all__ = [
    "amount_text",
    "conditions_text",
    "day_text",
    "decision_text",
    "explain",
    "finding",
    "finding_text",
    "percent_text",
    "resolutions_text",
]

_OUTCOME_WORDS = {
    Outcome.APPROVE: "Approved automatically",
    Outcome.REVIEW: "Sent to a person for review",
    Outcome.REJECT: "Rejected",
}


def finding(code: FindingCode, rule_id: str, today: date, **params: str | int) -> Finding:
    """A refusal or note; its sentence is written when it is read."""
    return Finding(code, rule_id, params, today)


def decision_text(outcome: Outcome, conditions: Conditions | None, currency: str) -> str:
    """ "Approved automatically: the order value is below 50.00 EUR and …"."""
    if conditions is None:
        return f"{_OUTCOME_WORDS[outcome]}: no automatic rule applied"
    parts = conditions_text(conditions, currency)
    if not parts:
        return f"{_OUTCOME_WORDS[outcome]}"
    return f"{_OUTCOME_WORDS[outcome]}: {' and '.join(parts)}"


def conditions_text(conditions: Conditions, currency: str) -> list[str]:
    def money(bounds: Range) -> str:
        return _range_text(bounds, lambda amount: amount_text(amount, currency))

    parts: list[str] = []
    if conditions.order_value:
        parts.append(f"the order value is {money(conditions.order_value)}")
    if conditions.return_value:
        parts.append(f"the return's value is {money(conditions.return_value)}")
    if conditions.item_value:
        parts.append(f"an item's value is {money(conditions.item_value)}")
    if conditions.reasons is not None:
        parts.append(f"the reason is {' or '.join(sorted(conditions.reasons))}")
    if conditions.merchant_fault is not None:
        parts.append(
            "the store is at fault" if conditions.merchant_fault else "the store is not at fault"
        )
    if conditions.items is not None:
        listed = sorted(
            conditions.items.skus | conditions.items.tags | conditions.items.collections
        )
        parts.append(f"an item is {' or '.join(listed)}")
    if conditions.customer_returns is not None:
        count = _range_text(conditions.customer_returns.count, str, below="fewer than")
        parts.append(
            f"the customer made {count} returns in the last {conditions.customer_returns.days} days"
        )
    if conditions.customer_return_rate_bp is not None:
        rate = _range_text(conditions.customer_return_rate_bp, percent_text)
        parts.append(f"the customer's return rate is {rate}")
    if conditions.emails is not None:
        parts.append("the customer's email is on the list")
    if conditions.addresses is not None:
        parts.append("the shipping address is on the list")
    if conditions.risk_score is not None:
        parts.append(f"the risk score is {_range_text(conditions.risk_score, str)}")
    if conditions.gift is not None:
        parts.append("the order is a gift" if conditions.gift else "the order is not a gift")
    return parts


def _range_text(bounds: Range, show: Callable[[int], str], below: str = "below") -> str:
    if bounds.at_least is not None and bounds.below is not None:
        return f"at least {show(bounds.at_least)} and {below} {show(bounds.below)}"
    if bounds.at_least is not None:
        return f"at least {show(bounds.at_least)}"
    return f"{below} {show(bounds.below or 0)}"


def explain(evaluation: Evaluation) -> str:
    """The evaluation as plain text, one item a line, for the back office and the CLI."""
    lines = [f"{evaluation.decision.message} [{evaluation.decision.rule_id}]"]
    lines.append(f"Risk {evaluation.risk.score}/100")
    for signal in evaluation.risk.signals:
        lines.append(f"  +{signal.weight} {signal.message}")
    for line in evaluation.lines:
        verdict = "eligible" if line.is_eligible else "not eligible"
        lines.append(f"Line {line.order_line_id} × {line.quantity}: {verdict}")
        for item in (*line.refusals, *line.notes):
            lines.append(f"  {item.message} [{item.rule_id}]")
        if line.is_eligible:
            lines.append(f"  resolutions: {', '.join(line.resolutions)}")
            lines.append(f"  return methods: {', '.join(line.return_methods)}")
    if evaluation.keep_item is not None:
        lines.append(f"{evaluation.keep_item.message} [{evaluation.keep_item.rule_id}]")
    return "\n".join(lines)
