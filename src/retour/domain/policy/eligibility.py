"""Whether one item can be returned, and with which resolutions and return methods.

Per-item settings (window, resolutions, return methods, restocking fee) come from the most
specific rule that sets them: an override naming the SKU, else one naming a tag, else one
naming a collection, else the default; among overrides of the same kind, the first listed.
Restrictions (discount, gift order, reason) then narrow what is allowed. Every check runs, so
a shopper sees every reason at once, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.codes import FindingCode
from retour.domain.policy.document import (
    AVAILABLE_QUANTITY_RULE,
    DiscountAction,
    Extension,
    Policy,
)
from retour.domain.policy.inputs import OrderContext, OrderedItem
from retour.domain.policy.results import Finding, ReturnWindow
from retour.domain.policy.rule_index import ItemTerms
from retour.domain.policy.window import return_window
from retour.domain.refund_quote import BASIS_POINTS

if TYPE_CHECKING:
    from retour.domain.policy.request import AskedLine, LocalDays

STORE_CREDIT_ONLY = frozenset({Resolution.STORE_CREDIT})
#: Keeping the item still needs a refund, credit or exchange to go with it.
_KEEP_ITEM_ONLY = frozenset({Resolution.KEEP_ITEM})
#: What a restriction leaves, as its note says it: "refund,store_credit" (keep-item aside).
_LEFT_TEXT: dict[frozenset[Resolution], str] = {}


def item_terms(policy: Policy, item: OrderedItem) -> ItemTerms:
    return policy.rules.item_terms(item.sku, item.tags, item.collections)


def customer_limit_refusal(
    policy: Policy, returns_in_last: Callable[[int], int], today: date
) -> Finding | None:
    """A refusal for every item when the customer has used up their returns for the period
    (`returns_in_last(days)`: their returns in the last days, this one left out)."""
    limit = policy.customer_limit
    if limit is None:
        return None
    if returns_in_last(limit.days) + 1 <= limit.max_returns:
        return None
    params = {"max_returns": limit.max_returns, "days": limit.days}
    return Finding(FindingCode.CUSTOMER_LIMIT, limit.id, params, today)


class LineVerdict:
    __slots__ = ("notes", "refusals", "resolutions", "return_methods", "terms", "window")

    def __init__(
        self,
        refusals: tuple[Finding, ...],
        notes: tuple[Finding, ...],
        resolutions: frozenset[Resolution],
        return_methods: frozenset[ReturnMethod],
        window: ReturnWindow,
        terms: ItemTerms,
    ) -> None:
        self.refusals = refusals
        self.notes = notes
        self.resolutions = resolutions
        self.return_methods = return_methods
        self.window = window
        self.terms = terms


def judge_line(
    policy: Policy,
    order: OrderContext,
    line: AskedLine,
    days: LocalDays,
    extensions: Sequence[Extension],
    now: datetime,
    customer_refusal: Finding | None,
) -> LineVerdict:
    rules = policy.rules
    item, candidate, today = line.item, line.candidate, days.today
    terms = rules.item_terms(item.sku, item.tags, item.collections)
    refusals: list[Finding] = []
    notes: list[Finding] = []
    resolutions, resolutions_rule = terms.resolutions, terms.resolutions_rule
    methods, methods_rule = terms.return_methods, terms.return_methods_rule

    available = line.available
    if candidate.quantity > available:
        code = FindingCode.QUANTITY_UNAVAILABLE
        refusals.append(Finding(code, AVAILABLE_QUANTITY_RULE, {"available": available}, today))
    limit = policy.line_limit
    if limit is not None and item.returned_quantity + candidate.quantity > limit.max_units:
        params = {"max_units": limit.max_units}
        refusals.append(Finding(FindingCode.UNITS_PER_LINE, limit.id, params, today))
    final_sale = rules.final_sale_rule(item)
    if final_sale is not None:
        refusals.append(Finding(FindingCode.FINAL_SALE, final_sale, {}, today))

    discount_bp = line.discount_bp
    for rule in policy.discounts:
        if discount_bp < rule.min_discount_bp:
            continue
        params = {"min_discount_bp": rule.min_discount_bp}
        if rule.action is DiscountAction.EXCLUDE:
            refusals.append(Finding(FindingCode.DISCOUNT_EXCLUDED, rule.id, params, today))
        else:
            resolutions, resolutions_rule = resolutions & STORE_CREDIT_ONLY, rule.id
            code = FindingCode.DISCOUNT_STORE_CREDIT_ONLY
            notes.append(Finding(code, rule.id, params, today))

    window = return_window(
        policy, order, item, days, extensions, terms.window_days, terms.window_rule
    )
    last_day = {"last_day": window.last_day.isoformat()}
    if now >= window.ends_at:
        refusals.append(Finding(FindingCode.WINDOW_ENDED, window.rule_id, last_day, today))
    else:
        notes.append(Finding(FindingCode.WINDOW_OPEN, window.rule_id, last_day, today))
    if customer_refusal is not None:
        refusals.append(customer_refusal)

    for reason in rules.reason_rules(candidate.reason_code):
        if reason.photo_required and candidate.photo_count <= 0:
            refusals.append(Finding(FindingCode.PHOTO_REQUIRED, reason.id, {}, today))
        if reason.comment_required and not candidate.comment.strip():
            refusals.append(Finding(FindingCode.COMMENT_REQUIRED, reason.id, {}, today))
        if reason.resolutions is not None:
            resolutions, resolutions_rule = resolutions & reason.resolutions, reason.id
            _note_terms(notes, FindingCode.REASON_TERMS, reason.id, resolutions, today)
        if reason.return_methods is not None:
            methods, methods_rule = methods & reason.return_methods, reason.id

    gift = policy.gift_orders
    if order.is_gift and gift is not None:
        resolutions, resolutions_rule = resolutions & gift.resolutions, gift.id
        _note_terms(notes, FindingCode.GIFT_ORDER, gift.id, resolutions, today)

    if resolutions <= _KEEP_ITEM_ONLY:
        refusals.append(Finding(FindingCode.NO_RESOLUTION, resolutions_rule, {}, today))
    if not methods:
        refusals.append(Finding(FindingCode.NO_RETURN_METHOD, methods_rule, {}, today))
    return LineVerdict(tuple(refusals), tuple(notes), resolutions, methods, window, terms)


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
    left = _LEFT_TEXT.get(resolutions)
    if left is None:
        kept = [value.value for value in Resolution if value in resolutions]
        left = _LEFT_TEXT[resolutions] = ",".join(
            value for value in kept if value != Resolution.KEEP_ITEM
        )
    if left:
        notes.append(Finding(code, rule_id, {"resolutions": left}, today))
