"""The English sentences of the engine's findings, built from a code and its parameters.

The portal translates from the same code and parameters; these sentences are the English
catalogue and what the back office, the API and the CLI show. A finding renders its sentence
only when it is read (most evaluations are never shown to anyone).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from retour.domain.lines import Resolution
from retour.domain.money import currency_precision
from retour.domain.policy.codes import FindingCode, Params

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
#: Digits after the decimal point by currency, as CLDR gives them (asked once each).
_DIGITS: dict[str, int] = {}
_RESOLUTION_WORDS = {
    Resolution.REFUND: "refund",
    Resolution.STORE_CREDIT: "store credit",
    Resolution.EXCHANGE: "exchange",
    Resolution.REPLACEMENT: "replacement",
    Resolution.KEEP_ITEM: "keeping the item",
}


def day_text(day: date, today: date) -> str:
    """ "3 March", with the year when it is not this year's: "3 March 2027"."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def amount_text(amount: int, currency: str) -> str:
    """12345 EUR → "123.45 EUR" (digits per currency from CLDR)."""
    digits = _DIGITS.get(currency)
    if digits is None:
        digits = _DIGITS[currency] = currency_precision(currency)
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
