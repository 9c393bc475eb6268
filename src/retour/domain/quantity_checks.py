"""Quantity rules shared by the aggregate's moves: every refusal names its field and maximum."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from retour.domain.errors import InvalidRequest, QuantityExceeded
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnLine
from retour.domain.orders import Order
from retour.domain.statuses import RELEASED_STATUSES, ReturnStatus


def requested_lines(
    order: Order,
    requests: Sequence[LineRequest],
    line_ids: Sequence[int],
    returnable: Mapping[int, int],
    resolution: Resolution,
) -> list[ReturnLine]:
    """New return lines, each within what is still returnable on its order line."""
    seen: set[int] = set()
    lines = []
    for index, wanted in enumerate(requests):
        where = f"lines[{index}]"
        order_line = order.line(wanted.order_line_id)
        if order_line is None:
            raise InvalidRequest(
                f"order {order.number} has no line {wanted.order_line_id}",
                field=f"{where}.order_line_id",
            )
        if wanted.order_line_id in seen:
            raise InvalidRequest(
                f"order line {wanted.order_line_id} appears twice", field=f"{where}.order_line_id"
            )
        seen.add(wanted.order_line_id)
        maximum = returnable.get(wanted.order_line_id, 0)
        if wanted.quantity < 1:
            raise InvalidRequest("quantity must be at least 1", field=f"{where}.quantity")
        if wanted.quantity > maximum:
            raise QuantityExceeded(
                f"at most {maximum} of {order_line.sku} can be returned",
                field=f"{where}.quantity",
                maximum=maximum,
            )
        lines.append(
            ReturnLine(
                id=line_ids[index],
                order_line_id=order_line.id,
                variant_id=order_line.variant_id,
                sku=order_line.sku,
                title=order_line.title,
                reason_code=wanted.reason_code,
                reason_note=wanted.reason_note,
                resolution=wanted.resolution or resolution,
                requested_quantity=wanted.quantity,
            )
        )
    return lines


def take_within(
    items: Sequence[tuple[int, int]],
    pending: Mapping[int | None, int],
    find_line: Callable[[int, str], ReturnLine],
    refusal: str,
) -> None:
    """Check (line id, quantity) items against what each line still has pending.

    Items for one line add up; `refusal` words a refusal, with `{left}` for what is left.
    """
    left = dict(pending)
    for index, (line_id, quantity) in enumerate(items):
        where = f"lines[{index}]"
        line = find_line(line_id, f"{where}.line_id")
        if quantity < 1:
            raise InvalidRequest("quantity must be at least 1", field=f"{where}.quantity")
        if quantity > left[line.id]:
            raise QuantityExceeded(
                f"line {line.id}: " + refusal.format(left=left[line.id]),
                field=f"{where}.quantity",
                maximum=left[line.id],
            )
        left[line.id] -= quantity


def units_held(status: ReturnStatus, requested: int, approved: int) -> int:
    """What one planned line of a return in `status` keeps of its order line.

    Requested units until a decision, approved units after it, nothing once released.
    """
    if status in RELEASED_STATUSES:
        return 0
    if status in (ReturnStatus.REQUESTED, ReturnStatus.NEEDS_INFO):
        return requested
    return approved
