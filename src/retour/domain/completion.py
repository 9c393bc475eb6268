"""Closing a return: when it may complete, and what its lines came to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from retour.domain.errors import IllegalTransition
from retour.domain.keep_items import is_keep_item
from retour.domain.lines import ReturnLine, ReturnMethod
from retour.domain.statuses import ReturnAction, ReturnStatus, is_allowed


def completion_blocker(status: ReturnStatus, method: ReturnMethod) -> IllegalTransition | None:
    """Why a return in `status` cannot complete now, or None when it can."""
    if not is_allowed(status, ReturnAction.COMPLETE):
        return IllegalTransition(ReturnAction.COMPLETE.value, status.value)
    if status is ReturnStatus.APPROVED and not is_keep_item(method):
        return IllegalTransition(ReturnAction.COMPLETE.value, "approved and waiting for its items")
    return None


def completed_lines(lines: Sequence[ReturnLine], method: ReturnMethod) -> list[dict[str, Any]]:
    """Each line's outcome as the `return.completed` event names it."""
    return [
        {
            "line_id": line.id,
            "resolution": line.resolution.value,
            "accepted": line.accepted_quantity,
            "rejected": line.rejected_quantity,
            "kept": line.approved_quantity if is_keep_item(method) else 0,
        }
        for line in lines
    ]
