"""Whether one item can be returned, and with which resolutions and return methods.

Per-item settings (window, resolutions, return methods, restocking fee) come from the most
specific rule that sets them: an override naming the SKU, else one naming a tag, else one
naming a collection, else the default; among overrides of the same kind, the first listed.
Restrictions (discount, gift order, reason) then narrow what is allowed. Every check runs, so
a shopper sees every reason at once, in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.document import (
    AVAILABLE_QUANTITY_RULE,
    PRODUCT_FINAL_SALE_RULE,
    DiscountAction,
    Policy,
    Restocking,
)
from retour.domain.policy.explain import finding
from retour.domain.policy.inputs import CandidateLine, CustomerHistory, OrderContext, OrderedItem
from retour.domain.policy.results import Finding, FindingCode, ReturnWindow
from retour.domain.policy.window import return_window
from retour.domain.refund_quote import BASIS_POINTS

STORE_CREDIT_ONLY = frozenset({Resolution.STORE_CREDIT})


@dataclass(frozen=True)
class ItemTerms:
    """An item's settings, each with the id of the rule that set it."""

    window_days: int
    window_rule: str
    resolutions: frozenset[Resolution]
    resolutions_rule: str
    return_methods: frozenset[ReturnMethod]
    return_methods_rule: str
    restocking: Restocking
    restocking_rule: str


def item_terms(policy: Policy, item: OrderedItem) -> ItemTerms:
    defaults = policy.defaults
    window = (defaults.window_days, defaults.id)
    resolutions = (defaults.resolutions, defaults.id)
    methods = (defaults.return_methods, defaults.id)
    restocking = (defaults.restocking, defaults.id)
    matching = [
        override
        for override in policy.overrides
        if override.match.matches(item.sku, item.tags, item.collections)
    ]
    # Least specific first, so a more specific rule overwrites; among equals the first listed
    # must win, hence reversed before the stable sort.
    matching.reverse()
    matching.sort(key=lambda override: override.specificity)
    for override in matching:
        settings = override.settings
        if settings.window_days is not None:
            window = (settings.window_days, override.id)
        if settings.resolutions is not None:
            resolutions = (settings.resolutions, override.id)
        if settings.return_methods is not None:
            methods = (settings.return_methods, override.id)
        if settings.restocking is not None:
            restocking = (settings.restocking, override.id)
    return ItemTerms(*window, *resolutions, *methods, *restocking)


def customer_limit_refusal(
    policy: Policy, history: CustomerHistory, now: datetime, today: date
) -> Finding | None:
    """A refusal for every item when the customer has used up their returns for the period."""
    limit = policy.customer_limit
    if limit is None:
        return None
    if history.returns_since(now - timedelta(days=limit.days)) + 1 <= limit.max_returns:
        return None
    return finding(
        FindingCode.CUSTOMER_LIMIT,
        limit.id,
        today,
        max_returns=limit.max_returns,
        days=limit.days,
    )


@dataclass(frozen=True)
class LineVerdict:
    refusals: tuple[Finding, ...]
    notes: tuple[Finding, ...]
    resolutions: frozenset[Resolution]
    return_methods: frozenset[ReturnMethod]
    window: ReturnWindow
    terms: ItemTerms


def judge_line(
    policy: Policy,
    order: OrderContext,
    item: OrderedItem,
    candidate: CandidateLine,
    now: datetime,
    today: date,
    customer_refusal: Finding | None,
) -> LineVerdict:
    terms = item_terms(policy, item)
    refusals: list[Finding] = []
    notes: list[Finding] = []
    resolutions, resolutions_rule = terms.resolutions, terms.resolutions_rule
    methods, methods_rule = terms.return_methods, terms.return_methods_rule

    available = max(item.fulfilled_quantity - item.returned_quantity, 0)
    if candidate.quantity > available:
        refusals.append(
            finding(
                FindingCode.QUANTITY_UNAVAILABLE,
                AVAILABLE_QUANTITY_RULE,
                today,
                available=available,
            )
        )
    limit = policy.line_limit
    if limit is not None and item.returned_quantity + candidate.quantity > limit.max_units:
        refusals.append(
            finding(FindingCode.UNITS_PER_LINE, limit.id, today, max_units=limit.max_units)
        )
    final_sale = _final_sale_rule(policy, item)
    if final_sale is not None:
        refusals.append(finding(FindingCode.FINAL_SALE, final_sale, today))

    discount_bp = discount_basis_points(item)
    for rule in policy.discounts:
        if discount_bp < rule.min_discount_bp:
            continue
        if rule.action is DiscountAction.EXCLUDE:
            code = FindingCode.DISCOUNT_EXCLUDED
            refusals.append(finding(code, rule.id, today, min_discount_bp=rule.min_discount_bp))
        else:
            resolutions, resolutions_rule = resolutions & STORE_CREDIT_ONLY, rule.id
            code = FindingCode.DISCOUNT_STORE_CREDIT_ONLY
            notes.append(finding(code, rule.id, today, min_discount_bp=rule.min_discount_bp))

    window = return_window(policy, order, item, terms.window_days, terms.window_rule)
    day = window.last_day.isoformat()
    if now >= window.ends_at:
        refusals.append(finding(FindingCode.WINDOW_ENDED, window.rule_id, today, last_day=day))
    else:
        notes.append(finding(FindingCode.WINDOW_OPEN, window.rule_id, today, last_day=day))
    if customer_refusal is not None:
        refusals.append(customer_refusal)

    for reason in policy.reasons:
        if candidate.reason_code not in reason.codes:
            continue
        if reason.photo_required and candidate.photo_count <= 0:
            refusals.append(finding(FindingCode.PHOTO_REQUIRED, reason.id, today))
        if reason.comment_required and not candidate.comment.strip():
            refusals.append(finding(FindingCode.COMMENT_REQUIRED, reason.id, today))
        if reason.resolutions is not None:
            resolutions, resolutions_rule = resolutions & reason.resolutions, reason.id
            _note_terms(notes, FindingCode.REASON_TERMS, reason.id, resolutions, today)
        if reason.return_methods is not None:
            methods, methods_rule = methods & reason.return_methods, reason.id

    gift = policy.gift_orders
    if order.is_gift and gift is not None:
        resolutions, resolutions_rule = resolutions & gift.resolutions, gift.id
        _note_terms(notes, FindingCode.GIFT_ORDER, gift.id, resolutions, today)

    # Keeping the item still needs a refund, credit or exchange to go with it.
    if not resolutions - {Resolution.KEEP_ITEM}:
        refusals.append(finding(FindingCode.NO_RESOLUTION, resolutions_rule, today))
    if not methods:
        refusals.append(finding(FindingCode.NO_RETURN_METHOD, methods_rule, today))
    return LineVerdict(tuple(refusals), tuple(notes), resolutions, methods, window, terms)


def _final_sale_rule(policy: Policy, item: OrderedItem) -> str | None:
    if item.is_final_sale:
        return PRODUCT_FINAL_SALE_RULE
    for rule in policy.final_sale:
        if rule.match.matches(item.sku, item.tags, item.collections):
            return rule.id
    return None


def discount_basis_points(item: OrderedItem) -> int:
    """How much below its reference price (compare-at, else list price) the line was paid,
    before tax, in basis points rounded down."""
    reference = (item.compare_at_price or item.unit_price) * item.quantity
    if reference <= 0:
        return 0
    off = reference - item.paid.items_amount
    return max(off * BASIS_POINTS // reference, 0)


def _note_terms(
    notes: list[Finding],
    code: FindingCode,
    rule_id: str,
    resolutions: frozenset[Resolution],
    today: date,
) -> None:
    """Say what a restriction leaves (keep-item aside: it depends on the whole return).

    Nothing left is not a note: the `no_resolution` refusal says it.
    """
    left = [resolution.value for resolution in Resolution if resolution in resolutions]
    left = [value for value in left if value != Resolution.KEEP_ITEM]
    if left:
        notes.append(finding(code, rule_id, today, resolutions=",".join(left)))
