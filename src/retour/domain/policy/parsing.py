"""From the policy's JSON (a plain dict) to a `Policy`, or every problem with its JSON pointer.

The properties each object accepts are listed in `collector.OBJECT_KEYS`, named as in the
published schema (policy.schema.json, whose `$defs` a test compares with that table).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retour.domain.errors import DomainError
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.automation_parsing import read_automation, read_risk
from retour.domain.policy.collector import (
    OBJECT_KEYS,
    Collector,
    read_restocking,
    read_return_methods,
)
from retour.domain.policy.document import (
    CustomerLimit,
    Defaults,
    DiscountAction,
    DiscountRule,
    Extension,
    FinalSaleRule,
    GiftOrders,
    ItemSettings,
    LineMatch,
    LineQuantityLimit,
    Override,
    Policy,
    ReasonRule,
    ReferenceKind,
    Restocking,
)
from retour.domain.policy.fee_parsing import read_fees, read_keep_item
from retour.domain.policy.reader import JsonObject, Problems, read_object

T = TypeVar("T")

DEFAULT_RESOLUTIONS = frozenset(
    {Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE, Resolution.KEEP_ITEM}
)
DEFAULT_RETURN_METHODS = frozenset(
    {ReturnMethod.PREPAID_LABEL, ReturnMethod.QR_DROP_OFF, ReturnMethod.SHIP_YOURSELF}
)
DEFAULT_TRANSIT_DAYS = 5
GIFT_RESOLUTIONS = frozenset({Resolution.STORE_CREDIT})
MAX_DAYS = 3650
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EPOCH = date(1970, 1, 1)


class InvalidPolicy(DomainError):
    """A policy document that breaks the schema; `errors` lists (JSON pointer, message)."""

    code = "invalid_policy"

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors = tuple(errors)
        super().__init__(
            f"the policy has {len(self.errors)} error(s)",
            errors=[{"pointer": pointer, "message": message} for pointer, message in self.errors],
        )


@dataclass(frozen=True)
class Catalogue:
    """What the store knows today, to warn about names a policy uses that nothing carries."""

    skus: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()


def parse_policy(data: object) -> Policy:
    """The policy in `data`, or `InvalidPolicy` listing every problem found."""
    problems = Problems()
    policy = _read_policy(Collector(problems), data)
    if problems.items or policy is None:
        raise InvalidPolicy(problems.items or [("", "must be an object")])
    policy.rules  # noqa: B018 -- arranged once now rather than by the first evaluation
    return policy


def policy_problems(data: object) -> list[tuple[str, str]]:
    """Every (JSON pointer, message) problem of `data`; empty when it is a valid policy."""
    try:
        parse_policy(data)
    except InvalidPolicy as invalid:
        return list(invalid.errors)
    return []


def unknown_references(policy: Policy, catalogue: Catalogue) -> list[tuple[str, str]]:
    """Warnings, not errors: SKUs, tags, collections and reasons the store does not know yet."""
    known = {
        ReferenceKind.SKU: catalogue.skus,
        ReferenceKind.TAG: catalogue.tags,
        ReferenceKind.COLLECTION: catalogue.collections,
        ReferenceKind.REASON: catalogue.reasons,
    }
    return [
        (reference.pointer, f"no product or reason uses the {reference.kind} {reference.value!r}")
        for reference in policy.references
        if reference.value not in known[reference.kind]
    ]


def _read_policy(collector: Collector, data: object) -> Policy | None:
    root = read_object(collector.problems, data, "", OBJECT_KEYS["policy"])
    if root is None:
        return None
    root.text("description", max_length=2000)
    root.text("$schema", max_length=2000)
    currency = root.text("currency", required=True) or "XXX"
    if not _CURRENCY.match(currency):
        root.fail("currency", "must be an ISO 4217 code in capitals, e.g. EUR")
    limits = root.child("limits", OBJECT_KEYS["limits"])
    return Policy(
        timezone=_read_timezone(root),
        currency=currency,
        defaults=_read_defaults(collector, root),
        overrides=tuple(_each(collector, root, "overrides", "override", _read_override)),
        extensions=tuple(_each(collector, root, "extensions", "extension", _read_extension)),
        final_sale=tuple(_each(collector, root, "final_sale", "final_sale", _read_final_sale)),
        discounts=tuple(_each(collector, root, "discounts", "discount", _read_discount)),
        gift_orders=_read_gift_orders(collector, root),
        customer_limit=_read_customer_limit(collector, limits),
        line_limit=_read_line_limit(collector, limits),
        reasons=tuple(_each(collector, root, "reasons", "reason", _read_reason)),
        fees=read_fees(collector, root.child("fees", OBJECT_KEYS["fees"])),
        keep_item=read_keep_item(collector, root.child("keep_item", OBJECT_KEYS["keep_item"])),
        automation=read_automation(collector, root.child("automation", OBJECT_KEYS["automation"])),
        risk=read_risk(root.child("risk", OBJECT_KEYS["risk"])),
        references=tuple(collector.references),
    )


def _each(
    collector: Collector,
    root: JsonObject,
    key: str,
    kind: str,
    read: Callable[[Collector, JsonObject], T],
) -> Iterator[T]:
    for pointer, value in root.array(key) or []:
        item = read_object(collector.problems, value, pointer, OBJECT_KEYS[kind])
        if item is not None:
            yield read(collector, item)


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _read_timezone(root: JsonObject) -> ZoneInfo:
    name = root.text("timezone", required=True, max_length=64)
    if name is None:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        root.fail("timezone", f"{name!r} is not an IANA time zone, e.g. Europe/Paris")
        return ZoneInfo("UTC")


def _read_defaults(collector: Collector, root: JsonObject) -> Defaults:
    obj = root.child("default", OBJECT_KEYS["default"], required=True)
    if obj is None:
        return Defaults("default", 0, 0, DEFAULT_RESOLUTIONS, DEFAULT_RETURN_METHODS, Restocking())
    return Defaults(
        id=collector.rule_id(obj, "default"),
        window_days=_or(obj.integer("window_days", required=True, maximum=MAX_DAYS), 0),
        transit_days=_or(obj.integer("transit_days", maximum=MAX_DAYS), DEFAULT_TRANSIT_DAYS),
        resolutions=_or(obj.choices("resolutions", Resolution), DEFAULT_RESOLUTIONS),
        return_methods=_or(read_return_methods(obj), DEFAULT_RETURN_METHODS),
        restocking=_or(read_restocking(obj), Restocking()),
    )


def _read_override(collector: Collector, obj: JsonObject) -> Override:
    rule_id = collector.rule_id(obj)
    match_obj = obj.child("match", OBJECT_KEYS["match"], required=True)
    match = collector.match(match_obj) if match_obj is not None else None
    if match is not None and sum(map(bool, (match.skus, match.tags, match.collections))) != 1:
        obj.fail("match", "must name exactly one of skus, tags or collections")
    settings = ItemSettings(
        window_days=obj.integer("window_days", maximum=MAX_DAYS),
        resolutions=obj.choices("resolutions", Resolution),
        return_methods=read_return_methods(obj),
        restocking=read_restocking(obj),
    )
    if not any(obj.has(key) for key in OBJECT_KEYS["override"] - {"id", "match"}):
        obj.problems.add(
            obj.pointer, "must set window_days, resolutions, return_methods or restocking"
        )
    return Override(rule_id, match or LineMatch(), settings)


def _read_extension(collector: Collector, obj: JsonObject) -> Extension:
    rule_id = collector.rule_id(obj)
    ordered_from = obj.day("ordered_from", required=True)
    ordered_until = obj.day("ordered_until", required=True)
    if ordered_from and ordered_until and ordered_until < ordered_from:
        obj.fail("ordered_until", "must not be before ordered_from")
    window_days = obj.integer("window_days", maximum=MAX_DAYS)
    returns_until = obj.day("returns_until")
    if obj.has("window_days") == obj.has("returns_until"):
        obj.problems.add(obj.pointer, "must set exactly one of window_days or returns_until")
    if returns_until and ordered_until and returns_until < ordered_until:
        obj.fail("returns_until", "must not be before ordered_until")
    return Extension(
        id=rule_id,
        ordered_from=_or(ordered_from, _EPOCH),
        ordered_until=_or(ordered_until, _EPOCH),
        window_days=window_days,
        returns_until=returns_until,
    )


def _read_final_sale(collector: Collector, obj: JsonObject) -> FinalSaleRule:
    rule_id = collector.rule_id(obj)
    match = collector.match(obj)
    if not (match.skus or match.tags or match.collections):
        obj.problems.add(obj.pointer, "must list skus, tags or collections")
    return FinalSaleRule(rule_id, match)


def _read_discount(collector: Collector, obj: JsonObject) -> DiscountRule:
    return DiscountRule(
        id=collector.rule_id(obj),
        min_discount_bp=_or(obj.percent("min_percent", required=True), 0),
        action=_or(obj.choice("action", DiscountAction, required=True), DiscountAction.EXCLUDE),
    )


def _read_gift_orders(collector: Collector, root: JsonObject) -> GiftOrders | None:
    obj = root.child("gift_orders", OBJECT_KEYS["gift_orders"])
    if obj is None:
        return None
    return GiftOrders(
        id=collector.rule_id(obj, "gift_orders"),
        resolutions=_or(obj.choices("resolutions", Resolution), GIFT_RESOLUTIONS),
    )


def _read_customer_limit(collector: Collector, limits: JsonObject | None) -> CustomerLimit | None:
    obj = (
        limits.child("returns_per_customer", OBJECT_KEYS["returns_per_customer"])
        if limits
        else None
    )
    if obj is None:
        return None
    return CustomerLimit(
        id=collector.rule_id(obj, "returns_per_customer"),
        max_returns=_or(obj.integer("max_returns", required=True, minimum=1), 1),
        days=_or(obj.integer("days", required=True, minimum=1, maximum=MAX_DAYS), 1),
    )


def _read_line_limit(collector: Collector, limits: JsonObject | None) -> LineQuantityLimit | None:
    obj = limits.child("units_per_line", OBJECT_KEYS["units_per_line"]) if limits else None
    if obj is None:
        return None
    return LineQuantityLimit(
        id=collector.rule_id(obj, "units_per_line"),
        max_units=_or(obj.integer("max_units", required=True, minimum=1), 1),
    )


def _read_reason(collector: Collector, obj: JsonObject) -> ReasonRule:
    rule_id = collector.rule_id(obj)
    rule = ReasonRule(
        id=rule_id,
        codes=_or(collector.names(obj, "codes", ReferenceKind.REASON, required=True), frozenset()),
        photo_required=obj.boolean("photo_required", False),
        comment_required=obj.boolean("comment_required", False),
        resolutions=obj.choices("resolutions", Resolution),
        return_methods=read_return_methods(obj),
    )
    if not any(obj.has(key) for key in OBJECT_KEYS["reason"] - {"id", "codes"}):
        obj.problems.add(
            obj.pointer,
            "must set photo_required, comment_required, resolutions or return_methods",
        )
    return rule
