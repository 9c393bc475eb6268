"""Receiving a return's parcel: units of its lines that arrived, and items nobody asked for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from retour.domain.errors import InvalidRequest
from retour.domain.inputs import Receipt, UnexpectedItem, required_text
from retour.domain.lines import Resolution, ReturnLine
from retour.domain.quantity_checks import take_within


def check_receipts(
    lines: Sequence[ReturnLine],
    receipts: Sequence[Receipt],
    unexpected: Sequence[UnexpectedItem],
    find_line: Callable[[int, str], ReturnLine],
) -> None:
    """Each receipt within what its line still awaits; each unexpected item named, one or more."""
    if not receipts and not unexpected:
        raise InvalidRequest("receive at least one unit", field="lines")
    take_within(
        [(receipt.line_id, receipt.quantity) for receipt in receipts],
        {line.id: line.awaiting_receipt_quantity for line in lines},
        find_line,
        "at most {left} more can be received",
    )
    for index, item in enumerate(unexpected):
        if item.quantity < 1:
            raise InvalidRequest(
                "quantity must be at least 1", field=f"unexpected_items[{index}].quantity"
            )
        required_text(item.sku, f"unexpected_items[{index}].sku")


def record_receipts(
    lines: list[ReturnLine],
    receipts: Sequence[Receipt],
    unexpected: Sequence[UnexpectedItem],
    resolution: Resolution,
    find_line: Callable[[int, str], ReturnLine],
) -> None:
    """Add checked receipts to their lines, and a line to `lines` for each unexpected item."""
    for receipt in receipts:
        line = find_line(receipt.line_id, "lines")
        line.received_quantity += receipt.quantity
        if receipt.is_wrong_item:
            line.wrong_item_quantity += receipt.quantity
    for item in unexpected:
        lines.append(
            ReturnLine(
                order_line_id=None,
                variant_id=item.variant_id,
                sku=item.sku.strip(),
                title=item.title.strip() or item.sku.strip(),
                reason_code="unexpected",
                reason_note=item.note,
                resolution=resolution,
                requested_quantity=0,
                received_quantity=item.quantity,
                is_unexpected=True,
            )
        )


def received_payload(
    receipts: Sequence[Receipt], unexpected: Sequence[UnexpectedItem], fully_received: bool
) -> dict[str, Any]:
    """The `return.received` event's payload."""
    return {
        "receipts": [
            {"line_id": r.line_id, "quantity": r.quantity, "wrong_item": r.is_wrong_item}
            for r in receipts
        ],
        "unexpected_items": [{"sku": i.sku, "quantity": i.quantity} for i in unexpected],
        "fully_received": fully_received,
    }
