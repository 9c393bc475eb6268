"""Deciding on a requested return: how many units of each line staff approve."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from retour.domain.errors import InvalidRequest, QuantityExceeded
from retour.domain.lines import ReturnLine


def approve_lines(
    lines: Sequence[ReturnLine],
    quantities: Mapping[int, int] | None,
    find_line: Callable[[int, str], ReturnLine],
) -> None:
    """Approve every requested unit, or only `quantities` (line id → units; others get 0)."""
    if quantities is not None:
        for index, (line_id, quantity) in enumerate(quantities.items()):
            line = find_line(line_id, f"lines[{index}].line_id")
            if quantity < 0:
                raise InvalidRequest(
                    "quantity must not be negative", field=f"lines[{index}].quantity"
                )
            if quantity > line.requested_quantity:
                raise QuantityExceeded(
                    f"line {line_id}: only {line.requested_quantity} requested",
                    field=f"lines[{index}].quantity",
                    maximum=line.requested_quantity,
                )
    approved = {
        line.id: (
            line.requested_quantity if quantities is None else quantities.get(line.id or 0, 0)
        )
        for line in lines
    }
    if not any(approved.values()):
        raise InvalidRequest("approve at least one unit, or reject the return", field="lines")
    for line in lines:
        line.approved_quantity = approved[line.id]


def lines_payload(lines: Sequence[ReturnLine], quantity_field: str) -> list[dict[str, Any]]:
    """The lines with one of their quantities, as `return.requested` and `return.approved`
    name them."""
    return [
        {
            "line_id": line.id,
            "sku": line.sku,
            "quantity": getattr(line, quantity_field),
            "reason": line.reason_code,
        }
        for line in lines
    ]
