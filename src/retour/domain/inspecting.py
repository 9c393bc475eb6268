"""Inspecting received units: each verdict within what awaits inspection, and the stock moves
the verdicts' dispositions call for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from retour.domain.errors import InvalidRequest
from retour.domain.inputs import InspectionInput, StockMove
from retour.domain.lines import ReturnLine
from retour.domain.quantity_checks import take_within
from retour.domain.wrong_items import inspect_units


def check_verdicts(
    lines: Sequence[ReturnLine],
    verdicts: Sequence[InspectionInput],
    find_line: Callable[[int, str], ReturnLine],
) -> None:
    """Verdicts within the received units awaiting inspection, wrong items within theirs."""
    if not verdicts:
        raise InvalidRequest("inspect at least one unit", field="lines")
    take_within(
        [(verdict.line_id, verdict.quantity) for verdict in verdicts],
        {line.id: line.awaiting_inspection_quantity for line in lines},
        find_line,
        "{left} received unit(s) await inspection",
    )
    take_within(
        [(verdict.line_id, verdict.quantity) for verdict in verdicts if verdict.is_wrong_item],
        {line.id: line.wrong_items_awaiting_inspection for line in lines},
        find_line,
        "{left} wrong item(s) await inspection",
    )


def record_verdicts(
    verdicts: Sequence[InspectionInput],
    find_line: Callable[[int, str], ReturnLine],
    now: datetime,
) -> list[StockMove]:
    """Record checked verdicts on their lines; the stock moves they call for."""
    moves: list[StockMove] = []
    for verdict in verdicts:
        line = find_line(verdict.line_id, "lines")
        moves.extend(inspect_units(line, verdict, now))
    return moves


def verdicts_payload(verdicts: Sequence[InspectionInput]) -> list[dict[str, Any]]:
    """The verdicts as the `return.inspected` event names them."""
    return [
        {
            "line_id": v.line_id,
            "quantity": v.quantity,
            "accepted": v.is_accepted,
            "grade": v.grade.value,
            "disposition": v.disposition.value,
            **({"wrong_item": True, "arrived_sku": v.arrived_sku} if v.is_wrong_item else {}),
        }
        for v in verdicts
    ]
