"""The slice of an imported order that returns need: its lines and what was fulfilled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class OrderLine:
    id: int
    sku: str
    title: str
    quantity: int
    fulfilled_quantity: int
    variant_id: int | None = None


@dataclass(frozen=True)
class Order:
    id: int
    store_id: int
    number: str
    currency: str
    customer_email: str
    placed_at: datetime
    lines: tuple[OrderLine, ...] = field(default_factory=tuple)

    def line(self, line_id: int) -> OrderLine | None:
        return next((line for line in self.lines if line.id == line_id), None)


def returnable_quantities(order: Order, held: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Per order line: fulfilled units minus the units that other returns already hold.

    `held` yields (order_line_id, quantity) pairs from the order's other returns.
    """
    available = {line.id: line.fulfilled_quantity for line in order.lines}
    for line_id, quantity in held:
        if line_id in available:
            available[line_id] -= quantity
    return {line_id: max(quantity, 0) for line_id, quantity in available.items()}
