"""The return policy's findings in the shopper's language: from the finding's code and
parameters (never its English text), with days, percentages and lists written by Babel.

English keeps the engine's own sentence (`Finding.message`), which the back office and the
API show too; French and German come from the portal's catalogues, whose msgids are the
English sentences below with `{placeholders}`. The policy's refusals of a request being sent
(`Refusal`, with the same code and parameters) are written the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

from babel.dates import format_skeleton
from babel.lists import format_list
from babel.numbers import format_percent

from retour.domain.errors import DomainError
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy import FindingCode
from retour.domain.policy.codes import Params
from retour.domain.policy.results import Finding
from retour.services.policy.admission import NotEligible, Refusal
from retour.web.portal.i18n import Translate

Value = TypeVar("Value", bound=str)

#: The msgid of each finding; a code with a different sentence for one unit or return has it
#: under SINGULAR.
SENTENCES: Mapping[FindingCode, str] = {
    FindingCode.UNKNOWN_LINE: "This item is not in the order",
    FindingCode.DUPLICATE_LINE: "This item is asked for more than once",
    FindingCode.QUANTITY_UNAVAILABLE: "Only {count} units of this item can be returned",
    FindingCode.UNITS_PER_LINE: "At most {count} units of an item can be returned",
    FindingCode.FINAL_SALE: "Final sale",
    FindingCode.DISCOUNT_EXCLUDED: "Items bought at {percent} off or more cannot be returned",
    FindingCode.WINDOW_ENDED: "Return window ended on {date}",
    FindingCode.CUSTOMER_LIMIT: "Limit reached: at most {count} returns in {days} days",
    FindingCode.PHOTO_REQUIRED: "Add a photo for this reason",
    FindingCode.COMMENT_REQUIRED: "Add a comment for this reason",
    FindingCode.NO_RESOLUTION: "No refund, store credit or exchange is available for this item",
    FindingCode.NO_RETURN_METHOD: "No way to send this item back is available",
    FindingCode.WINDOW_OPEN: "Return by {date}",
    FindingCode.DISCOUNT_STORE_CREDIT_ONLY: "Bought at {percent} off or more: store credit only",
    FindingCode.GIFT_ORDER: "Gift order: {resolutions} only",
    FindingCode.REASON_TERMS: "For this reason: {resolutions} only",
}
SINGULAR: Mapping[FindingCode, str] = {
    FindingCode.QUANTITY_UNAVAILABLE: "Only 1 unit of this item can be returned",
    FindingCode.UNITS_PER_LINE: "At most 1 unit of an item can be returned",
    FindingCode.CUSTOMER_LIMIT: "Limit reached: at most 1 return in {days} days",
}
#: No unit left at all is its own sentence.
NONE_LEFT = "No unit of this item is left to return"
#: The resolutions as the restriction notes list them.
RESOLUTION_WORDS: Mapping[Resolution, str] = {
    Resolution.REFUND: "refund",
    Resolution.STORE_CREDIT: "store credit",
    Resolution.EXCHANGE: "exchange",
    Resolution.REPLACEMENT: "replacement",
    Resolution.KEEP_ITEM: "keeping the item",
}
#: The return methods as the refusals of a request being sent list them.
RETURN_METHOD_WORDS: Mapping[ReturnMethod, str] = {
    ReturnMethod.PREPAID_LABEL: "prepaid label",
    ReturnMethod.QR_DROP_OFF: "QR code drop-off",
    ReturnMethod.SHIP_YOURSELF: "shipping it yourself",
    ReturnMethod.IN_STORE: "return in store",
    ReturnMethod.KEEP_ITEM: "keeping the item",
}
#: The refusals of a request being sent that are not the engine's findings: what was asked
#: is not among what the item allows.
NOT_ALLOWED: Mapping[str, str] = {
    "resolution_not_allowed": "{resolution} is not available for this item (only {resolutions})",
    "return_method_not_allowed": (
        "{return_method} is not available for this item (only {return_methods})"
    ),
}
#: The parameter that counts, per code (it picks SINGULAR when 1).
_COUNTED = {
    FindingCode.QUANTITY_UNAVAILABLE: "available",
    FindingCode.UNITS_PER_LINE: "max_units",
    FindingCode.CUSTOMER_LIMIT: "max_returns",
}


def finding_sentence(finding: Finding, language: str, locale: str, translate: Translate) -> str:
    """The finding's sentence in `language`; days and numbers written for `locale` (fr_CH…)."""
    if language == "en":
        return finding.message
    return translate_finding(finding.code, finding.params, finding.today, locale, translate)


def translate_finding(
    code: FindingCode, params: Params, today: date, locale: str, translate: Translate
) -> str:
    counted = _COUNTED.get(code)
    count = int(params[counted]) if counted else None
    if code is FindingCode.QUANTITY_UNAVAILABLE and count == 0:
        return translate(NONE_LEFT)
    msgid = SINGULAR[code] if count == 1 and code in SINGULAR else SENTENCES[code]
    values: dict[str, str | int] = {}
    if count is not None:
        values["count"] = count
    if "days" in params:
        values["days"] = int(params["days"])
    if "last_day" in params:
        values["date"] = day_words(date.fromisoformat(str(params["last_day"])), today, locale)
    if "min_discount_bp" in params:
        fraction = Decimal(int(params["min_discount_bp"])) / 10_000
        values["percent"] = format_percent(fraction, locale=locale, decimal_quantization=False)
    if "resolutions" in params:
        values["resolutions"] = resolution_words(str(params["resolutions"]), locale, translate)
    return translate(msgid).format(**values)


def day_words(day: date, today: date, locale: str) -> str:
    """ "3 mars", "3. März"; with the year when it is not this year's: "3 mars 2027"."""
    skeleton = "MMMMd" if day.year == today.year else "yMMMMd"
    return str(format_skeleton(skeleton, day, locale=locale))


def resolution_words(listed: str, locale: str, translate: Translate) -> str:
    """ "refund,store_credit" → "remboursement ou avoir" (in the enum's order)."""
    return _either(listed, RESOLUTION_WORDS, locale, translate)


def say_refused(error: DomainError, language: str, locale: str, translate: Translate) -> str | None:
    """The policy's refusal of a request being sent (`NotEligible`), each refusal from its
    code and parameters like the items page's (the API's line numbers and rule ids left out);
    None for any other error."""
    if not isinstance(error, NotEligible):
        return None
    return "; ".join(refusal_sentence(r, language, locale, translate) for r in error.refusals)


def refusal_sentence(refusal: Refusal, language: str, locale: str, translate: Translate) -> str:
    """One refusal in `language`: English is the engine's sentence, and so is any code without
    a sentence in the catalogues."""
    if language == "en":
        return refusal.message
    if refusal.code in _CODES and refusal.today is not None:
        code = FindingCode(refusal.code)
        return translate_finding(code, refusal.params, refusal.today, locale, translate)
    if refusal.code == "resolution_not_allowed":
        asked = resolution_words(str(refusal.params["resolution"]), locale, translate)
        allowed = resolution_words(str(refusal.params["resolutions"]), locale, translate)
        return translate(NOT_ALLOWED[refusal.code]).format(
            resolution=_capitalized(asked), resolutions=allowed
        )
    if refusal.code == "return_method_not_allowed":
        asked = method_words(str(refusal.params["return_method"]), locale, translate)
        allowed = method_words(str(refusal.params["return_methods"]), locale, translate)
        return translate(NOT_ALLOWED[refusal.code]).format(
            return_method=_capitalized(asked), return_methods=allowed
        )
    return refusal.message


def method_words(listed: str, locale: str, translate: Translate) -> str:
    """ "prepaid_label,in_store" → "étiquette retour prépayée ou retour en magasin"."""
    return _either(listed, RETURN_METHOD_WORDS, locale, translate)


def _either(listed: str, names: Mapping[Value, str], locale: str, translate: Translate) -> str:
    """The values of a comma-separated list by their names, in the table's (the enum's) order,
    joined with the language's "or"."""
    chosen = set(listed.split(","))
    words = [translate(name) for value, name in names.items() if value in chosen]
    return str(format_list(words, style="or", locale=locale)) if words else ""


def _capitalized(words: str) -> str:
    return words[:1].upper() + words[1:]


_CODES = frozenset(code.value for code in FindingCode)
