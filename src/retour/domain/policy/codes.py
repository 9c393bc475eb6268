"""The stable codes of the engine's findings, and the shape of their parameters."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

#: Parameters of a finding, for the portal to translate the sentence: dates are ISO strings,
#: amounts integers in minor units, percentages integers in basis points.
Params = Mapping[str, str | int]


class FindingCode(StrEnum):
    # Refusals: the item cannot be returned (as asked).
    UNKNOWN_LINE = "unknown_line"
    DUPLICATE_LINE = "duplicate_line"
    QUANTITY_UNAVAILABLE = "quantity_unavailable"
    UNITS_PER_LINE = "units_per_line"
    FINAL_SALE = "final_sale"
    DISCOUNT_EXCLUDED = "discount_excluded"
    WINDOW_ENDED = "window_ended"
    CUSTOMER_LIMIT = "customer_limit"
    PHOTO_REQUIRED = "photo_required"
    COMMENT_REQUIRED = "comment_required"
    NO_RESOLUTION = "no_resolution"
    NO_RETURN_METHOD = "no_return_method"
    # Notes: the item can be returned, with these terms.
    WINDOW_OPEN = "window_open"
    DISCOUNT_STORE_CREDIT_ONLY = "discount_store_credit_only"
    GIFT_ORDER = "gift_order"
    REASON_TERMS = "reason_terms"
