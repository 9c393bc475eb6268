"""Inspecting a line's units when some of what arrived was not its item (wrong items).

A line's received units are its own item or wrong items (`Receipt.is_wrong_item`). A verdict
flagged `is_wrong_item` is about wrong items only; one that is not covers the line's own
units first, and any beyond those are its wrong items. Wrong items never move the line's
item's stock (it did not come back) and never earn a refund; when the warehouse says what
arrived instead and the store sells it, that item's stock moves as the disposition says.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from retour.domain.inputs import InspectionInput, StockMove
from retour.domain.lines import BUCKET_FOR_DISPOSITION, Inspection, ReturnLine


def inspect_units(line: ReturnLine, verdict: InspectionInput, now: datetime) -> Iterator[StockMove]:
    """Record the verdict on `line` (split between its own units and its wrong items when it
    covers both) and yield the stock moves it calls for. Quantities are checked beforehand."""
    if verdict.is_wrong_item:
        own, wrong = 0, verdict.quantity
    else:
        own_left = line.awaiting_inspection_quantity - line.wrong_items_awaiting_inspection
        own = min(verdict.quantity, max(own_left, 0))
        wrong = verdict.quantity - own
    bucket = BUCKET_FOR_DISPOSITION[verdict.disposition]
    if own:
        line.inspections.append(_inspection(verdict, own, now))
        if line.variant_id is not None:
            yield StockMove(line.variant_id, bucket, own, line.id)
    if wrong:
        line.inspections.append(
            _inspection(verdict, wrong, now, is_wrong_item=True, arrived=verdict.arrived_sku)
        )
        if verdict.arrived_variant_id is not None:
            yield StockMove(verdict.arrived_variant_id, bucket, wrong, line.id)


def _inspection(
    verdict: InspectionInput,
    quantity: int,
    now: datetime,
    is_wrong_item: bool = False,
    arrived: str = "",
) -> Inspection:
    return Inspection(
        quantity=quantity,
        is_accepted=verdict.is_accepted,
        grade=verdict.grade,
        disposition=verdict.disposition,
        note=verdict.note.strip(),
        inspected_at=now,
        is_wrong_item=is_wrong_item,
        arrived_sku=arrived.strip(),
    )
