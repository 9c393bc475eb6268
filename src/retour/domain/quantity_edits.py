"""Editing a return's approved quantities after approval: which lines may change, by how much.

Staff lower a line when the shopper sends fewer units than approved (or raise it back, up to
what was requested). A line is fixed once any of its units arrived or any refund holds its
units: its quantity then has money or stock behind it. Setting every line to 0 is what
rejecting or cancelling the return is for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.lines import ReturnLine
from retour.domain.statuses import ReturnAction, ReturnStatus, is_allowed

K = TypeVar("K", bound=Hashable)

#: The longest reason kept with the change.
MAX_REASON_LENGTH = 5000


@dataclass(frozen=True)
class QuantityChange:
    """One line's approved units before and after an edit."""

    line_id: int
    sku: str
    before: int
    after: int


def edit_blocker(status: ReturnStatus, lines: Sequence[ReturnLine]) -> IllegalTransition | None:
    """Why a return in `status` cannot have its quantities edited now, or None when it can."""
    if not is_allowed(status, ReturnAction.EDIT_QUANTITIES):
        return IllegalTransition(ReturnAction.EDIT_QUANTITIES.value, status.value)
    if not any(line.is_quantity_editable for line in lines):
        return IllegalTransition(
            ReturnAction.EDIT_QUANTITIES.value,
            f"{status.value} and every line already has units received",
        )
    return None


def check_edit(
    lines: Sequence[ReturnLine],
    quantities: Mapping[int, int],
    find_line: Callable[[int, str], ReturnLine],
    refunded: Mapping[int, int],
    free_units: Mapping[int, int],
    exchange_reserved: bool,
) -> list[QuantityChange]:
    """The changes `quantities` (line id → approved units; lines left out keep theirs) make.

    `refunded`: units of each line (by id) that refunds hold (pending, paid or failed).
    `free_units`: units of each order line (by id) that no return holds, so that a raised
    line never claims units another return took meanwhile. `exchange_reserved`: a
    replacement holds stock for the return; it follows lowered quantities only.
    """
    changes = []
    for index, (line_id, quantity) in enumerate(quantities.items()):
        where = f"lines[{index}].quantity"
        line = find_line(line_id, f"lines[{index}].line_id")
        if line.is_unexpected:
            raise InvalidRequest(
                f"line {line_id} ({line.sku}) was never asked for; it has no approved quantity",
                field=f"lines[{index}].line_id",
            )
        if quantity < 0:
            raise InvalidRequest("quantity must not be negative", field=where)
        if quantity == line.approved_quantity:
            continue
        if line.received_quantity:
            raise InvalidRequest(
                f"line {line_id} ({line.sku}): {line.received_quantity} unit(s) already "
                f"received, so its quantity can no longer change (never below what arrived)",
                field=where,
                minimum=line.received_quantity,
            )
        if refunded.get(line_id, 0):
            raise InvalidRequest(
                f"line {line_id} ({line.sku}): {refunded[line_id]} unit(s) are refunded or "
                "being refunded, so its quantity can no longer change (the money would not "
                "match the units)",
                field=where,
            )
        if quantity > line.approved_quantity:
            _check_raise(line, quantity, where, free_units, exchange_reserved)
        changes.append(QuantityChange(line_id, line.sku, line.approved_quantity, quantity))
    if not changes:
        raise InvalidRequest("change at least one quantity", field="lines")
    after = {change.line_id: change.after for change in changes}
    if not any(after.get(line.id or 0, line.approved_quantity) for line in lines):
        raise InvalidRequest(
            "keep at least one unit approved; to take back the whole return, reject or cancel "
            "it instead",
            field="lines",
        )
    return changes


def _check_raise(
    line: ReturnLine,
    quantity: int,
    where: str,
    free_units: Mapping[int, int],
    exchange_reserved: bool,
) -> None:
    if quantity > line.requested_quantity:
        raise QuantityExceeded(
            f"line {line.id}: only {line.requested_quantity} requested",
            field=where,
            maximum=line.requested_quantity,
        )
    if exchange_reserved:
        raise InvalidRequest(
            f"line {line.id}: the exchange's stock is reserved for the approved units, so "
            "quantities can only go down; choose the exchange again to send more",
            field=where,
        )
    free = free_units.get(line.order_line_id or 0, 0)
    if quantity > line.approved_quantity + free:
        raise QuantityExceeded(
            f"line {line.id}: other returns hold the rest of {line.sku}; at most "
            f"{line.approved_quantity + free} can be approved",
            field=where,
            maximum=line.approved_quantity + free,
        )


def changes_payload(changes: Sequence[QuantityChange]) -> list[dict[str, Any]]:
    """The changes as the `return.quantities_changed` event names them."""
    return [{"line_id": c.line_id, "sku": c.sku, "from": c.before, "to": c.after} for c in changes]


def checked_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidRequest("say why the quantities change", field="reason")
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidRequest(
            f"the reason holds at most {MAX_REASON_LENGTH} characters", field="reason"
        )
    return text


def trimmed_units(items: Sequence[tuple[K, int]], allowed: Mapping[K, int]) -> list[int]:
    """Units of each item (key, units) once the items of each key add up to at most
    `allowed[key]`: the last items give up units first, so earlier choices stay whole.

    Keys absent from `allowed` are kept as they are.
    """
    left = dict(allowed)
    kept = [units for _, units in items]
    for position, (key, units) in enumerate(items):
        if key not in left:
            continue
        kept[position] = min(units, left[key])
        left[key] -= kept[position]
    return kept
