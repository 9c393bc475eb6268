"""What callers hand to the return aggregate, and the stock moves it hands back."""

from __future__ import annotations

from dataclasses import dataclass

from retour.domain.errors import InvalidRequest
from retour.domain.lines import Disposition, Grade, Resolution, StockBucket


@dataclass(frozen=True)
class LineRequest:
    order_line_id: int
    quantity: int
    reason_code: str
    reason_note: str = ""
    resolution: Resolution | None = None


@dataclass(frozen=True)
class Receipt:
    line_id: int
    quantity: int
    is_wrong_item: bool = False


@dataclass(frozen=True)
class UnexpectedItem:
    sku: str
    title: str
    quantity: int
    variant_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class InspectionInput:
    """A verdict on units of a line. Units not flagged `is_wrong_item` are the line's own item
    first; any beyond those the line still holds are taken as its wrong items."""

    line_id: int
    quantity: int
    is_accepted: bool
    grade: Grade
    disposition: Disposition
    note: str = ""
    is_wrong_item: bool = False
    #: What arrived instead of the line's item (wrong items), and its variant when the store
    #: sells that SKU (set by the service): its stock moves instead of the line's.
    arrived_sku: str = ""
    arrived_variant_id: int | None = None


@dataclass(frozen=True)
class StockMove:
    """A stock change an inspection calls for; the service records it as a movement."""

    variant_id: int
    bucket: StockBucket
    quantity: int
    line_id: int | None


def required_text(value: str, field: str) -> str:
    """`value` without surrounding blanks; InvalidRequest naming `field` when nothing is left."""
    text = value.strip()
    if not text:
        raise InvalidRequest(f"{field} must not be empty", field=field)
    return text
