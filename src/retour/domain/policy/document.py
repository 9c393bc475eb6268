"""The return policy document as frozen values: what `parse_policy` builds from JSON.

Amounts are integers in the minor unit of the policy's currency; percentages are basis points
(1 % = 100). Every rule has an id, so each refusal and decision can name the rule behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from retour.domain.lines import Grade, Resolution, ReturnMethod

if TYPE_CHECKING:
    from retour.domain.policy.rule_index import RuleIndex

#: Rule ids that the engine itself uses; a policy's own ids may not start with "retour.".
RESERVED_PREFIX = "retour."
ORDER_LINE_RULE = "retour.order_line"
AVAILABLE_QUANTITY_RULE = "retour.available_quantity"
PRODUCT_FINAL_SALE_RULE = "retour.product_final_sale"
NOTHING_ELIGIBLE_RULE = "retour.nothing_eligible"
BUILTIN_RULES = frozenset(
    {ORDER_LINE_RULE, AVAILABLE_QUANTITY_RULE, PRODUCT_FINAL_SALE_RULE, NOTHING_ELIGIBLE_RULE}
)


class Specificity(IntEnum):
    """Which per-item setting wins when several rules match: the highest."""

    DEFAULT = 0
    COLLECTION = 1
    TAG = 2
    SKU = 3


@dataclass(frozen=True)
class LineMatch:
    """Matches an item whose SKU, any tag or any collection is listed (an empty match: none)."""

    skus: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()

    def matches(self, sku: str, tags: frozenset[str], collections: frozenset[str]) -> bool:
        return (
            sku in self.skus
            or not self.tags.isdisjoint(tags)
            or not self.collections.isdisjoint(collections)
        )

    @property
    def specificity(self) -> Specificity:
        """The most specific kind this match names (an override names exactly one)."""
        if self.skus:
            return Specificity.SKU
        if self.tags:
            return Specificity.TAG
        if self.collections:
            return Specificity.COLLECTION
        return Specificity.DEFAULT


@dataclass(frozen=True)
class Range:
    """`at_least ≤ value < below`; a missing bound does not limit."""

    at_least: int | None = None
    below: int | None = None

    def contains(self, value: int) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        return self.below is None or value < self.below


@dataclass(frozen=True)
class Restocking:
    """A restocking fee per item: a share of its price (before tax) or a fixed amount a unit."""

    percent_bp: int = 0
    fixed_per_unit: int = 0


@dataclass(frozen=True)
class ItemSettings:
    """Per-item settings; in an override, None means "not set here, ask a less specific rule"."""

    window_days: int | None = None
    resolutions: frozenset[Resolution] | None = None
    return_methods: frozenset[ReturnMethod] | None = None
    restocking: Restocking | None = None


@dataclass(frozen=True)
class Defaults:
    id: str
    window_days: int
    #: Used when an item has a shipped date but no delivered date.
    transit_days: int
    resolutions: frozenset[Resolution]
    return_methods: frozenset[ReturnMethod]
    restocking: Restocking


@dataclass(frozen=True)
class Override:
    id: str
    match: LineMatch
    settings: ItemSettings

    @property
    def specificity(self) -> Specificity:
        return self.match.specificity


@dataclass(frozen=True)
class Extension:
    """Orders placed from `ordered_from` to `ordered_until` (inclusive, store time) get longer.

    Either `window_days` from the same start as the regular window, or a last day `returns_until`.
    An extension never shortens a window: the later end wins.
    """

    id: str
    ordered_from: date
    ordered_until: date
    window_days: int | None = None
    returns_until: date | None = None


@dataclass(frozen=True)
class FinalSaleRule:
    id: str
    match: LineMatch


class DiscountAction(StrEnum):
    EXCLUDE = "exclude"
    STORE_CREDIT_ONLY = "store_credit_only"


@dataclass(frozen=True)
class DiscountRule:
    """Items bought at `min_discount_bp` or more off their reference price."""

    id: str
    min_discount_bp: int
    action: DiscountAction


@dataclass(frozen=True)
class GiftOrders:
    id: str
    resolutions: frozenset[Resolution]


@dataclass(frozen=True)
class CustomerLimit:
    """At most `max_returns` returns by one customer within `days` days (this one included)."""

    id: str
    max_returns: int
    days: int


@dataclass(frozen=True)
class LineQuantityLimit:
    """At most `max_units` units of one order line returned, across all its returns."""

    id: str
    max_units: int


@dataclass(frozen=True)
class ReasonRule:
    id: str
    codes: frozenset[str]
    photo_required: bool = False
    comment_required: bool = False
    resolutions: frozenset[Resolution] | None = None
    return_methods: frozenset[ReturnMethod] | None = None


@dataclass(frozen=True)
class ReturnShippingFee:
    """Charged once a return that travels on the merchant's label or drop-off code."""

    id: str
    fixed: int = 0
    #: Charge what the label costs the store instead of a fixed amount.
    uses_label_cost: bool = False


@dataclass(frozen=True)
class StoreCreditBonus:
    id: str
    percent_bp: int = 0
    fixed: int = 0
    cap: int | None = None


@dataclass(frozen=True)
class Fees:
    """Fees per return; the restocking fee per item lives in `Defaults` and overrides."""

    restocking_per_return: int = 0
    restocking_per_return_id: str = "restocking_per_return"
    return_shipping: ReturnShippingFee | None = None
    waived_for: frozenset[Resolution] = frozenset({Resolution.EXCHANGE})
    refund_original_shipping: bool = False
    store_credit_bonus: StoreCreditBonus | None = None


@dataclass(frozen=True)
class KeepItemRule:
    """When to let the shopper keep the items: cheap items, or a return that costs more than
    the store would recover by reselling them."""

    id: str
    #: Offer when every item's unit value (tax included) is below this.
    below_value: int | None = None
    #: Offer when label + handling cost at least the expected recovery.
    when_uneconomic: bool = False
    handling_cost_per_unit: int = 0
    #: Used when the request carries no label quote.
    label_cost: int = 0
    expected_grade: Grade = Grade.B
    expected_grade_by_reason: Mapping[str, Grade] = field(default_factory=dict)
    recovery_bp: Mapping[Grade, int] = field(default_factory=dict)
    recovery_bp_by_collection: Mapping[str, Mapping[Grade, int]] = field(default_factory=dict)


class Outcome(StrEnum):
    APPROVE = "approve"
    REVIEW = "review"
    REJECT = "reject"


@dataclass(frozen=True)
class RecentReturns:
    days: int
    count: Range


@dataclass(frozen=True)
class Conditions:
    """All set conditions must hold (an empty set of conditions always holds)."""

    order_value: Range | None = None
    return_value: Range | None = None
    #: The highest unit value (tax included) among the requested items.
    item_value: Range | None = None
    #: Any requested item has one of these reasons.
    reasons: frozenset[str] | None = None
    merchant_fault: bool | None = None
    #: Any requested item matches.
    items: LineMatch | None = None
    customer_returns: RecentReturns | None = None
    customer_return_rate_bp: Range | None = None
    emails: frozenset[str] | None = None
    addresses: frozenset[str] | None = None
    risk_score: Range | None = None
    gift: bool | None = None


@dataclass(frozen=True)
class AutomationRule:
    id: str
    outcome: Outcome
    when: Conditions
    #: The sentence shoppers and agents read; generated from the conditions when absent.
    message: str | None = None


@dataclass(frozen=True)
class Automation:
    rules: tuple[AutomationRule, ...] = ()
    default: Outcome = Outcome.REVIEW
    default_id: str = "automation_default"


@dataclass(frozen=True)
class RiskSettings:
    """Weights (points out of 100) and thresholds of the risk signals; weight 0 turns one off."""

    serial_returner_weight: int = 30
    serial_returner_min_items: int = 5
    serial_returner_rate_multiple: int = 2
    high_value_weight: int = 20
    high_value_at_least: int = 50_000
    bracketing_weight: int = 15
    near_window_end_weight: int = 10
    near_window_end_days: int = 3
    near_window_end_min_earlier: int = 2
    new_customer_weight: int = 20
    new_customer_max_orders: int = 1
    new_customer_value_at_least: int = 20_000
    address_mismatch_weight: int = 15
    velocity_weight: int = 20
    velocity_days: int = 7
    velocity_min_returns: int = 3


class ReferenceKind(StrEnum):
    SKU = "sku"
    TAG = "tag"
    COLLECTION = "collection"
    REASON = "reason"


@dataclass(frozen=True)
class Reference:
    """A SKU, tag, collection or reason code the policy names, and where."""

    kind: ReferenceKind
    value: str
    pointer: str


@dataclass(frozen=True)
class Policy:
    timezone: ZoneInfo
    currency: str
    defaults: Defaults
    overrides: tuple[Override, ...] = ()
    extensions: tuple[Extension, ...] = ()
    final_sale: tuple[FinalSaleRule, ...] = ()
    discounts: tuple[DiscountRule, ...] = ()
    gift_orders: GiftOrders | None = None
    customer_limit: CustomerLimit | None = None
    line_limit: LineQuantityLimit | None = None
    reasons: tuple[ReasonRule, ...] = ()
    fees: Fees = Fees()
    keep_item: KeepItemRule | None = None
    automation: Automation = Automation()
    risk: RiskSettings = RiskSettings()
    references: tuple[Reference, ...] = ()

    @cached_property
    def rules(self) -> RuleIndex:
        """The rules arranged for evaluation, built on first use (`parse_policy` does)."""
        from retour.domain.policy.rule_index import RuleIndex  # it is built from this module

        return RuleIndex(self)

    @property
    def rule_ids(self) -> frozenset[str]:
        """Every id a finding or decision under this policy may name, built-ins included."""
        ids = {self.defaults.id, self.automation.default_id, self.fees.restocking_per_return_id}
        for group in (
            self.overrides,
            self.extensions,
            self.final_sale,
            self.discounts,
            self.reasons,
            self.automation.rules,
        ):
            ids.update(rule.id for rule in group)
        singletons = (
            self.gift_orders,
            self.customer_limit,
            self.line_limit,
            self.fees.return_shipping,
            self.fees.store_credit_bonus,
            self.keep_item,
        )
        ids.update(rule.id for rule in singletons if rule is not None)
        return frozenset(ids) | BUILTIN_RULES


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_address(address: str) -> str:
    """Case and spacing do not tell two addresses apart: "1  Rue X" is "1 rue x"."""
    return " ".join(address.lower().replace(",", " ").split())
