"""Reading the automation rules and the risk signals' settings of a policy."""

from __future__ import annotations

from dataclasses import replace

from retour.domain.policy.collector import OBJECT_KEYS, Collector
from retour.domain.policy.document import (
    Automation,
    AutomationRule,
    Conditions,
    Outcome,
    Range,
    RecentReturns,
    ReferenceKind,
    RiskSettings,
    normalise_address,
    normalise_email,
)
from retour.domain.policy.reader import JsonObject, read_object

MAX_DAYS = 3650


def read_automation(collector: Collector, obj: JsonObject | None) -> Automation:
    if obj is None:
        return Automation()
    rules: list[AutomationRule] = []
    for pointer, value in obj.array("rules") or []:
        rule = read_object(collector.problems, value, pointer, OBJECT_KEYS["automation_rule"])
        if rule is not None:
            rules.append(_read_rule(collector, rule))
    default = obj.choice("default", Outcome) or Automation().default
    return Automation(rules=tuple(rules), default=default)


def _read_rule(collector: Collector, obj: JsonObject) -> AutomationRule:
    rule_id = collector.rule_id(obj)
    outcome = obj.choice("decision", Outcome, required=True) or Outcome.REVIEW
    when = obj.child("when", OBJECT_KEYS["conditions"], required=True)
    return AutomationRule(
        id=rule_id,
        outcome=outcome,
        when=_read_conditions(collector, when) if when else Conditions(),
        message=obj.text("message"),
    )


def _read_conditions(collector: Collector, obj: JsonObject) -> Conditions:
    items = obj.child("items", OBJECT_KEYS["match"])
    match = collector.match(items) if items is not None else None
    if items is not None and match is not None and match.specificity == 0:
        obj.fail("items", "must list skus, tags or collections")
    emails = obj.strings("emails")
    addresses = obj.strings("addresses")
    return Conditions(
        order_value=_amount_range(obj, "order_value"),
        return_value=_amount_range(obj, "return_value"),
        item_value=_amount_range(obj, "item_value"),
        reasons=collector.names(obj, "reasons", ReferenceKind.REASON),
        merchant_fault=_optional_boolean(obj, "merchant_fault"),
        items=match,
        customer_returns=_recent_returns(obj),
        customer_return_rate_bp=_percent_range(obj, "customer_return_rate"),
        emails=None if emails is None else frozenset(map(normalise_email, emails)),
        addresses=None if addresses is None else frozenset(map(normalise_address, addresses)),
        risk_score=_score_range(obj),
        gift=_optional_boolean(obj, "gift"),
    )


def _optional_boolean(obj: JsonObject, key: str) -> bool | None:
    return obj.boolean(key, False) if obj.has(key) else None


def _amount_range(obj: JsonObject, key: str) -> Range | None:
    bounds = obj.child(key, OBJECT_KEYS["amount_range"])
    if bounds is None:
        return None
    return _checked(bounds, bounds.integer("at_least"), bounds.integer("below", minimum=1))


def _percent_range(obj: JsonObject, key: str) -> Range | None:
    bounds = obj.child(key, OBJECT_KEYS["percent_range"])
    if bounds is None:
        return None
    return _checked(bounds, bounds.percent("at_least"), bounds.percent("below"))


def _score_range(obj: JsonObject) -> Range | None:
    bounds = obj.child("risk_score", OBJECT_KEYS["score_range"])
    if bounds is None:
        return None
    return _checked(
        bounds,
        bounds.integer("at_least", maximum=100),
        bounds.integer("below", minimum=1, maximum=100),
    )


def _recent_returns(obj: JsonObject) -> RecentReturns | None:
    bounds = obj.child("customer_returns", OBJECT_KEYS["customer_returns"])
    if bounds is None:
        return None
    days = bounds.integer("days", required=True, minimum=1, maximum=MAX_DAYS) or 1
    count = _checked(bounds, bounds.integer("at_least"), bounds.integer("below", minimum=1))
    return RecentReturns(days, count)


def _checked(bounds: JsonObject, at_least: int | None, below: int | None) -> Range:
    if not (bounds.has("at_least") or bounds.has("below")):
        bounds.problems.add(bounds.pointer, "must set at_least, below or both")
    if at_least is not None and below is not None and below <= at_least:
        bounds.fail("below", "must be greater than at_least")
    return Range(at_least, below)


def read_risk(obj: JsonObject | None) -> RiskSettings:
    """Each signal's settings; a signal left out keeps its documented defaults."""
    base = RiskSettings()
    if obj is None:
        return base
    values: dict[str, int] = {}
    fields = {
        "serial_returner": {"min_items": 1, "rate_multiple": 1},
        "high_value": {"at_least": 1},
        "bracketing": {},
        "near_window_end": {"days": 0, "min_earlier": 0},
        "new_customer": {"max_orders": 0, "at_least": 1},
        "address_mismatch": {},
        "velocity": {"days": 1, "min_returns": 1},
    }
    renamed = {"new_customer_at_least": "new_customer_value_at_least"}
    for signal, settings in fields.items():
        signal_obj = obj.child(signal, OBJECT_KEYS[signal])
        if signal_obj is None:
            continue
        weight = signal_obj.integer("weight", maximum=100)
        if weight is not None:
            values[f"{signal}_weight"] = weight
        for name, minimum in settings.items():
            value = signal_obj.integer(name, minimum=minimum)
            if value is not None:
                field = f"{signal}_{name}"
                values[renamed.get(field, field)] = value
    return replace(base, **values)
