"""What every part of the policy parser shares: the accepted properties, rule ids, references."""

from __future__ import annotations

import re

from retour.domain.lines import ReturnMethod
from retour.domain.policy.document import (
    RESERVED_PREFIX,
    LineMatch,
    Reference,
    ReferenceKind,
    Restocking,
)
from retour.domain.policy.reader import JsonObject, Problems

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_RANGE = frozenset({"at_least", "below"})

#: The properties each object of the document accepts, by its name in the schema's `$defs`
#: ("policy" is the document itself).
OBJECT_KEYS: dict[str, frozenset[str]] = {
    "policy": frozenset(
        {
            "$schema",
            "description",
            "timezone",
            "currency",
            "default",
            "overrides",
            "extensions",
            "final_sale",
            "discounts",
            "gift_orders",
            "limits",
            "reasons",
            "fees",
            "keep_item",
            "automation",
            "risk",
        }
    ),
    "default": frozenset(
        {"id", "window_days", "transit_days", "resolutions", "return_methods", "restocking"}
    ),
    "override": frozenset(
        {"id", "match", "window_days", "resolutions", "return_methods", "restocking"}
    ),
    "match": frozenset({"skus", "tags", "collections"}),
    "restocking": frozenset({"percent", "fixed_per_unit"}),
    "extension": frozenset({"id", "ordered_from", "ordered_until", "window_days", "returns_until"}),
    "final_sale": frozenset({"id", "skus", "tags", "collections"}),
    "discount": frozenset({"id", "min_percent", "action"}),
    "gift_orders": frozenset({"id", "resolutions"}),
    "limits": frozenset({"returns_per_customer", "units_per_line"}),
    "returns_per_customer": frozenset({"id", "max_returns", "days"}),
    "units_per_line": frozenset({"id", "max_units"}),
    "reason": frozenset(
        {"id", "codes", "photo_required", "comment_required", "resolutions", "return_methods"}
    ),
    "fees": frozenset(
        {
            "restocking_per_return",
            "return_shipping",
            "waived_for",
            "refund_original_shipping",
            "store_credit_bonus",
        }
    ),
    "return_shipping": frozenset({"id", "fixed", "label_cost"}),
    "store_credit_bonus": frozenset({"id", "percent", "fixed", "cap"}),
    "keep_item": frozenset(
        {
            "id",
            "below_value",
            "when_uneconomic",
            "handling_cost_per_unit",
            "label_cost",
            "expected_grade",
            "expected_grade_by_reason",
            "recovery_percent",
            "recovery_percent_by_collection",
        }
    ),
    "grade_percents": frozenset({"A", "B", "C", "D"}),
    "automation": frozenset({"default", "rules"}),
    "automation_rule": frozenset({"id", "decision", "when", "message"}),
    "conditions": frozenset(
        {
            "order_value",
            "return_value",
            "item_value",
            "reasons",
            "merchant_fault",
            "items",
            "customer_returns",
            "customer_return_rate",
            "emails",
            "addresses",
            "risk_score",
            "gift",
        }
    ),
    "amount_range": _RANGE,
    "percent_range": _RANGE,
    "score_range": _RANGE,
    "customer_returns": frozenset({"days", "at_least", "below"}),
    "risk": frozenset(
        {
            "serial_returner",
            "high_value",
            "bracketing",
            "near_window_end",
            "new_customer",
            "address_mismatch",
            "velocity",
        }
    ),
    "serial_returner": frozenset({"weight", "min_items", "rate_multiple"}),
    "high_value": frozenset({"weight", "at_least"}),
    "bracketing": frozenset({"weight"}),
    "near_window_end": frozenset({"weight", "days", "min_earlier"}),
    "new_customer": frozenset({"weight", "max_orders", "at_least"}),
    "address_mismatch": frozenset({"weight"}),
    "velocity": frozenset({"weight", "days", "min_returns"}),
}


class Collector:
    """Carries the problems, checks that rule ids are well formed and unique, and records
    every SKU, tag, collection and reason the policy names (for `unknown_references`)."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.references: list[Reference] = []
        self._id_pointers: dict[str, str] = {}

    def rule_id(self, obj: JsonObject, default: str | None = None) -> str:
        """The rule's `id`; singletons may leave it out and get `default`."""
        value = obj.text("id", required=default is None, max_length=64)
        if value is None:
            value = default or ""
        elif not _ID.match(value):
            obj.fail(
                "id", "must be 1–64 letters, digits or _ . : - starting with a letter or digit"
            )
        elif value.startswith(RESERVED_PREFIX):
            obj.fail("id", f"must not start with {RESERVED_PREFIX!r} (kept for built-in rules)")
        if value in self._id_pointers:
            obj.fail("id", f"{value!r} is already the id of {self._id_pointers[value] or '/'}")
        elif value:
            self._id_pointers[value] = obj.at("id")
        return value

    def names(
        self, obj: JsonObject, key: str, kind: ReferenceKind, *, required: bool = False
    ) -> frozenset[str] | None:
        """A list of SKUs, tags, collections or reason codes, each remembered with its pointer."""
        items = obj.array(key, required=required)
        if items is None:
            return None
        values: set[str] = set()
        for pointer, item in items:
            if not isinstance(item, str) or not item.strip():
                self.problems.add(pointer, "must be a non-empty string")
                continue
            values.add(item)
            self.references.append(Reference(kind, item, pointer))
        return frozenset(values)

    def match(self, obj: JsonObject) -> LineMatch:
        return LineMatch(
            skus=self.names(obj, "skus", ReferenceKind.SKU) or frozenset(),
            tags=self.names(obj, "tags", ReferenceKind.TAG) or frozenset(),
            collections=self.names(obj, "collections", ReferenceKind.COLLECTION) or frozenset(),
        )


def read_return_methods(obj: JsonObject) -> frozenset[ReturnMethod] | None:
    methods = obj.choices("return_methods", ReturnMethod)
    if methods is not None and ReturnMethod.KEEP_ITEM in methods:
        obj.fail(
            "return_methods",
            "keep_item is not a way to send items back: list it under resolutions and set "
            "up the keep_item section",
        )
        return methods - {ReturnMethod.KEEP_ITEM}
    return methods


def read_restocking(obj: JsonObject) -> Restocking | None:
    fee = obj.child("restocking", OBJECT_KEYS["restocking"])
    if fee is None:
        return None
    percent = fee.percent("percent")
    fixed = fee.integer("fixed_per_unit")
    if fee.has("percent") == fee.has("fixed_per_unit"):
        obj.fail("restocking", "must set exactly one of percent or fixed_per_unit")
    return Restocking(percent_bp=percent or 0, fixed_per_unit=fixed or 0)
