"""Reading the money sections of a policy: fees and incentives, and the keep-item cost model."""

from __future__ import annotations

from collections.abc import Mapping

from retour.domain.lines import Grade, Resolution
from retour.domain.policy.collector import OBJECT_KEYS, Collector
from retour.domain.policy.document import (
    Fees,
    KeepItemRule,
    Reference,
    ReferenceKind,
    ReturnShippingFee,
    StoreCreditBonus,
)
from retour.domain.policy.reader import JsonObject, read_object

#: Resolutions whose fees a store may waive (the refund calculator's store-credit and
#: exchange methods).
WAIVABLE = frozenset({Resolution.STORE_CREDIT, Resolution.EXCHANGE})
#: Share of an item's value the store gets back by reselling it, by the grade it comes back in.
DEFAULT_RECOVERY_BP: Mapping[Grade, int] = {
    Grade.A: 9_000,
    Grade.B: 6_000,
    Grade.C: 2_500,
    Grade.D: 0,
}


def read_fees(collector: Collector, obj: JsonObject | None) -> Fees:
    if obj is None:
        return Fees()
    waived_for = obj.choices("waived_for", Resolution, allow_empty=True)
    if waived_for is not None and not waived_for <= WAIVABLE:
        obj.fail("waived_for", "may only list store_credit and exchange")
    return Fees(
        restocking_per_return=obj.integer("restocking_per_return") or 0,
        return_shipping=_read_return_shipping(collector, obj),
        waived_for=Fees().waived_for if waived_for is None else waived_for & WAIVABLE,
        refund_original_shipping=obj.boolean("refund_original_shipping", False),
        store_credit_bonus=_read_bonus(collector, obj),
    )


def _read_return_shipping(collector: Collector, fees: JsonObject) -> ReturnShippingFee | None:
    obj = fees.child("return_shipping", OBJECT_KEYS["return_shipping"])
    if obj is None:
        return None
    rule_id = collector.rule_id(obj, "return_shipping")
    fixed = obj.integer("fixed")
    uses_label_cost = obj.boolean("label_cost", False)
    if obj.has("label_cost") and not uses_label_cost:
        obj.fail("label_cost", "must be true when present (leave it out to charge a fixed fee)")
    if obj.has("fixed") == obj.has("label_cost"):
        fees.fail("return_shipping", "must set exactly one of fixed or label_cost")
    return ReturnShippingFee(rule_id, fixed=fixed or 0, uses_label_cost=uses_label_cost)


def _read_bonus(collector: Collector, fees: JsonObject) -> StoreCreditBonus | None:
    obj = fees.child("store_credit_bonus", OBJECT_KEYS["store_credit_bonus"])
    if obj is None:
        return None
    rule_id = collector.rule_id(obj, "store_credit_bonus")
    if not (obj.has("percent") or obj.has("fixed")):
        fees.fail("store_credit_bonus", "must set percent, fixed or both")
    return StoreCreditBonus(
        id=rule_id,
        percent_bp=obj.percent("percent") or 0,
        fixed=obj.integer("fixed") or 0,
        cap=obj.integer("cap"),
    )


def read_keep_item(collector: Collector, obj: JsonObject | None) -> KeepItemRule | None:
    if obj is None:
        return None
    rule_id = collector.rule_id(obj, "keep_item")
    below_value = obj.integer("below_value", minimum=1)
    when_uneconomic = obj.boolean("when_uneconomic", False)
    if below_value is None and not when_uneconomic:
        obj.problems.add(obj.pointer, "must set below_value, when_uneconomic: true, or both")
    by_reason: dict[str, Grade] = {}
    for reason, pointer, value in obj.members("expected_grade_by_reason"):
        if not isinstance(value, str) or value not in Grade._value2member_map_:
            collector.problems.add(pointer, "must be one of A, B, C, D")
            continue
        by_reason[reason] = Grade(value)
        collector.references.append(Reference(ReferenceKind.REASON, reason, pointer))
    by_collection: dict[str, Mapping[Grade, int]] = {}
    for collection, pointer, value in obj.members("recovery_percent_by_collection"):
        percents = read_object(collector.problems, value, pointer, OBJECT_KEYS["grade_percents"])
        if percents is not None:
            by_collection[collection] = _grade_percents(percents)
        collector.references.append(Reference(ReferenceKind.COLLECTION, collection, pointer))
    recovery = obj.child("recovery_percent", OBJECT_KEYS["grade_percents"])
    return KeepItemRule(
        id=rule_id,
        below_value=below_value,
        when_uneconomic=when_uneconomic,
        handling_cost_per_unit=obj.integer("handling_cost_per_unit") or 0,
        label_cost=obj.integer("label_cost") or 0,
        expected_grade=obj.choice("expected_grade", Grade) or Grade.B,
        expected_grade_by_reason=by_reason,
        recovery_bp={**DEFAULT_RECOVERY_BP, **(_grade_percents(recovery) if recovery else {})},
        recovery_bp_by_collection=by_collection,
    )


def _grade_percents(obj: JsonObject) -> dict[Grade, int]:
    """{"A": 90, "C": 20} as basis points per grade; grades left out are not in the result."""
    percents: dict[Grade, int] = {}
    for grade in Grade:
        value = obj.percent(grade.value)
        if value is not None:
            percents[grade] = value
    return percents
