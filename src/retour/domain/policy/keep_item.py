"""Keep-item (returnless) offers: when sending items back is not worth it.

A return travels as one parcel, so the offer is for the whole return: every eligible item must
allow keep-item, and then either every item is worth less than `below_value` a unit, or the
label plus the handling of every unit costs at least what the store expects to recover by
reselling them. The expected recovery of an item is its value times the recovery rate of the
grade it is expected back in (by its reason, else the policy's expected grade); a collection
may have its own rates, and when an item is in several, the lowest rate counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from retour.domain.lines import Resolution
from retour.domain.policy.document import KeepItemRule
from retour.domain.policy.explain import amount_text
from retour.domain.policy.fees import percent_of
from retour.domain.policy.inputs import OrderedItem
from retour.domain.policy.results import KeepItemAssessment, KeepItemBasis, KeepItemOffer


def assess_keep_item(
    rule: KeepItemRule, item: OrderedItem, reason_code: str, units: int, value: int
) -> KeepItemAssessment:
    grade = rule.expected_grade_by_reason.get(reason_code, rule.expected_grade)
    rate = default_rate = rule.recovery_bp[grade]
    by_collection = rule.recovery_bp_by_collection
    if by_collection:
        rates = [
            by_collection[collection].get(grade, default_rate)
            for collection in item.collections
            if collection in by_collection
        ]
        rate = min(rates, default=default_rate)
    unit_value = value // units if units else 0
    return KeepItemAssessment(
        unit_value=unit_value,
        value=value,
        expected_grade=grade,
        recovery_bp=rate,
        expected_recovery=percent_of(value, rate),
        is_below_value=rule.below_value is not None and unit_value < rule.below_value,
    )


def keep_item_offer(
    rule: KeepItemRule,
    lines: Sequence[tuple[KeepItemAssessment, int, frozenset[Resolution]]],
    label_cost: int | None,
    currency: str,
) -> KeepItemOffer | None:
    """The offer for the eligible lines, each given as (assessment, units, resolutions)."""
    if not lines or any(Resolution.KEEP_ITEM not in resolutions for _, _, resolutions in lines):
        return None
    label = rule.label_cost if label_cost is None else label_cost
    cost = label + rule.handling_cost_per_unit * sum(units for _, units, _ in lines)
    recovery = sum(assessment.expected_recovery for assessment, _, _ in lines)
    if rule.below_value is not None and all(
        assessment.is_below_value for assessment, _, _ in lines
    ):
        message = (
            "Keep the items, no need to send them back: each is worth less than "
            f"{amount_text(rule.below_value, currency)}"
        )
        return KeepItemOffer(rule.id, KeepItemBasis.BELOW_VALUE, cost, recovery, message)
    if rule.when_uneconomic and cost >= recovery:
        message = (
            "Keep the items, no need to send them back: sending them back costs "
            f"{amount_text(cost, currency)} and reselling them would bring "
            f"{amount_text(recovery, currency)}"
        )
        return KeepItemOffer(rule.id, KeepItemBasis.UNECONOMIC, cost, recovery, message)
    return None
