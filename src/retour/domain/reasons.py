"""Return reasons every new store starts with; merchant-fault reasons cost the shopper nothing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReasonTemplate:
    code: str
    label: str
    is_merchant_fault: bool = False
    requires_photo: bool = False
    requires_comment: bool = False


DEFAULT_RETURN_REASONS: tuple[ReasonTemplate, ...] = (
    ReasonTemplate("too_small", "Too small"),
    ReasonTemplate("too_large", "Too large"),
    ReasonTemplate("changed_mind", "Changed my mind"),
    ReasonTemplate("style", "Didn't like the style or colour"),
    ReasonTemplate("quality", "Quality not as expected"),
    ReasonTemplate("not_as_described", "Not as described", is_merchant_fault=True),
    ReasonTemplate("damaged", "Arrived damaged", is_merchant_fault=True, requires_photo=True),
    ReasonTemplate(
        "defective", "Defective or doesn't work", is_merchant_fault=True, requires_comment=True
    ),
    ReasonTemplate("wrong_item", "Wrong item sent", is_merchant_fault=True, requires_photo=True),
    ReasonTemplate("missing_item", "Item missing from the parcel", is_merchant_fault=True),
    ReasonTemplate("arrived_late", "Arrived too late", is_merchant_fault=True),
    ReasonTemplate("other", "Other", requires_comment=True),
)
