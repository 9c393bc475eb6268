"""The English sentences of the policy engine, built from a code and its parameters.

The portal translates from the same code and parameters; these sentences are the English
catalogue and what the back office, the API and the CLI show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from retour.domain.lines import Resolution
from retour.domain.money import currency_precision
from retour.domain.policy.document import Conditions, Outcome, Range
from retour.domain.policy.results import (
    Evaluation,
    Finding,
    FindingCode,
    Params,
)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_RESOLUTION_WORDS = {
    Resolution.REFUND: "refund",
    Resolution.STORE_CREDIT: "store credit",
    Resolution.EXCHANGE: "exchange",
    Resolution.REPLACEMENT: "replacement",
    Resolution.KEEP_ITEM: "keeping the item",
}
_OUTCOME_WORDS = {
    Outcome.APPROVE: "Approved automatically",
    Outcome.REVIEW: "Sent to a person for review",
    Outcome.REJECT: "Rejected",
}


def day_text(day: date, today: date) -> str:
    """ "3 March", with the year when it is not this year's: "3 March 2027"."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def amount_text(amount: int, currency: str) -> str:
    """12345 EUR → "123.45 EUR" (digits per currency from CLDR)."""
    digits = currency_precision(currency)
    if digits == 0:
        return f"{amount} {currency}"
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}.{part:0{digits}d} {currency}"


def percent_text(basis_points: int) -> str:
    whole, part = divmod(basis_points, 100)
    return f"{whole}%" if part == 0 else f"{whole}.{part:02d}".rstrip("0") + "%"


def resolutions_text(resolutions: Iterable[Resolution]) -> str:
    """ "refund, store credit or exchange", in the enum's order."""
    chosen = set(resolutions)
    words = [_RESOLUTION_WORDS[resolution] for resolution in Resolution if resolution in chosen]
    if len(words) <= 1:
        return words[0] if words else "nothing"
    return f"{', '.join(words[:-1])} or {words[-1]}"


def finding(code: FindingCode, rule_id: str, today: date, **params: str | int) -> Finding:
    return Finding(code, rule_id, params, finding_text(code, params, today))


def finding_text(code: FindingCode, params: Params, today: date) -> str:
    def day(key: str) -> str:
        return day_text(date.fromisoformat(str(params[key])), today)

    def resolutions(key: str) -> str:
        return resolutions_text(Resolution(value) for value in str(params[key]).split(",") if value)

    match code:
        case FindingCode.UNKNOWN_LINE:
            return "This item is not in the order"
        case FindingCode.DUPLICATE_LINE:
            return "This item is asked for more than once"
        case FindingCode.QUANTITY_UNAVAILABLE:
            available = int(params["available"])
            if available == 0:
                return "No unit of this item is left to return"
            return f"Only {available} {_units(available)} of this item can be returned"
        case FindingCode.UNITS_PER_LINE:
            units = int(params["max_units"])
            return f"At most {units} {_units(units)} of an item can be returned"
        case FindingCode.FINAL_SALE:
            return "Final sale"
        case FindingCode.DISCOUNT_EXCLUDED:
            off = percent_text(int(params["min_discount_bp"]))
            return f"Items bought at {off} off or more cannot be returned"
        case FindingCode.WINDOW_ENDED:
            return f"Return window ended on {day('last_day')}"
        case FindingCode.CUSTOMER_LIMIT:
            return (
                f"Limit reached: at most {params['max_returns']} returns in {params['days']} days"
            )
        case FindingCode.PHOTO_REQUIRED:
            return "Add a photo for this reason"
        case FindingCode.COMMENT_REQUIRED:
            return "Add a comment for this reason"
        case FindingCode.NO_RESOLUTION:
            return "No refund, store credit or exchange is available for this item"
        case FindingCode.NO_RETURN_METHOD:
            return "No way to send this item back is available"
        case FindingCode.WINDOW_OPEN:
            return f"Return by {day('last_day')}"
        case FindingCode.DISCOUNT_STORE_CREDIT_ONLY:
            off = percent_text(int(params["min_discount_bp"]))
            return f"Bought at {off} off or more: store credit only"
        case FindingCode.GIFT_ORDER:
            return f"Gift order: {resolutions('resolutions')} only"
        case FindingCode.REASON_TERMS:
            return f"For this reason: {resolutions('resolutions')} only"


def _units(count: int) -> str:
    return "unit" if count == 1 else "units"


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
